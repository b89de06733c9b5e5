package http

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/service"
)

// teamProperties are the team's properties in the order of the team
// resource page's JSON representation (api-reference/v1.0/resources/team.md);
// discoverySettings is beta's.
var teamProperties = []teamsops.Property{
	{Name: "id"}, {Name: "createdDateTime", Type: teamsops.TypeDateTimeOffset}, {Name: "displayName"},
	{Name: "description"}, {Name: "internalId"}, {Name: "classification"}, {Name: "specialization"},
	{Name: "visibility"}, {Name: "webUrl"}, {Name: "isArchived"}, {Name: "tenantId"},
	{Name: "isMembershipLimitedToOwners"}, {Name: "memberSettings", Type: teamsops.TypeComplex},
	{Name: "guestSettings", Type: teamsops.TypeComplex}, {Name: "messagingSettings", Type: teamsops.TypeComplex},
	{Name: "funSettings", Type: teamsops.TypeComplex},
	{Name: "discoverySettings", Type: teamsops.TypeComplex, BetaOnly: true},
	{Name: "summary", Type: teamsops.TypeComplex},
}

// channelProperties follow the channel resource page (channel.md).
var channelProperties = []teamsops.Property{
	{Name: "id"}, {Name: "createdDateTime", Type: teamsops.TypeDateTimeOffset}, {Name: "displayName"},
	{Name: "description"}, {Name: "isFavoriteByDefault"}, {Name: "email"}, {Name: "webUrl"},
	{Name: "membershipType", Type: teamsops.TypeEnum}, {Name: "isArchived"}, {Name: "tenantId"},
}

// channelMembershipTypes is channelMembershipType, an evolvable enum whose
// "shared" comes after unknownFutureValue (channelmembershiptype.md).
var channelMembershipTypes = []teamsops.EnumMember{
	{Name: "standard", InV1: true}, {Name: "private", InV1: true},
	{Name: "unknownFutureValue", InV1: true}, {Name: "shared", InV1: true, Evolvable: true},
}

// defaultSettings are a new team's settings, as "Get team"'s example
// shows them (api-reference/v1.0/api/team-get.md); guests may not manage
// channels unless allowed.
var defaultSettings = map[string]map[string]any{
	"memberSettings": {"allowCreateUpdateChannels": true, "allowCreatePrivateChannels": true, "allowDeleteChannels": true,
		"allowAddRemoveApps": true, "allowCreateUpdateRemoveTabs": true, "allowCreateUpdateRemoveConnectors": true},
	"guestSettings":     {"allowCreateUpdateChannels": false, "allowDeleteChannels": false},
	"messagingSettings": {"allowUserEditMessages": true, "allowUserDeleteMessages": true, "allowOwnerDeleteMessages": true, "allowTeamMentions": true, "allowChannelMentions": true},
	"funSettings":       {"allowGiphy": true, "giphyContentRating": "moderate", "allowStickersAndMemes": true, "allowCustomMemes": true},
	"discoverySettings": {"showInTeamsSearchAndSuggestions": true},
}

var (
	teamQuery    = odata.Resource{TypeName: teamEntityType, Properties: teamProperties}
	channelQuery = odata.Resource{TypeName: channelEntityType, Properties: channelProperties}
	groupQuery   = odata.Resource{TypeName: groupEntityType}
)

// getTeam answers "Get team" (api-reference/v1.0/api/team-get.md).
func (s *Server) getTeam(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := teamQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	team, err := s.Service.Team(r.Context(), req.p, req.route.team.id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.teamEntity(req, team, q.Select))
	return nil
}

// teamEntity renders a team as "Get team" answers it, with the selected
// properties (all when sel is empty).
func (s *Server) teamEntity(req *request, team *teamsops.Team, sel []string) object {
	ctxURL := s.metadataURL(req) + "teams"
	if len(sel) > 0 {
		ctxURL += "(" + strings.Join(sel, ",") + ")"
	}
	body := object{{"@odata.context", ctxURL + "/$entity"}}
	for _, p := range teamProperties {
		if (!p.BetaOnly || req.view.beta) && (len(sel) == 0 || slices.Contains(sel, p.Name)) {
			body = append(body, member{p.Name, teamValue(team, p.Name)})
		}
	}
	return body
}

func teamValue(t *teamsops.Team, name string) any {
	general := service.GeneralChannelID(t.ID)
	switch name {
	case "id":
		return t.ID
	case "createdDateTime":
		return formatTime(t.CreatedDateTime)
	case "displayName":
		return t.DisplayName
	case "description":
		return orNull(t.Description)
	case "internalId":
		return general
	case "specialization":
		return "none"
	case "visibility":
		return cmpOr(t.Visibility, teamsops.VisibilityPrivate)
	case "webUrl":
		return "https://teams.microsoft.com/l/team/" + url.PathEscape(general) + "/conversations?groupId=" + t.ID + "&tenantId=" + t.TenantID
	case "isArchived":
		return t.IsArchived
	case "tenantId":
		return t.TenantID
	case "isMembershipLimitedToOwners":
		return false
	case "summary":
		owners := 0
		for _, m := range t.Members {
			if slices.Contains(m.Roles, "owner") {
				owners++
			}
		}
		return object{{"ownersCount", owners}, {"membersCount", len(t.Members) - owners}, {"guestsCount", 0}}
	}
	if _, ok := defaultSettings[name]; ok {
		return teamSetting(t.Settings, name)
	}
	return nil // classification
}

