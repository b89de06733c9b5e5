package http

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// Entity types of the chat endpoints, as Graph names them in messages.
const (
	chatEntityType   = "microsoft.graph.chat"
	memberType       = "microsoft.graph.aadUserConversationMember"
	installationType = "microsoft.graph.teamsAppInstallation"
)

// chatProperties are the chat's properties in the order of the chat
// resource page's examples (api-reference/beta/api/chat-post.md): id,
// topic, createdDateTime, lastUpdatedDateTime, chatType, webUrl, then the
// rest of api-reference/v1.0/resources/chat.md.
var chatProperties = []teamsops.Property{
	{Name: "id", Type: teamsops.TypeString},
	{Name: "topic", Type: teamsops.TypeString},
	{Name: "createdDateTime", Type: teamsops.TypeDateTimeOffset},
	{Name: "lastUpdatedDateTime", Type: teamsops.TypeDateTimeOffset},
	{Name: "chatType", Type: teamsops.TypeString},
	{Name: "webUrl", Type: teamsops.TypeString},
	{Name: "tenantId", Type: teamsops.TypeString},
	{Name: "onlineMeetingInfo", Type: teamsops.TypeComplex},
}

// Query options of each read. "Get chat" documents no query options, but
// its example 3 expands members; "List members of a chat" takes none;
// "List apps in chat" takes $select and $expand, and its examples expand
// teamsApp (api-reference/v1.0/api/chat-list-installedapps.md, example 3).
// The paging options come with every list here.
var (
	chatQuery         = odata.Resource{TypeName: chatEntityType, Properties: chatProperties, Expandable: []string{"members"}}
	membersQuery      = odata.Resource{TypeName: memberType}
	installedAppQuery = odata.Resource{
		TypeName:   installationType,
		Properties: []teamsops.Property{{Name: "id", Type: teamsops.TypeString}},
		Expandable: []string{"teamsApp"},
		Collection: true,
	}
)

// serveChat answers the chat routes: GET and POST /chats, GET
// /chats/{id}, and the chat's members and installedApps (chatapps.go).
func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, req *request) error {
	switch {
	case req.route.resource.ID == "" && r.Method == http.MethodGet:
		return s.listChats(w, r, req, "") // lists.go
	case req.route.resource.ID == "":
		return s.createChat(w, r, req)
	case req.route.nav == "installedApps" && (req.route.hasID || r.Method == http.MethodPost):
		return s.serveChatApp(w, r, req)
	case req.route.nav == "members":
		return s.listChatMembers(w, r, req)
	case req.route.nav == "installedApps":
		return s.listInstalledApps(w, r, req)
	}
	return s.getChat(w, r, req)
}

// getChat answers "Get chat" (api-reference/v1.0/api/chat-get.md).
func (s *Server) getChat(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := chatQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	chat, err := s.Service.Chat(r.Context(), req.p, req.route.resource.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.chatEntity(req, chat, q))
	return nil
}

// chatEntity renders a chat as "Get chat" and "Create chat" answer it,
// with the selected properties and expanded members. The pages' examples
// give the contexts: $metadata#chats/$entity, and, with $expand=members,
// $metadata#chats(members())/$entity.
func (s *Server) chatEntity(req *request, chat *teamsops.Chat, q odata.Query) object {
	shape := append([]string{}, q.Select...)
	for _, nav := range q.Expand {
		shape = append(shape, nav+"()")
	}
	ctxURL := s.metadataURL(req) + "chats"
	if len(shape) > 0 {
		ctxURL += "(" + strings.Join(shape, ",") + ")"
	}
	body := append(object{{"@odata.context", ctxURL + "/$entity"}}, chatObject(chat, q.Select)...)
	if len(q.Expand) > 0 {
		body = append(body,
			member{"members@odata.context", s.metadataURL(req) + chatPath(chat.ID) + "/members"},
			member{"members", memberObjects(chat)})
	}
	return body
}

// listChatMembers answers "List members of a chat"
// (api-reference/v1.0/api/chat-list-members.md), whose example carries
// @odata.count.
func (s *Server) listChatMembers(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := membersQuery.Parse(r.URL.RawQuery, req.view.beta); err != nil {
		return err
	}
	chat, err := s.Service.ChatMembers(r.Context(), req.p, req.route.resource.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, object{
		{"@odata.context", s.metadataURL(req) + chatPath(chat.ID) + "/members"},
		{"@odata.count", len(chat.Members)},
		{"value", memberObjects(chat)},
	})
	return nil
}

// listInstalledApps answers "List apps in chat"
// (api-reference/v1.0/api/chat-list-installedapps.md).
func (s *Server) listInstalledApps(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := installedAppQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	expand := len(q.Expand) > 0
	apps, err := s.Service.ChatInstalledApps(r.Context(), req.p, req.route.resource.ID, expand)
	if err != nil {
		return err
	}
	shape := append([]string{}, q.Select...)
	if expand {
		shape = append(shape, "teamsApp()")
	}
	ctxURL := s.metadataURL(req) + chatPath(req.route.resource.ID) + "/installedApps" + selectShape(shape)
	body, apps := pageBody(s, r, req, q, ctxURL, q.Count, apps)
	values := make([]object, len(apps))
	for i, a := range apps {
		values[i] = object{{"id", a.ID}}
		if expand {
			values[i] = append(values[i], member{"teamsApp", teamsAppObject(a.App)})
		}
	}
	writeJSON(w, http.StatusOK, append(body, member{"value", values}))
	return nil
}

