package service

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
)

// Limits of the team and channel resources (api-reference/v1.0/resources/
// channel.md: a channel's displayName has "maximum length is 50
// characters"; group.md: displayName and description up to 256 and 1,024
// characters, mailNickname up to 64).
const (
	maxChannelName  = 50
	maxDisplayName  = 256
	maxDescription  = 1024
	maxMailNickname = 64
	// MaxTeamMembers bounds the members a create request may list.
	MaxTeamMembers = 250
)

// Channel membership types (channelMembershipType).
const (
	MembershipStandard = "standard"
	MembershipPrivate  = "private"
	MembershipShared   = "shared"
)

// generalChannel is the name of the channel every team starts with.
const generalChannel = "General"

// NewTeam is a "Create team" request (api-reference/v1.0/api/team-post.md)
// as the HTTP edge decoded it. With GroupID (group@odata.bind, the page's
// example 4) it asks to make a team of an existing group instead.
type NewTeam struct {
	DisplayName string
	Description string
	Visibility  string // "private" or "public", any case; "" is private
	Members     []NewMember
	Channels    []NewChannel
	AppIDs      []string
	// Settings is a JSON object of the settings properties the request
	// set (memberSettings, guestSettings, …), or "".
	Settings string
	GroupID  string
	// Given lists the properties the request carried, for the rules that
	// depend on presence (group@odata.bind excludes displayName…).
	Given []string
}

// NewChannel is a channel of a "Create team" or "Create channel" request.
type NewChannel struct {
	DisplayName         string
	Description         string
	MembershipType      string // "" is standard
	IsFavoriteByDefault bool
	Members             []NewMember
}

// Validate checks what can be checked without reading the directory; it
// returns nil or an EINVALID *teamsops.Error.
func (t NewTeam) Validate() error {
	if t.GroupID != "" {
		// "the inclusion of team displayName, visibility, specialization,
		// or members@odata.bind properties will return an error"
		// (team-post.md, example 4).
		for _, name := range []string{"displayName", "visibility", "specialization", "members"} {
			for _, given := range t.Given {
				if given == name {
					return invalid("The property '%s' can't be set when a team is created from a group: the team inherits it from the group.", name)
				}
			}
		}
		if !clean(t.GroupID) {
			return invalid("The group@odata.bind names no group.")
		}
		return nil
	}
	if err := checkText("displayName", t.DisplayName, 1, maxDisplayName); err != nil {
		return err
	}
	if err := checkText("description", t.Description, 0, maxDescription); err != nil {
		return err
	}
	if _, err := teamVisibility(t.Visibility, ""); err != nil {
		return err
	}
	if t.Settings != "" && !json.Valid([]byte(t.Settings)) {
		return invalid("The team's settings are not a JSON object.")
	}
	if len(t.Members) > MaxTeamMembers {
		return invalid("A team can be created with at most %d members; the request lists %d.", MaxTeamMembers, len(t.Members))
	}
	for _, m := range t.Members {
		if err := validateTeamMember(m); err != nil {
			return err
		}
	}
	names := map[string]bool{strings.ToLower(generalChannel): true}
	for _, c := range t.Channels {
		if err := c.Validate(); err != nil {
			return err
		}
		key := strings.ToLower(c.DisplayName)
		if names[key] {
			return invalid("Channel name already existed, please use other name: '%s'.", clip(c.DisplayName))
		}
		names[key] = true
	}
	for _, id := range t.AppIDs {
		if id == "" || !clean(id) {
			return invalid("A teamsApp@odata.bind in installedApps names no app.")
		}
	}
	return nil
}

// Validate checks a channel's name, description and membership type.
func (c NewChannel) Validate() error {
	if err := checkText("displayName", c.DisplayName, 1, maxChannelName); err != nil {
		return err
	}
	if strings.ContainsAny(c.DisplayName, `~#%&*{}+/\:<>?|'"`) {
		// Channel names may not contain these characters (channel resource).
		return invalid("The channel name '%s' contains a character channel names can't contain.", clip(c.DisplayName))
	}
	if err := checkText("description", c.Description, 0, maxDescription); err != nil {
		return err
	}
	switch c.MembershipType {
	case "", MembershipStandard, MembershipPrivate, MembershipShared:
	default:
		return invalid("The membershipType '%s' is not supported; use 'standard', 'private' or 'shared'.", clip(c.MembershipType))
	}
	for _, m := range c.Members {
		if err := validateTeamMember(m); err != nil {
			return err
		}
	}
	return nil
}

// validateTeamMember checks a team or channel member: a user reference and
// the roles ["owner"] or none (a plain member).
func validateTeamMember(m NewMember) error {
	if m.User == "" || !clean(m.User) {
		return invalid("A member's user@odata.bind names no user.")
	}
	if len(m.Roles) > 1 || len(m.Roles) == 1 && !strings.EqualFold(m.Roles[0], "owner") {
		return invalid("A member's roles must be ['owner'] or empty; '%s' has %q.", clip(m.User), m.Roles)
	}
	return nil
}

// teamVisibility reads a teamVisibilityType given in any case; "" is def.
func teamVisibility(v, def string) (string, error) {
	switch strings.ToLower(v) {
	case "":
		return def, nil
	case teamsops.VisibilityPrivate, teamsops.VisibilityPublic:
		return strings.ToLower(v), nil
	}
	return "", invalid("The visibility '%s' is not supported; use 'private' or 'public'.", clip(v))
}

// groupVisibility spells a team's visibility as its group does.
func groupVisibility(teamVisibility string) string {
	if teamVisibility == teamsops.VisibilityPublic {
		return "Public"
	}
	return "Private"
}

func checkText(name, v string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case !clean(v):
		return invalid("The %s is not valid text.", name)
	case minLen > 0 && strings.TrimSpace(v) == "":
		return invalid("The property '%s' is required and can't be empty.", name)
	case n > maxLen:
		return invalid("The %s is longer than %d characters.", name, maxLen)
	}
	return nil
}

// MailNicknameOf derives a mailNickname from a display name, as Graph
// computes one when none is given: its ASCII letters and digits.
func MailNicknameOf(displayName string) string {
	var b strings.Builder
	for _, r := range displayName {
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') && b.Len() < maxMailNickname-9 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "team"
	}
	return b.String()
}

// ValidMailNickname reports whether s may be a group's mailNickname: 1 to
// 64 ASCII letters, digits, '.', '-' or '_'.
func ValidMailNickname(s string) bool {
	if s == "" || len(s) > maxMailNickname {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
