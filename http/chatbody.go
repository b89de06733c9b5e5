package http

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/service"
)

// graphHost is Microsoft Graph's host, which bind URLs usually name.
const graphHost = "graph.microsoft.com"

// Read-only properties a client may send back in a body (an SDK echoing a
// chat it read) and that a create ignores, as OData services ignore
// computed properties. Any other property a type does not define is a 400.
var (
	ignoredChatProperties = []string{
		"id", "createdDateTime", "lastUpdatedDateTime", "tenantId", "webUrl",
		"onlineMeetingInfo", "viewpoint", "isHiddenForAllMembers",
	}
	ignoredMemberProperties       = []string{"id", "displayName", "email", "userId", "visibleHistoryStartDateTime"}
	ignoredInstallationProperties = []string{"id", "consentedPermissionSet"}
)

// decodeCreateChat reads a "Create chat" body
// (api-reference/beta/api/chat-post.md, "Request body") into a request
// the service can run. Bind URLs may name Graph, this server (publicURL)
// or be relative. Every body it accepts passes service.NewChat.Validate;
// every error is EINVALID.
func decodeCreateChat(body []byte, publicURL string) (service.NewChat, error) {
	var nc service.NewChat
	props, err := decodeObject(body, "", chatEntityType, ignoredChatProperties)
	if err != nil {
		return nc, err
	}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		switch name {
		case "chatType":
			err = decodeString(raw, name, &nc.ChatType)
		case "topic":
			if !isNull(raw) {
				nc.Topic = new(string)
				err = decodeString(raw, name, nc.Topic)
			}
		case "members":
			nc.Members, err = decodeMembers(raw, publicURL)
		case "installedApps":
			nc.AppIDs, err = decodeInstalledApps(raw, publicURL)
		default:
			err = badProperty(name, chatEntityType)
		}
		if err != nil {
			return service.NewChat{}, err
		}
	}
	for _, required := range []string{"chatType", "members"} {
		if _, ok := props[required]; !ok {
			return service.NewChat{}, teamsops.Errorf(teamsops.EINVALID, "The property '%s' is required to create a chat.", required)
		}
	}
	return nc, nc.Validate()
}

// decodeMembers reads the members: aadUserConversationMember objects bound
// to users with user@odata.bind.
func decodeMembers(raw json.RawMessage, publicURL string) ([]service.NewMember, error) {
	items, err := decodeArray(raw, "members")
	if err != nil {
		return nil, err
	}
	members := make([]service.NewMember, 0, len(items))
	for _, item := range items {
		props, err := decodeObject(item, "members", memberType, ignoredMemberProperties)
		if err != nil {
			return nil, err
		}
		var m service.NewMember
		for _, name := range sortedKeys(props) {
			switch raw := props[name]; name {
			case "roles":
				err = decodeStrings(raw, name, &m.Roles)
			case "user@odata.bind":
				var bind string
				if err = decodeString(raw, name, &bind); err == nil {
					m.User, err = bindKey(bind, publicURL, "users")
				}
			case "tenantId":
				err = decodeString(raw, name, &m.TenantID)
			default:
				err = badProperty(name, memberType)
			}
			if err != nil {
				return nil, err
			}
		}
		if m.User == "" {
			return nil, teamsops.Errorf(teamsops.EINVALID, "Each member must name its user with 'user@odata.bind'.")
		}
		members = append(members, m)
	}
	return members, nil
}

