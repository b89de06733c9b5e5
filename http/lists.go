package http

import (
	"net/http"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// maxChatsPage is the largest $top of "List chats": "Maximum allowed $top
// value is 50" (api-reference/beta/api/chat-list.md).
const maxChatsPage = 50

// chatListProperties are the chat's properties with those $filter takes
// on a list of chats. The page's filters on members and installedApps
// use lambda operators (any), which are not supported here.
var chatListProperties = filterable(chatProperties, "id", "topic", "createdDateTime", "lastUpdatedDateTime", "chatType", "tenantId")

// teamListProperties are what "List teams" and "List joinedTeams" return:
// "only the id, displayName, and description properties" (teams-list.md,
// user-list-joinedteams.md); $filter and $select take them.
var teamListProperties = filterable([]teamsops.Property{
	{Name: "id", Type: teamsops.TypeString}, {Name: "displayName", Type: teamsops.TypeString},
	{Name: "description", Type: teamsops.TypeString},
}, "id", "displayName", "description")

// Query options of the lists. "List chats" takes $expand=members, $top
// and $filter (its $orderby sorts by last message, which does not exist
// here); "List teams" takes $filter, $select, $top and $count;
// "List joinedTeams" takes none. $skip comes with every paged list, as
// its @odata.nextLink pages with it.
var (
	chatListQuery = odata.Resource{TypeName: chatEntityType, Properties: chatListProperties, Expandable: []string{"members"}, Collection: true}
	// "List teams" example 2 filters with startswith(displayName, 'A').
	teamListQuery = odata.Resource{TypeName: teamEntityType, Properties: teamListProperties, Collection: true, Functions: []string{"startswith"}}
)

func filterable(props []teamsops.Property, names ...string) []teamsops.Property {
	out := slices.Clone(props)
	for i := range out {
		out[i].Filterable = slices.Contains(names, out[i].Name)
	}
	return out
}

// serveLists answers /me/... and /users/{id}/... (listroute.go).
func (s *Server) serveLists(w http.ResponseWriter, r *http.Request, req *request) error {
	if req.route.list.endpoint == joinedTeamsList {
		return s.listJoinedTeams(w, r, req)
	}
	return s.listChats(w, r, req, req.route.list.user)
}

// listChats answers "List chats" (api-reference/beta/api/chat-list.md):
// GET /me/chats, /users/{id}/chats and /chats. Its examples carry
// @odata.count.
func (s *Server) listChats(w http.ResponseWriter, r *http.Request, req *request, user string) error {
	q, err := chatListQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	if q.HasTop && q.Top > maxChatsPage {
		return teamsops.Errorf(teamsops.EINVALID, "The maximum allowed $top value is %d; the request asks for %d.", maxChatsPage, q.Top)
	}
	chats, err := s.Service.UserChats(r.Context(), req.p, user)
	if err != nil {
		return err
	}
	chats = slices.DeleteFunc(chats, func(c *teamsops.Chat) bool {
		return !q.Filter.MatchFunc(func(name string) any { return chatFilterValue(c, name) })
	})
	shape := append([]string{}, q.Select...)
	if len(q.Expand) > 0 {
		shape = append(shape, "members()")
	}
	q.Top, q.HasTop = min(cmpOrTop(q), maxChatsPage), true
	body, page := pageBody(s, r, req, q, s.metadataURL(req)+"chats"+selectShape(shape), true, chats)
	values := make([]object, len(page))
	for i, c := range page {
		values[i] = chatObject(c, q.Select)
		if len(q.Expand) > 0 {
			values[i] = append(values[i], member{"members", memberObjects(c)})
		}
	}
	writeJSON(w, http.StatusOK, append(body, member{"value", values}))
	return nil
}

// cmpOrTop is $top, or the default page size, as pageOf reads it.
func cmpOrTop(q odata.Query) int {
	if q.HasTop {
		return q.Top
	}
	return defaultPageSize
}

// chatFilterValue is a chat's property in the types teamsops.Filter uses.
func chatFilterValue(c *teamsops.Chat, name string) any {
	switch name {
	case "createdDateTime", "lastUpdatedDateTime":
		return c.CreatedDateTime
	case "topic":
		return orNull(c.Topic)
	}
	return chatValue(c, name)
}

// listJoinedTeams answers "List joinedTeams"
// (api-reference/v1.0/api/user-list-joinedteams.md), which "does not
// currently support the OData query parameters" and, in its example, is
// one page without @odata.context.
func (s *Server) listJoinedTeams(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err
	}
	teams, err := s.Service.JoinedTeams(r.Context(), req.p, req.route.list.user)
	if err != nil {
		return err
	}
	values := make([]object, len(teams))
	for i, t := range teams {
		values[i] = teamListObject(t, nil)
	}
	writeJSON(w, http.StatusOK, object{{"@odata.context", s.metadataURL(req) + "teams"}, {"value", values}})
	return nil
}

// listTeams answers "List teams" (api-reference/v1.0/api/teams-list.md):
// every team of the tenant, with $filter, $select, $top and $count.
func (s *Server) listTeams(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := teamListQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	teams, err := s.Service.Teams(r.Context(), req.p)
	if err != nil {
		return err
	}
	teams = slices.DeleteFunc(teams, func(t *teamsops.Team) bool {
		return !q.Filter.MatchFunc(func(name string) any { return teamFilterValue(t, name) })
	})
	body, page := pageBody(s, r, req, q, s.metadataURL(req)+"teams"+selectShape(q.Select), q.Count, teams)
	values := make([]object, len(page))
	for i, t := range page {
		values[i] = teamListObject(t, q.Select)
	}
	writeJSON(w, http.StatusOK, append(body, member{"value", values}))
	return nil
}

// teamListObject renders a team of a list with the selected properties.
func teamListObject(t *teamsops.Team, sel []string) object {
	var out object
	for _, p := range teamListProperties {
		if len(sel) == 0 || slices.Contains(sel, p.Name) {
			out = append(out, member{p.Name, teamValue(t, p.Name)})
		}
	}
	return out
}

func teamFilterValue(t *teamsops.Team, name string) any {
	if name == "description" {
		return orNull(t.Description)
	}
	return teamValue(t, name)
}
