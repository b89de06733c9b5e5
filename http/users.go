package http

import (
	"net/http"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

const userEntityType = "microsoft.graph.user"

// userProperties are the user's properties teamsops serves, in the order
// of the default response of "Get user" (api-reference/v1.0/api/user-get.md,
// example 1), id last as there; accountEnabled, which Graph returns only
// when selected, comes first as in the user resource's metadata.
var userProperties = []teamsops.Property{
	{Name: "accountEnabled"}, {Name: "businessPhones"}, {Name: "displayName"}, {Name: "givenName"},
	{Name: "jobTitle"}, {Name: "mail"}, {Name: "mobilePhone"}, {Name: "officeLocation"},
	{Name: "preferredLanguage"}, {Name: "surname"}, {Name: "userPrincipalName"}, {Name: "id"},
}

// userDefaults are the properties "Get user" returns without $select:
// "businessPhones, displayName, givenName, id, jobTitle, mail,
// mobilePhone, officeLocation, preferredLanguage, surname,
// userPrincipalName".
var userDefaults = slices.DeleteFunc(slices.Clone(userProperties), func(p teamsops.Property) bool {
	return p.Name == "accountEnabled"
})

// userQuery takes $select, the one query option of "Get user" served here.
var userQuery = odata.Resource{TypeName: userEntityType, Properties: userProperties}

// Graph answers user reads from its directory, whose error codes differ
// from the Teams workload's NotFound and Forbidden: a missing user is
// Request_ResourceNotFound, a refusal Authorization_RequestDenied.
const (
	eUserNotFound = "user_not_found"
	eUserDenied   = "user_denied"
)

// getUser answers "Get user": GET /me and GET /users/{id | userPrincipalName},
// with $select. Graph's context is $metadata#users/$entity for /me too.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := userQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	u, err := s.Service.User(r.Context(), req.p, req.route.user.id)
	switch teamsops.ErrorCode(err) {
	case "":
	case teamsops.ENOTFOUND:
		return teamsops.Errorf(eUserNotFound, "%s", teamsops.ErrorMessage(err))
	case teamsops.EFORBIDDEN:
		return teamsops.Errorf(eUserDenied, "%s", teamsops.ErrorMessage(err))
	default:
		return err
	}
	body := object{{"@odata.context", s.metadataURL(req) + "users" + selectShape(q.Select) + "/$entity"}}
	props := userDefaults
	if len(q.Select) > 0 {
		props = userProperties
	}
	for _, p := range props {
		if len(q.Select) == 0 || slices.Contains(q.Select, p.Name) {
			body = append(body, member{p.Name, userValue(u, p.Name)})
		}
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// userValue is one property of a user; teamsops holds no given name,
// surname, job, phones, office or language, and answers them null (or,
// for businessPhones, an empty collection) as Graph does for a user
// without them.
func userValue(u *teamsops.User, name string) any {
	switch name {
	case "accountEnabled":
		return !u.AccountDisabled
	case "businessPhones":
		return []string{}
	case "displayName":
		return orNull(u.DisplayName)
	case "mail":
		return orNull(u.Mail)
	case "userPrincipalName":
		return u.UserPrincipalName
	case "id":
		return u.ID
	}
	return nil
}
