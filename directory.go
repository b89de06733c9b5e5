package teamsops

import "time"

// ConsumerTenantID is the tenant Microsoft Entra puts in tokens of personal
// Microsoft accounts. Graph's Teams operation APIs do not support them.
const ConsumerTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// Tenant is a Microsoft Entra tenant: the boundary no data crosses.
type Tenant struct {
	ID          string
	DisplayName string
	// VerifiedDomain is the tenant's initial verified domain, such as
	// contoso.onmicrosoft.com (organization resource, verifiedDomains).
	VerifiedDomain string
}

// User is a work or school account of a tenant.
type User struct {
	ID                string // object id
	TenantID          string
	DisplayName       string
	UserPrincipalName string
	Mail              string
	// AccountDisabled is Graph's accountEnabled negated, so that a zero
	// User is an enabled account: a disabled one cannot sign in.
	AccountDisabled bool
	// PasswordHash is the bcrypt hash of the user's password (tenant
	// files' users[].password); empty when the user has no password and
	// so cannot sign in with one.
	PasswordHash string
}

// Chat is a Teams chat (Graph's chat resource). ChatType is "oneOnOne",
// "group" or "meeting".
type Chat struct {
	ID              string
	TenantID        string
	ChatType        string
	Topic           string
	CreatedDateTime time.Time
	Members         []Member
}

// Team is a Teams team (Graph's team resource).
type Team struct {
	ID              string
	TenantID        string
	DisplayName     string
	Description     string
	IsArchived      bool
	CreatedDateTime time.Time
	Members         []Member
	// Visibility is VisibilityPrivate or VisibilityPublic ("" reads as
	// private, Graph's default for a new team).
	Visibility string
	// Settings holds the team's memberSettings, guestSettings,
	// messagingSettings, funSettings and discoverySettings as one JSON
	// object in Graph's shape, kept as the client sent it; "" is Graph's
	// defaults.
	Settings string
}

// Member is a user's membership in a chat or team. Roles holds "owner"
// for owners and is empty for plain members, as in Graph's
// conversationMember.
type Member struct {
	UserID string
	Roles  []string
	// DisplayName and Email (the user principal name) are read from the
	// user; they are ignored on writes.
	DisplayName string
	Email       string
}

// TeamsApp is an app in a tenant's Teams app catalog. ClientAppID is the
// client id of the Entra app registration behind it (its bot), if any.
type TeamsApp struct {
	ID       string
	TenantID string
	// ExternalID is the id of the app's manifest (teamsApp's externalId).
	ExternalID  string
	DisplayName string
	ClientAppID string
}

// AppInstallation is a Teams app installed in a chat or team.
type AppInstallation struct {
	ID         string
	TenantID   string
	Resource   ResourceRef
	TeamsAppID string
}

// AppRegistration is an Entra app registration: its client id, the hashes
// of its client secrets, the application permissions (app roles of Microsoft
// Graph) an admin granted it in its tenant, and the delegated permissions
// consented for its users.
type AppRegistration struct {
	ClientID    string
	TenantID    string
	DisplayName string
	// SecretHashes are the hashes of the app's client secrets: any of
	// them authenticates it, as during a secret rotation in Entra.
	SecretHashes []string
	Roles        []string
	// DelegatedScopes are the delegated permissions (scopes) consented for
	// the app's users.
	DelegatedScopes []string
	// Certificates are the public X.509 certificates, PEM-encoded, whose
	// keys may sign the app's client assertions (Entra's keyCredentials).
	Certificates []string
	// RedirectURIs are the app's web redirect URIs and SPARedirectURIs its
	// single-page-application ones, matched exactly; the token endpoint
	// answers CORS requests from the origins of the latter.
	RedirectURIs    []string
	SPARedirectURIs []string
	// PublicClient marks an app that cannot keep a secret (a CLI, a
	// desktop or mobile app): it may use the device code and password
	// grants, and redeem codes, without client credentials.
	PublicClient bool
	// IdentifierURIs (such as "api://{clientId}") and ExposedScopes (such
	// as "access_as_user") make the app an API that users' tokens can be
	// issued for, and that can exchange them on behalf of the user.
	IdentifierURIs []string
	ExposedScopes  []string
}

