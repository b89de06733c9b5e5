package http

import (
	"encoding/json"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

// decodeClone reads a "team: clone" body (api-reference/v1.0/api/team-clone.md,
// "Request body"): displayName and partsToClone are required, the others
// optional. Every error is EINVALID.
func decodeClone(body []byte) (service.NewClone, error) {
	var c service.NewClone
	props, err := decodeObject(body, "", "microsoft.graph.clonePostRequestBody", nil)
	if err != nil {
		return c, err
	}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		if isNull(raw) && name != "displayName" && name != "partsToClone" {
			continue // an optional property left out
		}
		switch name {
		case "displayName":
			err = decodeString(raw, name, &c.DisplayName)
		case "description":
			c.Description = new(string)
			err = decodeString(raw, name, c.Description)
		case "mailNickname":
			err = decodeString(raw, name, &c.MailNickname)
		case "visibility":
			err = decodeString(raw, name, &c.Visibility)
		case "classification":
			err = decodeString(raw, name, &c.Classification)
		case "partsToClone":
			err = decodeString(raw, name, &c.PartsToClone)
		default:
			err = teamsops.Errorf(teamsops.EINVALID, "The parameter '%s' is not a parameter of the action 'clone'.", clipText(name))
		}
		if err != nil {
			return service.NewClone{}, err
		}
	}
	for _, required := range []string{"displayName", "partsToClone"} {
		if _, ok := props[required]; !ok {
			return service.NewClone{}, teamsops.Errorf(teamsops.EINVALID, "The parameter '%s' is required to clone a team.", required)
		}
	}
	return c, c.Validate()
}

// decodeArchive reads the optional body of "Archive team" and "channel:
// archive": {"shouldSetSpoSiteReadOnlyForMembers": true}. An empty body is
// false ("Setting it to false or omitting the body altogether will result
// in this step being skipped", team-archive.md).
func decodeArchive(body []byte) (bool, error) {
	if len(body) == 0 {
		return false, nil
	}
	props, err := decodeObject(body, "", "microsoft.graph.archivePostRequestBody", nil)
	if err != nil {
		return false, err
	}
	var spo bool
	for _, name := range sortedKeys(props) {
		raw := props[name]
		if name != "shouldSetSpoSiteReadOnlyForMembers" {
			return false, teamsops.Errorf(teamsops.EINVALID, "The parameter '%s' is not a parameter of the action 'archive'.", clipText(name))
		}
		if !isNull(raw) && json.Unmarshal(raw, &spo) != nil {
			return false, wrongType(name, "a Boolean")
		}
	}
	return spo, nil
}

// decodeGroupTeam reads a "Create team from group" body
// (api-reference/v1.0/api/team-put-teams.md): a team whose settings
// properties the new team takes; it inherits everything else from the
// group. It returns the settings as decodeSettings does.
func decodeGroupTeam(body []byte) (string, error) {
	if len(body) == 0 {
		return "", nil
	}
	props, err := decodeObject(body, "", teamEntityType, ignoredTeamProperties)
	if err != nil {
		return "", err
	}
	for _, name := range sortedKeys(props) {
		if name != "template@odata.bind" && !isSettings(name) {
			return "", badProperty(name, teamEntityType)
		}
	}
	return decodeSettings(props)
}
