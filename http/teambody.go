package http

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

// Entity types of the team endpoints, as Graph names them in messages.
const (
	teamEntityType    = "microsoft.graph.team"
	channelEntityType = "microsoft.graph.channel"
	groupEntityType   = "microsoft.graph.group"
)

// Read-only properties a create ignores when a client sends them back.
var (
	ignoredTeamProperties    = []string{"id", "createdDateTime", "webUrl", "internalId", "tenantId", "isArchived", "summary"}
	ignoredChannelProperties = []string{"id", "createdDateTime", "webUrl", "email", "tenantId", "isArchived"}
)

// isSettings reports whether name is one of a team's settings properties.
func isSettings(name string) bool {
	for _, s := range teamsops.TeamSettings {
		if s.Name == name {
			return true
		}
	}
	return false
}

// decodeSettings checks the settings properties of a team body and returns
// them as one JSON object ("" when there are none), each setting checked
// against its type: an unknown name or a wrong type is EINVALID.
func decodeSettings(props map[string]json.RawMessage) (string, error) {
	var buf bytes.Buffer
	for _, s := range teamsops.TeamSettings {
		raw, ok := props[s.Name]
		if !ok || isNull(raw) {
			continue
		}
		var values map[string]json.RawMessage
		if json.Unmarshal(raw, &values) != nil || values == nil {
			return "", wrongType(s.Name, "an object")
		}
		checked := make(map[string]any, len(values))
		for name, v := range values {
			isString, known := s.Properties[name]
			var str string
			var b bool
			switch {
			case strings.HasPrefix(name, "@"):
				continue
			case !known:
				return "", badProperty(name, "microsoft.graph.team"+strings.ToUpper(s.Name[:1])+s.Name[1:])
			case isString && json.Unmarshal(v, &str) == nil && !isNull(v):
				checked[name] = str
			case !isString && json.Unmarshal(v, &b) == nil && !isNull(v):
				checked[name] = b
			default:
				return "", wrongType(name, map[bool]string{true: "a string", false: "a Boolean"}[isString])
			}
		}
		out, _ := json.Marshal(checked) // sorted keys
		if buf.Len() == 0 {
			buf.WriteByte('{')
		} else {
			buf.WriteByte(',')
		}
		buf.WriteString(`"` + s.Name + `":`)
		buf.Write(out)
	}
	if buf.Len() == 0 {
		return "", nil
	}
	buf.WriteByte('}')
	return buf.String(), nil
}

// decodeCreateTeam reads a "Create team" body
// (api-reference/v1.0/api/team-post.md): a team with its template, and
// optionally members, channels, installedApps and settings; or a
// group@odata.bind (example 4). Tabs of channels are accepted and not
// kept: teamsops does not model tabs. Every error is EINVALID.
func decodeCreateTeam(body []byte, publicURL string) (service.NewTeam, error) {
	var nt service.NewTeam
	props, err := decodeObject(body, "", teamEntityType, ignoredTeamProperties)
	if err != nil {
		return nt, err
	}
	if nt.Settings, err = decodeSettings(props); err != nil {
		return nt, err
	}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		nt.Given = append(nt.Given, strings.TrimSuffix(name, "@odata.bind"))
		switch name {
		case "template@odata.bind":
			err = decodeTemplate(raw, publicURL)
		case "group@odata.bind":
			var bind string
			if err = decodeString(raw, name, &bind); err == nil {
				nt.GroupID, err = bindKey(bind, publicURL, "groups")
			}
		case "displayName", "visibility", "specialization", "classification":
			var v string
			if !isNull(raw) {
				err = decodeString(raw, name, &v)
			}
			err = setTeamText(&nt, name, v, err)
		case "description":
			if !isNull(raw) {
				err = decodeString(raw, name, &nt.Description)
			}
		case "members":
			nt.Members, err = decodeMembers(raw, publicURL)
		case "channels":
			nt.Channels, err = decodeTeamChannels(raw)
		case "installedApps":
			nt.AppIDs, err = decodeInstalledApps(raw, publicURL)
		default:
			if !isSettings(name) {
				err = badProperty(name, teamEntityType)
			}
		}
		if err != nil {
			return service.NewTeam{}, err
		}
	}
	if _, ok := props["template@odata.bind"]; !ok {
		return service.NewTeam{}, teamsops.Errorf(teamsops.EINVALID, "The property 'template@odata.bind' is required to create a team.")
	}
	if _, ok := props["displayName"]; !ok && nt.GroupID == "" {
		return service.NewTeam{}, teamsops.Errorf(teamsops.EINVALID, "The property 'displayName' is required to create a team.")
	}
	return nt, nt.Validate()
}