// teamSetting is one settings property: the defaults, overlaid with what
// the team was created with.
func teamSetting(stored, name string) map[string]any {
	out := make(map[string]any)
	for k, v := range defaultSettings[name] {
		out[k] = v
	}
	var all map[string]map[string]any
	if stored != "" && json.Unmarshal([]byte(stored), &all) == nil {
		for k, v := range all[name] {
			out[k] = v
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// listTeamMembers answers "List members of team"
// (api-reference/v1.0/api/team-list-members.md), with @odata.count as its
// example. Its $filter on members is not served: a 400.
func (s *Server) listTeamMembers(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := membersQuery.Parse(r.URL.RawQuery, req.view.beta); err != nil {
		return err
	}
	team, err := s.Service.TeamMembers(r.Context(), req.p, req.route.team.id)
	if err != nil {
		return err
	}
	values := conversationMembers(team.TenantID, team.ID, team.Members)
	writeJSON(w, http.StatusOK, object{
		{"@odata.context", s.metadataURL(req) + teamPath(team.ID) + "/members"},
		{"@odata.count", len(values)},
		{"value", values},
	})
	return nil
}

// teamPath is teams('{id}') with the key escaped as in @odata.context.
func teamPath(id string) string { return "teams('" + odata.EscapeKey(id) + "')" }

// listChannels answers "List channels" (api-reference/v1.0/api/channel-list.md)
// with $select; its $filter is not served (a 400, never ignored).
func (s *Server) listChannels(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := channelQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	channels, err := s.Service.Channels(r.Context(), req.p, req.route.team.id)
	if err != nil {
		return err
	}
	values := make([]object, len(channels))
	for i, c := range channels {
		values[i] = channelObject(req.view, c, q.Select)
	}
	writeJSON(w, http.StatusOK, object{
		{"@odata.context", s.metadataURL(req) + teamPath(req.route.team.id) + "/channels" + selectShape(q.Select)},
		{"@odata.count", len(values)},
		{"value", values},
	})
	return nil
}

// getChannel answers "Get channel" (api-reference/v1.0/api/channel-get.md).
func (s *Server) getChannel(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := channelQuery.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	ch, err := s.Service.Channel(r.Context(), req.p, req.route.team.id, req.route.team.channelID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.channelEntity(req, ch, q.Select))
	return nil
}

// channelEntity renders a channel as "Get channel" and "Create channel"
// answer it: $metadata#teams('{id}')/channels/$entity.
func (s *Server) channelEntity(req *request, ch *teamsops.Channel, sel []string) object {
	ctxURL := s.metadataURL(req) + teamPath(ch.TeamID) + "/channels" + selectShape(sel) + "/$entity"
	return append(object{{"@odata.context", ctxURL}}, channelObject(req.view, ch, sel)...)
}

func selectShape(sel []string) string {
	if len(sel) == 0 {
		return ""
	}
	return "(" + strings.Join(sel, ",") + ")"
}

func channelObject(v view, c *teamsops.Channel, sel []string) object {
	out := object{}
	for _, p := range channelProperties {
		if len(sel) > 0 && !slices.Contains(sel, p.Name) {
			continue
		}
		var value any
		switch p.Name {
		case "id":
			value = c.ID
		case "createdDateTime":
			value = formatTime(c.CreatedDateTime)
		case "displayName":
			value = c.DisplayName
		case "description":
			value = orNull(c.Description)
		case "isFavoriteByDefault":
			value = c.IsFavoriteByDefault
		case "email":
			value = ""
		case "webUrl":
			value = "https://teams.microsoft.com/l/channel/" + url.PathEscape(c.ID) + "/" + url.PathEscape(c.DisplayName) +
				"?groupId=" + c.TeamID + "&tenantId=" + c.TenantID
		case "membershipType":
			value = v.enum(channelMembershipTypes, c.MembershipType)
		case "isArchived":
			value = c.IsArchived
		case "tenantId":
			value = c.TenantID
		}
		out = append(out, member{p.Name, value})
	}
	return out
}

// getGroup answers "Get group" (api-reference/v1.0/api/group-get.md) with
// the properties a Microsoft 365 group has by default; its
// resourceProvisioningOptions holds "Team" once a team is built on it.
func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := groupQuery.Parse(r.URL.RawQuery, req.view.beta); err != nil {
		return err
	}
	g, err := s.Service.Group(r.Context(), req.p, req.route.team.id)
	if err != nil {
		return err
	}
	provisioning := []string{}
	if g.HasTeam {
		provisioning = []string{"Team"}
	}
	writeJSON(w, http.StatusOK, object{
		{"@odata.context", s.metadataURL(req) + "groups/$entity"},
		{"id", g.ID}, {"deletedDateTime", nil}, {"classification", nil},
		{"createdDateTime", formatTime(g.CreatedDateTime)}, {"description", orNull(g.Description)},
		{"displayName", g.DisplayName}, {"groupTypes", []string{"Unified"}}, {"mailEnabled", true},
		{"mailNickname", g.MailNickname}, {"resourceProvisioningOptions", provisioning},
		{"securityEnabled", false}, {"visibility", orNull(g.Visibility)},
	})
	return nil
}
