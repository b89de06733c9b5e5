package tenantfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// The document a tenant file holds, as read and as written back. Names
// are Graph's where Graph has the property; references to other entities
// of the file (a member's user, a Teams app's bot, a grant's chat…) take
// their id or their name, as each field's comment says.

type document struct {
	Tenant           *tenantDoc     `json:"tenant"`
	Users            []userDoc      `json:"users,omitempty"`
	AppRegistrations []appDoc       `json:"appRegistrations,omitempty"`
	FaultRules       []faultRuleDoc `json:"faultRules,omitempty"`
	TeamsApps        []teamsAppDoc  `json:"teamsApps,omitempty"`
	Groups           []groupDoc     `json:"groups,omitempty"`
	Teams            []teamDoc      `json:"teams,omitempty"`
	Chats            []chatDoc      `json:"chats,omitempty"`
	PermissionGrants []grantDoc     `json:"permissionGrants,omitempty"`
	Operations       []operationDoc `json:"operations,omitempty"`
}

type tenantDoc struct {
	ID             string `json:"id"`
	DisplayName    string `json:"displayName,omitempty"`
	VerifiedDomain string `json:"verifiedDomain,omitempty"`
}

type userDoc struct {
	ID                string `json:"id,omitempty"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName,omitempty"`
	Mail              string `json:"mail,omitempty"`
	AccountEnabled    *bool  `json:"accountEnabled,omitempty"`
	// Password lets the user sign in with it; it is never written back.
	Password *string `json:"password,omitempty"`
}

type appDoc struct {
	ClientID      string   `json:"clientId,omitempty"`
	DisplayName   string   `json:"displayName"`
	ClientSecrets []string `json:"clientSecrets,omitempty"`
	// Certificates are PEM certificates, each inline or the path of a
	// file relative to the tenant file's directory.
	Certificates           []string `json:"certificates,omitempty"`
	ApplicationPermissions []string `json:"applicationPermissions,omitempty"`
	DelegatedPermissions   []string `json:"delegatedPermissions,omitempty"`
	PublicClient           bool     `json:"publicClient,omitempty"`
	RedirectURIs           []string `json:"redirectUris,omitempty"`    // the web platform's, or a public client's
	SPARedirectURIs        []string `json:"spaRedirectUris,omitempty"` // the single-page application platform's
	IdentifierURIs         []string `json:"identifierUris,omitempty"`
	ExposedScopes          []string `json:"exposedScopes,omitempty"`
}

// faultRuleDoc is a fault rule (teamsops.FaultRule): fail makes the app's
// operations end failed with the error given; transient makes their first
// attempts fail.
type faultRuleDoc struct {
	ID            string `json:"id,omitempty"`
	App           string `json:"app"`                     // an app registration: clientId or displayName
	OperationType string `json:"operationType,omitempty"` // none: every type
	Action        string `json:"action"`
	ErrorCode     string `json:"errorCode,omitempty"`    // fail
	ErrorMessage  string `json:"errorMessage,omitempty"` // fail
	Attempts      *int   `json:"attempts,omitempty"`     // transient
}

type teamsAppDoc struct {
	ID          string `json:"id,omitempty"`
	ExternalID  string `json:"externalId,omitempty"`
	DisplayName string `json:"displayName"`
	Bot         string `json:"bot,omitempty"` // an app registration: clientId or displayName
}

type groupDoc struct {
	ID              string   `json:"id,omitempty"`
	DisplayName     string   `json:"displayName"`
	Description     string   `json:"description,omitempty"`
	MailNickname    string   `json:"mailNickname,omitempty"`
	Visibility      string   `json:"visibility,omitempty"`
	CreatedDateTime string   `json:"createdDateTime,omitempty"`
	Owners          []string `json:"owners,omitempty"` // users: id, userPrincipalName or its alias (before @)
	Members         []string `json:"members,omitempty"`
}

type teamDoc struct {
	ID              string       `json:"id,omitempty"`
	Group           string       `json:"group,omitempty"` // a group: id or mailNickname
	DisplayName     string       `json:"displayName,omitempty"`
	Description     string       `json:"description,omitempty"`
	MailNickname    string       `json:"mailNickname,omitempty"`
	Visibility      string       `json:"visibility,omitempty"`
	IsArchived      bool         `json:"isArchived,omitempty"`
	CreatedDateTime string       `json:"createdDateTime,omitempty"`
	Members         []memberDoc  `json:"members,omitempty"`
	Channels        []channelDoc `json:"channels,omitempty"`
	InstalledApps   []string     `json:"installedApps,omitempty"` // Teams apps: id, externalId or displayName
	Settings        *settingsDoc `json:"settings,omitempty"`
}

type channelDoc struct {
	ID                  string `json:"id,omitempty"`
	DisplayName         string `json:"displayName"`
	Description         string `json:"description,omitempty"`
	MembershipType      string `json:"membershipType,omitempty"`
	IsFavoriteByDefault bool   `json:"isFavoriteByDefault,omitempty"`
	IsArchived          bool   `json:"isArchived,omitempty"`
	CreatedDateTime     string `json:"createdDateTime,omitempty"`
}