// pageOf cuts one page out of a list read whole, as listOperations pages
// a store's list: $skip, then $top (or the default page size).
func pageOf[T any](items []T, q odata.Query) (page []T, more bool, size int) {
	size = defaultPageSize
	if q.HasTop {
		size = min(q.Top, maxPageSize)
	}
	items = items[min(q.Skip, len(items)):]
	if len(items) > size {
		return items[:size], true, size
	}
	return items, false, size
}

// pageBody cuts a page out of items, a list read whole, and starts its
// body: @odata.context, @odata.count of all the items when withCount, and
// @odata.nextLink when more follow.
func pageBody[T any](s *Server, r *http.Request, req *request, q odata.Query, ctxURL string, withCount bool, items []T) (object, []T) {
	body := object{{"@odata.context", ctxURL}}
	if withCount {
		body = append(body, member{"@odata.count", len(items)})
	}
	page, more, size := pageOf(items, q)
	if more && size > 0 {
		body = append(body, member{"@odata.nextLink", s.nextLink(r, req, q.Skip+size)})
	}
	return body, page
}

// metadataURL is {base}/{version}/$metadata#, the start of @odata.context.
func (s *Server) metadataURL(req *request) string {
	return s.PublicURL + "/" + req.version + "/$metadata#"
}

// chatPath is chats('{id}') with the key escaped as in @odata.context.
func chatPath(id string) string {
	return "chats('" + odata.EscapeKey(id) + "')"
}

// chatObject renders a chat with the selected properties (all when sel is
// empty).
func chatObject(c *teamsops.Chat, sel []string) object {
	out := make(object, 0, len(chatProperties))
	for _, p := range chatProperties {
		if len(sel) == 0 || slices.Contains(sel, p.Name) {
			out = append(out, member{p.Name, chatValue(c, p.Name)})
		}
	}
	return out
}

func chatValue(c *teamsops.Chat, name string) any {
	switch name {
	case "id":
		return c.ID
	case "topic":
		return orNull(c.Topic)
	case "createdDateTime", "lastUpdatedDateTime":
		// Nothing renames a chat or changes its members after creation.
		return formatTime(c.CreatedDateTime)
	case "chatType":
		return c.ChatType
	case "webUrl":
		// The shape of the page's examples:
		// https://teams.microsoft.com/l/chat/19%3A…@thread.v2/0?tenantId=…
		return "https://teams.microsoft.com/l/chat/" + strings.Replace(c.ID, ":", "%3A", 1) + "/0?tenantId=" + c.TenantID
	case "tenantId":
		return c.TenantID
	}
	return nil // onlineMeetingInfo: not a meeting chat
}

// memberObjects renders a chat's members as aadUserConversationMember, in
// the property order of "Get chat" example 3.
func memberObjects(c *teamsops.Chat) []object {
	return conversationMembers(c.TenantID, c.ID, c.Members)
}

// conversationMembers renders the members of a chat or team of a tenant
// as aadUserConversationMember: both list the same type.
func conversationMembers(tenantID, resourceID string, members []teamsops.Member) []object {
	out := make([]object, len(members))
	for i, m := range members {
		roles := m.Roles
		if roles == nil {
			roles = []string{}
		}
		out[i] = object{
			{"@odata.type", "#" + memberType},
			{"id", memberID(tenantID, resourceID, m.UserID)},
			{"roles", roles},
			{"displayName", orNull(m.DisplayName)},
			// The zero date: the member sees the whole history, as for
			// the members the chat or team was created with.
			{"visibleHistoryStartDateTime", "0001-01-01T00:00:00Z"},
			{"userId", m.UserID},
			{"email", orNull(m.Email)},
			{"tenantId", tenantID},
		}
	}
	return out
}

// memberID is a membership id shaped like those of "Get chat" example 3:
// base64 of "0##{guid}##{chat-id}##{user-id}", with the tenant id for the
// GUID. Clients must treat it as opaque; it only has to be stable.
func memberID(tenantID, chatID, userID string) string {
	return base64.StdEncoding.EncodeToString([]byte("0##" + tenantID + "##" + chatID + "##" + userID))
}

// teamsAppObject renders a teamsApp as example 3 of "List apps in chat"
// shows it. Apps here are the tenant's own catalog's: distributionMethod
// "organization"; externalId is their manifest's id, if a tenant file
// gave one.
func teamsAppObject(app *teamsops.TeamsApp) any {
	if app == nil {
		return nil
	}
	return object{
		{"id", app.ID},
		{"externalId", orNull(app.ExternalID)},
		{"displayName", app.DisplayName},
		{"distributionMethod", "organization"},
	}
}

// orNull renders an empty string as null.
func orNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
