package identity

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// The OpenID Connect scopes ("Scopes and permissions in the Microsoft
// identity platform": "OpenID Connect scopes"). MSAL adds openid, profile
// and offline_access to every request, and Entra accepts them beside any
// resource's scopes, /.default included.
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

// maxScopes bounds the scopes one request names: a request is read before
// its client is authenticated, and each scope of an API may read the
// directory. Real requests name a handful.
const maxScopes = 100

// scopeRequest is a token request's scope parameter, read: at most one
// resource (Microsoft Graph, or an API app of the tenant) and its
// permissions, beside OpenID Connect scopes.
type scopeRequest struct {
	// api is the API app the scopes are for; nil for Microsoft Graph.
	api *teamsops.AppRegistration
	// resource is how the request named the resource ("" for bare scope
	// names, which mean Graph's), to name the granted scopes back the
	// same way.
	resource string
	dflt     bool     // resource/.default: every permission consented
	names    []string // the resource's permissions, without the resource
	oidc     []string // openid, profile, email, offline_access requested
}

func (s scopeRequest) has(oidc string) bool { return slices.Contains(s.oidc, oidc) }

// parseScope reads a scope parameter. Entra's rules: a scope is a URI
// "{resource}/{permission}", or a bare permission of Microsoft Graph; one
// request names one resource (AADSTS28000); "/.default" stands alone for
// its resource (AADSTS70011).
func (e *endpoints) parseScope(ctx context.Context, t *teamsops.Tenant, scope string) (scopeRequest, *oauthError) {
	var req scopeRequest
	resourceSet := false
	fields := strings.Fields(scope)
	if len(fields) > maxScopes {
		return req, badRequest("invalid_scope", 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid: it names %d scopes, more than %d.", len(fields), maxScopes))
	}
	for _, s := range fields {
		if slices.Contains(oidcScopes, strings.ToLower(s)) {
			if !slices.Contains(req.oidc, strings.ToLower(s)) {
				req.oidc = append(req.oidc, strings.ToLower(s))
			}
			continue
		}
		resource, name := splitScope(s)
		if name == "" {
			return req, invalidScope(s)
		}
		// A resource named as before is the same one: finding an API app
		// reads the directory, which one request does once per name.
		api := req.api
		if !resourceSet || resource != req.resource {
			var oerr *oauthError
			if api, oerr = e.resourceOf(ctx, t, resource); oerr != nil {
				return req, oerr
			}
		}
		if resourceSet && !sameResource(api, req.api) {
			return req, badRequest("invalid_scope", 28000, fmt.Sprintf("Provided value for the input parameter scope '%s' is not valid because it contains more than one resource. Scope %s is not valid.", scope, scope))
		}
		if !resourceSet {
			req.api, req.resource, resourceSet = api, resource, true
		}
		if name == ".default" {
			req.dflt = true
		} else if !slices.ContainsFunc(req.names, func(n string) bool { return strings.EqualFold(n, name) }) {
			req.names = append(req.names, name)
		}
	}
	if req.dflt && len(req.names) > 0 {
		return req, badRequest("invalid_scope", 70011, fmt.Sprintf("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid: '%s'. The scope '/.default' cannot be combined with other scopes of the same resource.", scope))
	}
	return req, nil
}

// splitScope splits "https://graph.microsoft.com/Chat.Read" into its
// resource and permission; a bare name has no resource.
func splitScope(s string) (resource, name string) {
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+1:]
}

func sameResource(a, b *teamsops.AppRegistration) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ClientID == b.ClientID
}

// resourceOf finds the resource a scope names: Microsoft Graph by its URI
// or app id (or no resource at all), else an API app of the tenant by its
// client id or one of its identifier URIs.
func (e *endpoints) resourceOf(ctx context.Context, t *teamsops.Tenant, resource string) (*teamsops.AppRegistration, *oauthError) {
	r := strings.TrimSuffix(resource, "/")
	if r == "" || strings.EqualFold(r, graphResource) || strings.EqualFold(r, graphAppID) {
		return nil, nil
	}
	candidates := []string{}
	if id, ok := strings.CutPrefix(r, "api://"); ok && IsGUID(id) {
		candidates = append(candidates, id)
	} else if IsGUID(r) {
		candidates = append(candidates, r)
	}
	declared, err := e.dir.Declared(ctx, t.ID)
	if err != nil {
		return nil, serverError(err)
	}
	for _, d := range declared {
		if d.Kind == teamsops.DeclaredAppRegistration && !slices.Contains(candidates, d.ID) {
			candidates = append(candidates, d.ID)
		}
	}
	for _, id := range candidates {
		app, err := e.dir.AppRegistration(ctx, t.ID, id)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, serverError(err)
		}
		if (IsGUID(r) && strings.EqualFold(app.ClientID, r)) || slices.Contains(app.IdentifierURIs, r) {
			return app, nil
		}
	}
	return nil, badRequest("invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", resource, tenantName(t)))
}

func invalidScope(scope string) *oauthError {
	return badRequest("invalid_scope", 70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope))
}

// delegatedGrant is what a user's token carries: the permissions granted
// of those requested, and the audience they are for.
type delegatedGrant struct {
	audience string // "" for Graph, else the API app's client id
	scopes   []string
	// scope is the token response's scope parameter: the granted
	// permissions named as the request named their resource, then the
	// OpenID Connect scopes requested.
	scope string
}

// grantDelegated decides what a user's token for client carries. For
// Graph, the delegated permissions the tenant file declares for the app
// count as admin-consented: a request for one it does not declare is
// Entra's consent_required (AADSTS65001). For an API app of the tenant,
// the scopes it exposes are consented within the tenant; one it does not
// expose is AADSTS65005.
func grantDelegated(client *teamsops.AppRegistration, req scopeRequest) (delegatedGrant, *oauthError) {
	var g delegatedGrant
	offered := client.DelegatedScopes
	if req.api != nil {
		g.audience, offered = req.api.ClientID, req.api.ExposedScopes
	}
	switch {
	case req.dflt:
		g.scopes = slices.Clone(offered)
	case len(req.names) == 0 && req.api == nil:
		// Only OpenID Connect scopes: Entra issues a Graph token for the
		// user's own profile, when the app may read it.
		if slices.Contains(offered, "User.Read") {
			g.scopes = []string{"User.Read"}
		}
	default:
		for _, n := range req.names {
			i := slices.IndexFunc(offered, func(o string) bool { return strings.EqualFold(o, n) })
			if i >= 0 {
				g.scopes = append(g.scopes, offered[i])
				continue
			}
			if req.api != nil {
				return g, badRequest("invalid_client", 65005, fmt.Sprintf("The application '%s' asked for scope '%s' that doesn't exist on the resource '%s'. Contact the app vendor.", appName(client), n, req.api.ClientID))
			}
			return g, badRequest("invalid_grant", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource.", client.ClientID, appName(client)))
		}
	}
	names := make([]string, 0, len(g.scopes)+len(req.oidc))
	prefix := graphResource + "/"
	if req.api != nil {
		prefix = req.resource + "/"
		if req.resource == "" || IsGUID(req.resource) {
			prefix = "api://" + req.api.ClientID + "/"
		}
	}
	if req.dflt {
		names = append(names, prefix+".default")
	}
	for _, s := range g.scopes {
		names = append(names, prefix+s)
	}
	g.scope = strings.Join(append(names, req.oidc...), " ")
	return g, nil
}

// appName is how Entra's messages name an app: its display name.
func appName(a *teamsops.AppRegistration) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.ClientID
}