type chatDoc struct {
	ID              string      `json:"id,omitempty"`
	ChatType        string      `json:"chatType"`
	Topic           string      `json:"topic,omitempty"`
	CreatedDateTime string      `json:"createdDateTime,omitempty"`
	Members         []memberDoc `json:"members"`
	InstalledApps   []string    `json:"installedApps,omitempty"`
}

type grantDoc struct {
	ID             string `json:"id,omitempty"`
	App            string `json:"app"`                // an app registration: clientId or displayName
	ClientID       string `json:"clientId,omitempty"` // the app's service principal in the tenant
	Chat           string `json:"chat,omitempty"`     // a chat: id or topic
	Team           string `json:"team,omitempty"`     // a team: id or displayName
	Permission     string `json:"permission"`
	PermissionType string `json:"permissionType,omitempty"`
}

type operationDoc struct {
	ID                     string    `json:"id,omitempty"`
	Chat                   string    `json:"chat,omitempty"`
	Team                   string    `json:"team,omitempty"`
	OperationType          string    `json:"operationType"`
	Status                 string    `json:"status"`
	CreatedDateTime        string    `json:"createdDateTime,omitempty"`
	LastActionDateTime     string    `json:"lastActionDateTime,omitempty"`
	AttemptsCount          *int      `json:"attemptsCount,omitempty"`
	TargetResourceID       string    `json:"targetResourceId,omitempty"`
	TargetResourceLocation string    `json:"targetResourceLocation,omitempty"`
	Values                 string    `json:"values,omitempty"`
	Error                  *errorDoc `json:"error,omitempty"`
}

type errorDoc struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// memberDoc is a member of a team or chat: a mapping with the user and
// roles, or just the user (id or userPrincipalName), which makes a chat
// member an owner, as Graph's chat members are, and a team member a plain
// member.
type memberDoc struct {
	User  string   `json:"user"`
	Roles []string `json:"roles,omitempty"`
	// short marks the plain form: its roles are the default.
	short bool
}

func (m *memberDoc) decodeNode(d *decoder, n *node, path string) {
	if n.kind == scalarNode {
		d.decode(n, refValue(&m.User), path)
		m.short = true
		return
	}
	if n.kind == nullNode {
		return
	}
	type plain memberDoc // without decodeNode
	d.decodeStruct(n, refValue((*plain)(m)), path)
}

// settingsDoc is a team's settings: a mapping of the groups in
// teamsops.TeamSettings, each a mapping of its properties. It keeps them
// as the JSON object Team.Settings holds.
type settingsDoc struct {
	json string
}

func (s *settingsDoc) decodeNode(d *decoder, n *node, path string) {
	if n.kind == nullNode {
		return
	}
	if n.kind != mappingNode {
		d.wrongType(n, path, "a mapping")
		return
	}
	groups := map[string]map[string]any{}
	var names []string
	for _, g := range teamsops.TeamSettings {
		names = append(names, g.Name)
	}
	for _, p := range n.pairs {
		at := join(path, p.key)
		i := slices.IndexFunc(teamsops.TeamSettings, func(g teamsops.TeamSettingsGroup) bool { return g.Name == p.key })
		if i < 0 {
			d.errs.placeAt(at, p.pos)
			d.unknownField(at, p.key, names)
			continue
		}
		groups[p.key] = d.settingsGroup(p.value, teamsops.TeamSettings[i], at)
	}
	var buf bytes.Buffer
	for _, g := range teamsops.TeamSettings {
		if values, ok := groups[g.Name]; ok {
			buf.WriteString(map[bool]string{true: "{", false: ","}[buf.Len() == 0])
			out, _ := json.Marshal(values) // sorted keys
			fmt.Fprintf(&buf, "%q:%s", g.Name, out)
		}
	}
	if buf.Len() > 0 {
		s.json = buf.String() + "}"
	}
}

// settingsGroup decodes one settings group, each property checked against
// its type.
func (d *decoder) settingsGroup(n *node, g teamsops.TeamSettingsGroup, path string) map[string]any {
	values := map[string]any{}
	if n.kind == nullNode {
		return values
	}
	if n.kind != mappingNode {
		d.wrongType(n, path, "a mapping")
		return values
	}
	var names []string
	for name := range g.Properties {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, p := range n.pairs {
		at := join(path, p.key)
		isString, ok := g.Properties[p.key]
		switch {
		case !ok:
			d.errs.placeAt(at, p.pos)
			d.unknownField(at, p.key, names)
		case isString:
			var v string
			d.decode(p.value, refValue(&v), at)
			values[p.key] = v
		default:
			var v bool
			d.decode(p.value, refValue(&v), at)
			values[p.key] = v
		}
	}
	return values
}

// unknownField reports a key the document does not define.
func (d *decoder) unknownField(path, key string, known []string) {
	msg := fmt.Sprintf("unknown field %q", key)
	if s := suggest(key, known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	d.errs.add(path, msg)
}

// MarshalJSON writes the settings object as stored.
func (s settingsDoc) MarshalJSON() ([]byte, error) {
	if s.json == "" {
		return []byte("{}"), nil
	}
	return []byte(s.json), nil
}

// settingsOf returns a team's settings for a document, nil for none.
func settingsOf(stored string) *settingsDoc {
	if strings.TrimSpace(stored) == "" {
		return nil
	}
	return &settingsDoc{json: stored}
}
