package teamsops

import "context"

// Store keeps everything teamsops knows. Every read is scoped to one tenant:
// a resource of another tenant is reported as not found, never returned.
// Implementations: package sqlite (the embedded default); package storetest
// is the conformance suite every implementation must pass.
//
// Reads return an *Error with code ENOTFOUND when the thing does not exist
// in that tenant. Creates are idempotent upserts keyed by id, so loading the
// demo tenant twice changes nothing.
type Store interface {
	// Access returns what authorization needs about userID (may be empty)
	// and the app clientAppID (may be empty) on one chat or team, in one
	// read. A missing resource is reported as Exists == false, not an error.
	Access(ctx context.Context, tenantID string, ref ResourceRef, userID, clientAppID string) (ResourceAccess, error)

	// Operation returns one operation of a chat or team.
	Operation(ctx context.Context, tenantID string, ref ResourceRef, id string) (*Operation, error)
	// ListOperations returns the operations of a chat or team that match
	// q.Filter, ordered by createdDateTime then id, paged by q.Skip and
	// q.Top, and, when q.Count is set, how many matched in all (-1 if not).
	ListOperations(ctx context.Context, tenantID string, ref ResourceRef, q OperationQuery) ([]*Operation, int, error)
	// CreateOperation records an operation.
	CreateOperation(ctx context.Context, op *Operation) error

	// Tenant, Chat, Team, AppRegistration and PermissionGrants read the
	// directory; Chat and Team include their members.
	Tenant(ctx context.Context, id string) (*Tenant, error)
	Chat(ctx context.Context, tenantID, id string) (*Chat, error)
	Team(ctx context.Context, tenantID, id string) (*Team, error)
	AppRegistration(ctx context.Context, tenantID, clientID string) (*AppRegistration, error)
	PermissionGrants(ctx context.Context, tenantID string, ref ResourceRef) ([]*PermissionGrant, error)

	// Directory writes, used by the demo loader and tests.
	CreateTenant(ctx context.Context, t *Tenant) error
	CreateUser(ctx context.Context, u *User) error
	CreateChat(ctx context.Context, c *Chat) error
	CreateTeam(ctx context.Context, t *Team) error
	CreateTeamsApp(ctx context.Context, a *TeamsApp) error
	CreateAppInstallation(ctx context.Context, i *AppInstallation) error
	CreateAppRegistration(ctx context.Context, a *AppRegistration) error
	CreatePermissionGrant(ctx context.Context, g *PermissionGrant) error

	// SigningKeys returns the local issuer's keys, newest first.
	SigningKeys(ctx context.Context) ([]*SigningKey, error)
	// EnsureSigningKey stores k unless a signing key exists already, and
	// returns the newest key. Safe when several processes start at once.
	EnsureSigningKey(ctx context.Context, k *SigningKey) (*SigningKey, error)

	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}