// decodeInstalledApps reads installedApps: objects that bind a Teams app
// of the catalog with teamsApp@odata.bind. null is no apps.
func decodeInstalledApps(raw json.RawMessage, publicURL string) ([]string, error) {
	if isNull(raw) {
		return nil, nil
	}
	items, err := decodeArray(raw, "installedApps")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, item := range items {
		props, err := decodeObject(item, "installedApps", installationType, ignoredInstallationProperties)
		if err != nil {
			return nil, err
		}
		var id string
		for _, name := range sortedKeys(props) {
			if name != "teamsApp@odata.bind" {
				return nil, badProperty(name, installationType)
			}
			var bind string
			if err := decodeString(props[name], name, &bind); err != nil {
				return nil, err
			}
			if id, err = bindKey(bind, publicURL, "appCatalogs", "teamsApps"); err != nil {
				return nil, err
			}
		}
		if id == "" {
			return nil, teamsops.Errorf(teamsops.EINVALID, "Each item of installedApps must name its app with 'teamsApp@odata.bind'.")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// decodeObject reads a JSON object of the entity type typeName: the body
// itself, or an item of the array property in. Its @odata.type, if
// present, must name that type; other annotations and the ignored
// properties are dropped.
func decodeObject(raw []byte, in, typeName string, ignored []string) (map[string]json.RawMessage, error) {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil || props == nil {
		if in != "" && json.Valid(raw) {
			return nil, wrongType(in, "an array of objects")
		}
		return nil, errPayload
	}
	for name, value := range props {
		switch {
		case name == "@odata.type":
			var t string
			if json.Unmarshal(value, &t) != nil || !strings.EqualFold(strings.TrimPrefix(t, "#"), typeName) {
				return nil, teamsops.Errorf(teamsops.EINVALID, "The '@odata.type' of a %s must be '#%s'.", typeName, typeName)
			}
			delete(props, name)
		case strings.HasPrefix(name, "@") || slices.Contains(ignored, name):
			delete(props, name)
		case strings.Contains(name, "@") && !strings.HasSuffix(name, "@odata.bind"):
			delete(props, name) // a property annotation, such as topic@odata.type
		}
	}
	return props, nil
}

func decodeArray(raw json.RawMessage, name string) ([]json.RawMessage, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, wrongType(name, "an array")
	}
	return items, nil
}

func decodeString(raw json.RawMessage, name string, out *string) error {
	if json.Unmarshal(raw, out) != nil || isNull(raw) {
		return wrongType(name, "a string")
	}
	return nil
}

func decodeStrings(raw json.RawMessage, name string, out *[]string) error {
	if json.Unmarshal(raw, out) != nil || isNull(raw) {
		return wrongType(name, "an array of strings")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func wrongType(name, want string) error {
	return teamsops.Errorf(teamsops.EINVALID, "The property '%s' must be %s.", clipText(name), want)
}

// badProperty is OData's answer to a property the type does not define.
func badProperty(name, typeName string) error {
	return teamsops.Errorf(teamsops.EINVALID,
		"The property '%s' does not exist on type '%s'. Make sure to only use property names that are defined by the type.",
		clipText(name), typeName)
}

// bindKey returns the key an @odata.bind URL names in the entity set
// reached by the segments set ("users", or "appCatalogs", "teamsApps"):
// {set}('{key}') or {set}/{key}, after an optional version, on Graph's
// host, on this server's public URL, or relative.
func bindKey(bind, publicURL string, set ...string) (string, error) {
	bad := teamsops.Errorf(teamsops.EINVALID, "The @odata.bind value '%s' does not name an item of /%s.", clipText(bind), strings.Join(set, "/"))
	path, ok := bindPath(bind, publicURL)
	if !ok {
		return "", bad
	}
	segs, err := odata.ParsePath(path)
	if err != nil || len(segs) == 0 {
		return "", bad
	}
	if v := segs[0]; !v.HasKey && (v.Name == "v1.0" || v.Name == "beta") {
		segs = segs[1:]
	}
	n := len(set)
	switch {
	case len(segs) == n && segs[n-1].HasKey:
		// {set}('{key}')
	case len(segs) == n+1 && !segs[n-1].HasKey && !segs[n].HasKey:
		segs[n-1].Key = segs[n].Name // {set}/{key}
	default:
		return "", bad
	}
	for i, name := range set {
		if !strings.EqualFold(segs[i].Name, name) || i < n-1 && segs[i].HasKey {
			return "", bad
		}
	}
	return segs[n-1].Key, nil
}

// bindPath returns the escaped path of a bind URL that names Graph or this
// server, or is relative; a query or fragment is refused.
func bindPath(bind, publicURL string) (string, bool) {
	u, err := url.Parse(bind)
	if err != nil || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", false
	}
	path := u.EscapedPath()
	if u.Scheme != "" || u.Host != "" {
		public, err := url.Parse(publicURL)
		switch {
		case err == nil && strings.EqualFold(u.Host, public.Host):
			prefix := strings.TrimSuffix(public.EscapedPath(), "/")
			if !strings.HasPrefix(path, prefix+"/") {
				return "", false
			}
			path = path[len(prefix):]
		case !strings.EqualFold(u.Hostname(), graphHost):
			return "", false
		}
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return path, true
}

// sortedKeys returns an object's property names in order, so that a body
// with several faults always gets the same answer.
func sortedKeys(props map[string]json.RawMessage) []string {
	return slices.Sorted(maps.Keys(props))
}

// clipText shortens what a caller sent before a message repeats it.
func clipText(s string) string { return teamsops.Clip(s) }