// setTeamText sets a string property of a team body.
func setTeamText(nt *service.NewTeam, name, v string, err error) error {
	if err != nil {
		return err
	}
	switch name {
	case "displayName":
		nt.DisplayName = v
	case "visibility":
		nt.Visibility = v
	case "specialization":
		// teamSpecialization: only "none" makes sense without education
		// or healthcare templates.
		if v != "" && !strings.EqualFold(v, "none") {
			return teamsops.Errorf(teamsops.EINVALID, "The specialization '%s' is not available; use 'none'.", clipText(v))
		}
	}
	return nil // classification: accepted, not kept
}

// decodeTemplate accepts the base template "standard", the only one that
// needs no industry apps (team-post.md, example 6 explains the others).
func decodeTemplate(raw json.RawMessage, publicURL string) error {
	var bind string
	if err := decodeString(raw, "template@odata.bind", &bind); err != nil {
		return err
	}
	name, err := bindKey(bind, publicURL, "teamsTemplates")
	if err != nil {
		return err
	}
	if !strings.EqualFold(name, "standard") {
		return teamsops.Errorf(teamsops.EINVALID, "The template '%s' is not available; use 'standard'.", clipText(name))
	}
	return nil
}

// decodeTeamChannels reads the channels of a "Create team" body.
func decodeTeamChannels(raw json.RawMessage) ([]service.NewChannel, error) {
	items, err := decodeArray(raw, "channels")
	if err != nil {
		return nil, err
	}
	out := make([]service.NewChannel, 0, len(items))
	for _, item := range items {
		c, err := decodeChannelObject(item, "channels", "")
		if err != nil {
			return nil, err
		}
		if c.MembershipType != "" && c.MembershipType != service.MembershipStandard {
			return nil, teamsops.Errorf(teamsops.EINVALID, "Only standard channels can be created with a team.")
		}
		out = append(out, c)
	}
	return out, nil
}

// decodeCreateChannel reads a "Create channel" body
// (api-reference/v1.0/api/channel-post.md).
func decodeCreateChannel(body []byte, publicURL string) (service.NewChannel, error) {
	c, err := decodeChannelObject(body, "", publicURL)
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// decodeChannelObject reads one channel: the body itself (in == ""), or
// an item of a team's channels, whose tabs are accepted and not kept.
func decodeChannelObject(raw []byte, in, publicURL string) (service.NewChannel, error) {
	var c service.NewChannel
	props, err := decodeObject(raw, in, channelEntityType, ignoredChannelProperties)
	if err != nil {
		return c, err
	}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		switch {
		case name == "displayName":
			err = decodeString(raw, name, &c.DisplayName)
		case name == "description" && !isNull(raw):
			err = decodeString(raw, name, &c.Description)
		case name == "description":
		case name == "membershipType":
			err = decodeString(raw, name, &c.MembershipType)
		case name == "isFavoriteByDefault" && !isNull(raw):
			if json.Unmarshal(raw, &c.IsFavoriteByDefault) != nil {
				err = wrongType(name, "a Boolean")
			}
		case name == "isFavoriteByDefault":
		case name == "tabs" && in != "":
			_, err = decodeArray(raw, "tabs")
		case name == "members" && in == "":
			c.Members, err = decodeMembers(raw, publicURL)
		default:
			err = badProperty(name, channelEntityType)
		}
		if err != nil {
			return service.NewChannel{}, err
		}
	}
	if _, ok := props["displayName"]; !ok {
		return service.NewChannel{}, teamsops.Errorf(teamsops.EINVALID, "The property 'displayName' is required to create a channel.")
	}
	return c, nil
}
