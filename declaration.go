package teamsops

// Declaration is one tenant and everything in it that a tenant file
// declares: plain domain values, every id filled in, every reference
// resolved to an id. Package tenantfile reads one from a file; applying it
// brings the tenant in the store to what it says.
type Declaration struct {
	Tenant           Tenant
	Users            []*User
	AppRegistrations []*AppRegistration
	// ClientSecrets holds each app registration's client secrets in plain
	// text, by client id: a file states them, the store keeps only their
	// hashes (AppRegistration.SecretHashes).
	ClientSecrets map[string][]string
	// Passwords holds users' passwords in plain text, by user id: a file
	// states them, the store keeps only their hashes (User.PasswordHash).
	Passwords map[string]string
	// FaultRules fail operations of apps of AppRegistrations on purpose.
	FaultRules []*FaultRule
	TeamsApps  []*TeamsApp
	Groups     []*Group
	// Teams have a group of the same id among Groups.
	Teams []*Team
	// Channels belong to Teams; every team has a General channel.
	Channels         []*Channel
	Chats            []*Chat
	AppInstallations []*AppInstallation
	PermissionGrants []*PermissionGrant
	// Operations are recorded as declared, in any status; nothing runs
	// them.
	Operations []*Operation
}

// DeclaredKind names a kind of entity a tenant file declares.
type DeclaredKind string

// Kinds of declared entities, in the order they are written: an entity
// may refer to those of earlier kinds only.
const (
	DeclaredUser            DeclaredKind = "user"
	DeclaredAppRegistration DeclaredKind = "appRegistration"
	DeclaredFaultRule       DeclaredKind = "faultRule"
	DeclaredTeamsApp        DeclaredKind = "teamsApp"
	DeclaredGroup           DeclaredKind = "group"
	DeclaredTeam            DeclaredKind = "team"
	DeclaredChannel         DeclaredKind = "channel"
	DeclaredChat            DeclaredKind = "chat"
	DeclaredAppInstallation DeclaredKind = "appInstallation"
	DeclaredPermissionGrant DeclaredKind = "permissionGrant"
	DeclaredOperation       DeclaredKind = "operation"
)

// DeclaredKinds lists every DeclaredKind in writing order.
var DeclaredKinds = []DeclaredKind{
	DeclaredUser, DeclaredAppRegistration, DeclaredFaultRule, DeclaredTeamsApp, DeclaredGroup, DeclaredTeam,
	DeclaredChannel, DeclaredChat, DeclaredAppInstallation, DeclaredPermissionGrant, DeclaredOperation,
}

// Declared is one entity the last applied tenant file of a tenant
// declared: what the next apply compares the new file with, to skip what
// did not change and delete what the file no longer lists.
type Declared struct {
	Kind DeclaredKind
	// Parent is the team of a channel, or the chat or team of an app
	// installation, permission grant or operation; empty otherwise.
	Parent ResourceRef
	ID     string
	// Digest identifies the declaration the entity was written from.
	Digest string
}