// PermissionGrant is Graph's resourceSpecificPermissionGrant: a
// resource-specific consent (RSC) permission an app holds on one chat or
// team (api-reference/beta/resources/resourcespecificpermissiongrant.md).
type PermissionGrant struct {
	ID             string
	TenantID       string
	Resource       ResourceRef
	ClientAppID    string
	ClientID       string // the app's service principal in the tenant
	PermissionType string // "Application" or "Delegated"
	Permission     string
}

// ResourceAccess is what authorization needs to know about one caller and
// one chat or team: whether the resource exists in the caller's tenant,
// whether the user is a member or owner of it, and which RSC permissions
// the calling app holds on it. For a user, Self says whether it is the
// signed-in user itself.
type ResourceAccess struct {
	Exists bool
	Member bool
	Owner  bool
	Self   bool
	Grants []string
}

// SigningKey is an RSA key the local issuer signs tokens with, as PKCS#8 PEM.
type SigningKey struct {
	ID        string // the JWK "kid"
	PEM       []byte
	CreatedAt time.Time
}

// Team visibilities (teamVisibilityType, api-reference/v1.0/resources/teamvisibilitytype.md),
// as a team stores them. Its group spells them "Private" and "Public".
const (
	VisibilityPrivate = "private"
	VisibilityPublic  = "public"
)

// Group is a Microsoft 365 group of the tenant's directory (Graph's group
// resource). A team's id is its group's id: "Create team" makes a group,
// and "Create team from group" (teamifyGroup) puts a team on one.
// MailNickname is unique in the tenant, ignoring ASCII case.
type Group struct {
	ID              string
	TenantID        string
	DisplayName     string
	Description     string
	MailNickname    string
	Visibility      string // "Private" or "Public", as the group resource spells them
	CreatedDateTime time.Time
	Members         []Member // owners carry the role "owner"
}

// Channel is a channel of a team (Graph's channel resource).
// MembershipType is "standard", "private" or "shared".
type Channel struct {
	ID                  string
	TenantID            string
	TeamID              string
	DisplayName         string
	Description         string
	MembershipType      string
	IsFavoriteByDefault bool
	IsArchived          bool
	CreatedDateTime     time.Time
}

// TeamSettingsGroup is one of a team's settings properties
// (memberSettings, guestSettings, …) and the properties it holds, each
// marked true when it is a string and false when it is a Boolean.
type TeamSettingsGroup struct {
	Name       string
	Properties map[string]bool
}

// TeamSettings lists a team's settings properties in the order of the team
// resource page (api-reference/v1.0/resources/team.md). Team.Settings
// holds those a team sets, as one JSON object.
var TeamSettings = []TeamSettingsGroup{
	{"memberSettings", map[string]bool{"allowCreateUpdateChannels": false, "allowCreatePrivateChannels": false,
		"allowDeleteChannels": false, "allowAddRemoveApps": false, "allowCreateUpdateRemoveTabs": false,
		"allowCreateUpdateRemoveConnectors": false}},
	{"guestSettings", map[string]bool{"allowCreateUpdateChannels": false, "allowDeleteChannels": false}},
	{"messagingSettings", map[string]bool{"allowUserEditMessages": false, "allowUserDeleteMessages": false,
		"allowOwnerDeleteMessages": false, "allowTeamMentions": false, "allowChannelMentions": false}},
	{"funSettings", map[string]bool{"allowGiphy": false, "giphyContentRating": true, "allowStickersAndMemes": false,
		"allowCustomMemes": false}},
	{"discoverySettings", map[string]bool{"showInTeamsSearchAndSuggestions": false}},
}
