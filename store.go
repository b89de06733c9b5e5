package teamsops

import (
	"context"
	"time"
)

// Store keeps everything teamsops knows. Every read is scoped to one tenant:
// a resource of another tenant is reported as not found, never returned.
// Implementations: package sqlite (the embedded default) and package
// postgres (for several replicas); package storetest is the conformance
// suite every implementation must pass.
//
// Reads return an *Error with code ENOTFOUND when the thing does not exist
// in that tenant. Creates are idempotent upserts keyed by id, so loading the
// demo tenant twice changes nothing.
type Store interface {
	// Access returns what authorization needs about userID (may be empty)
	// and the app clientAppID (may be empty) on one chat, team or group,
	// in one read. A missing resource is reported as Exists == false, not
	// an error.
	//
	// For a team, the group of the same id stands in for it: a team exists
	// when its row or its group does, and a user is a member (owner) when
	// listed (as owner) in either. So the operation that creates a team
	// can be polled under /teams/{id} before the team itself is written.
	// For a group, only the group and its members count.
	Access(ctx context.Context, tenantID string, ref ResourceRef, userID, clientAppID string) (ResourceAccess, error)

	// Operation returns one operation of a chat or team.
	Operation(ctx context.Context, tenantID string, ref ResourceRef, id string) (*Operation, error)
	// OperationWithAccess is Access and Operation at once — what a GET of
	// an operation reads — in one round trip to the database. The
	// operation is nil, without an error, when it does not exist there.
	OperationWithAccess(ctx context.Context, tenantID string, ref ResourceRef, id, userID, clientAppID string) (ResourceAccess, *Operation, error)
	// ListOperations returns the operations of a chat or team that match
	// q.Filter, ordered by createdDateTime then id, paged by q.Skip and
	// q.Top, and, when q.Count is set, how many matched in all (-1 if not).
	ListOperations(ctx context.Context, tenantID string, ref ResourceRef, q OperationQuery) ([]*Operation, int, error)
	// OperationByID returns an operation of the tenant by id alone, for the
	// engine, whose jobs name an operation but not its resource.
	OperationByID(ctx context.Context, tenantID, id string) (*Operation, error)

	// Tenant, Chat, Team, AppRegistration and PermissionGrants read the
	// directory; Chat and Team include their members.
	Tenant(ctx context.Context, id string) (*Tenant, error)
	Chat(ctx context.Context, tenantID, id string) (*Chat, error)
	Team(ctx context.Context, tenantID, id string) (*Team, error)
	AppRegistration(ctx context.Context, tenantID, clientID string) (*AppRegistration, error)
	PermissionGrants(ctx context.Context, tenantID string, ref ResourceRef) ([]*PermissionGrant, error)

	// Group returns a group of the tenant with its members.
	Group(ctx context.Context, tenantID, id string) (*Group, error)
	// GroupByMailNickname returns the group of the tenant whose
	// mailNickname equals nickname, ignoring ASCII case.
	GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*Group, error)
	// Channel returns one channel of a team; ENOTFOUND if the team or the
	// channel does not exist.
	Channel(ctx context.Context, tenantID, teamID, id string) (*Channel, error)
	// Channels lists a team's channels ordered by createdDateTime, then
	// id; ENOTFOUND if the team does not exist.
	Channels(ctx context.Context, tenantID, teamID string) ([]*Channel, error)

	// User returns a user of the tenant by object id or, case-insensitively,
	// by user principal name.
	User(ctx context.Context, tenantID, idOrUPN string) (*User, error)
	// TeamsApp returns an app of the tenant's Teams app catalog.
	TeamsApp(ctx context.Context, tenantID, id string) (*TeamsApp, error)
	// AppInstallations lists the apps installed in a chat or team, ordered
	// by id; ENOTFOUND if the chat or team does not exist.
	AppInstallations(ctx context.Context, tenantID string, ref ResourceRef) ([]*AppInstallation, error)

	// UserChats lists the chats userID is a member of, with their
	// members, ordered by createdDateTime, then id. A user without chats,
	// or unknown, has none.
	UserChats(ctx context.Context, tenantID, userID string) ([]*Chat, error)
	// UserTeams lists the teams userID is a direct member of, with their
	// members, ordered by createdDateTime, then id.
	UserTeams(ctx context.Context, tenantID, userID string) ([]*Team, error)
	// Teams lists every team of the tenant, with their members, ordered by
	// createdDateTime, then id.
	Teams(ctx context.Context, tenantID string) ([]*Team, error)

	// FaultRules lists the tenant's fault rules for the app clientAppID,
	// or all of them when it is empty, ordered by id.
	FaultRules(ctx context.Context, tenantID, clientAppID string) ([]*FaultRule, error)
	// SubscriptionReader reads change-notification subscriptions.
	SubscriptionReader

	// SearchOperations lists the operations of every tenant, or of
	// q.TenantID, that match q, newest first (OperationCursor's order),
	// each with its Origin when one was recorded: the dashboard's table.
	// Reads of one page stay fast however many operations there are.
	SearchOperations(ctx context.Context, q OperationSearch) ([]*Operation, error)
	// OperationHistory returns what was recorded of an operation's life
	// and not pruned yet; an operation without a record has an empty
	// History, not an error.
	OperationHistory(ctx context.Context, tenantID, id string) (*History, error)
	// PruneHistory deletes the history recorded before t, and returns how
	// many transitions it deleted. It may keep some recorded slightly
	// before t, for the next prune: it never deletes one recorded after.
	PruneHistory(ctx context.Context, t time.Time) (int64, error)
	// Tenants lists every tenant, ordered by id.
	Tenants(ctx context.Context) ([]*Tenant, error)
	// TenantByDomain finds the tenant a user name's domain belongs to, as
	// Entra's /common and /organizations endpoints do: the tenant whose
	// VerifiedDomain is domain (ignoring ASCII case), or else the one
	// tenant with users whose user principal names end in "@"+domain.
	// ENOTFOUND when none is, or more than one tenant has such users.
	TenantByDomain(ctx context.Context, domain string) (*Tenant, error)

	// SignInGrants keeps the token service's codes, refresh tokens and
	// sessions, so that every replica honours them.
	SignInGrants

	// Writer's methods each commit on their own.
	Writer
	// Update runs fn in one write transaction: everything fn writes through
	// the Tx commits together when fn returns nil, and nothing does when it
	// returns an error. fn may run more than once (PostgreSQL runs an
	// update again when the database broke a deadlock by failing it); only
	// the last run's writes commit, so fn must do nothing outside the Tx
	// that it could not do again (no request to another service, no
	// counting of its own).
	Update(ctx context.Context, fn func(tx Tx) error) error

	// Declared returns what the tenant file last applied to the tenant
	// declared (nothing if none was), in the order of DeclaredKinds.
	Declared(ctx context.Context, tenantID string) ([]Declared, error)

	// PublicURL returns the public base URL the last server started on
	// this database recorded (SetPublicURL), or "" if none did.
	PublicURL(ctx context.Context) (string, error)
	// SetPublicURL records the public base URL of a server starting on
	// this database, so that tools such as "teamsops token" build the
	// same token issuer without being told.
	SetPublicURL(ctx context.Context, url string) error

	// SigningKeys returns the local issuer's keys, newest first.
	SigningKeys(ctx context.Context) ([]*SigningKey, error)
	// EnsureSigningKey stores k unless a signing key exists already, and
	// returns the newest key. Safe when several processes start at once.
	EnsureSigningKey(ctx context.Context, k *SigningKey) (*SigningKey, error)

	// Watch registers fn to hear of every change committed to the store's
	// database: by this process, right after its commit; by other
	// processes (other replicas on PostgreSQL, "teamsops apply" on a SQLite
	// file) as soon as the store learns of them. When changes may have been
	// missed, fn hears a ChangeReset. fn must not block: it runs on the
	// goroutine that committed. The returned function unregisters fn.
	Watch(fn func(Change)) (cancel func())

	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Writer writes the directory and operations. Creates are idempotent
// upserts keyed by id.
type Writer interface {
	CreateTenant(ctx context.Context, t *Tenant) error
	CreateUser(ctx context.Context, u *User) error
	// CreateChat also replaces the chat's member list.
	CreateChat(ctx context.Context, c *Chat) error
	// CreateTeam also replaces the team's member list.
	CreateTeam(ctx context.Context, t *Team) error
	// CreateGroup also replaces the group's member list. A mailNickname
	// another group of the tenant holds (ignoring ASCII case) is ECONFLICT.
	CreateGroup(ctx context.Context, g *Group) error
	// CreateChannel creates or updates a channel of an existing team (a
	// missing team is EINVALID).
	CreateChannel(ctx context.Context, c *Channel) error
	CreateTeamsApp(ctx context.Context, a *TeamsApp) error
	// CreateAppInstallation installs an app in a chat or team; installing
	// the same app in the same resource again under the same id changes
	// nothing, under another id it is ECONFLICT.
	CreateAppInstallation(ctx context.Context, i *AppInstallation) error
	CreateAppRegistration(ctx context.Context, a *AppRegistration) error
	CreatePermissionGrant(ctx context.Context, g *PermissionGrant) error
	// CreateOperation records an operation, and its first transition in
	// its history, with op.Origin.
	CreateOperation(ctx context.Context, op *Operation) error
	// UpdateOperation writes an existing operation's status,
	// lastActionDateTime, attemptsCount, target and error, and records
	// the transition (with op.AttemptError) in its history; ENOTFOUND if
	// there is none with op's tenant and id.
	UpdateOperation(ctx context.Context, op *Operation) error
	// CreateFaultRule creates or replaces a fault rule (EINVALID if it does
	// not validate, or its tenant does not exist).
	CreateFaultRule(ctx context.Context, r *FaultRule) error
	// DeleteFaultRule deletes a fault rule; ENOTFOUND if there is none.
	DeleteFaultRule(ctx context.Context, tenantID, id string) error

	// The deletes below remove what an edited tenant file no longer
	// declares. Deleting what does not exist changes nothing.

	// DeleteUser deletes a user and its memberships in chats, teams and
	// groups.
	DeleteUser(ctx context.Context, tenantID, id string) error
	// DeleteAppRegistration deletes an app registration, its RSC grants
	// and its fault rules.
	DeleteAppRegistration(ctx context.Context, tenantID, clientID string) error
	// DeleteTeamsApp deletes an app of the catalog and its installations.
	DeleteTeamsApp(ctx context.Context, tenantID, id string) error
	// DeleteGroup deletes a group and its members; a team of the same id
	// stays.
	DeleteGroup(ctx context.Context, tenantID, id string) error
	// DeleteTeam deletes a team with its members, channels, installed apps
	// and RSC grants; its group and its operations stay.
	DeleteTeam(ctx context.Context, tenantID, id string) error
	// DeleteChannel deletes a channel of a team.
	DeleteChannel(ctx context.Context, tenantID, teamID, id string) error
	// DeleteChat deletes a chat with its members, installed apps and RSC
	// grants; its operations stay.
	DeleteChat(ctx context.Context, tenantID, id string) error
	// DeleteAppInstallation deletes one installation of a Teams app.
	DeleteAppInstallation(ctx context.Context, tenantID, id string) error
	// DeletePermissionGrant deletes one RSC grant.
	DeletePermissionGrant(ctx context.Context, tenantID, id string) error
	// DeleteOperation deletes one operation and its history; a job that
	// runs it is the engine's to delete.
	DeleteOperation(ctx context.Context, tenantID, id string) error
	// SetDeclared records that the tenant file applied to the tenant
	// declared exactly entities (Store.Declared).
	SetDeclared(ctx context.Context, tenantID string, entities []Declared) error

	SubscriptionWriter
}

// Tx is one write transaction of a Store.
type Tx interface {
	Writer
	// OperationByID, Chat, Team, Group, GroupByMailNickname, Channel,
	// Channels, AppInstallations, AppRegistration and Declared read inside
	// the transaction, as the Store's methods of the same names do.
	OperationByID(ctx context.Context, tenantID, id string) (*Operation, error)
	Chat(ctx context.Context, tenantID, id string) (*Chat, error)
	Team(ctx context.Context, tenantID, id string) (*Team, error)
	Group(ctx context.Context, tenantID, id string) (*Group, error)
	GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*Group, error)
	Channel(ctx context.Context, tenantID, teamID, id string) (*Channel, error)
	Channels(ctx context.Context, tenantID, teamID string) ([]*Channel, error)
	AppInstallations(ctx context.Context, tenantID string, ref ResourceRef) ([]*AppInstallation, error)
	// FaultRules reads inside the transaction, as the Store's method does.
	FaultRules(ctx context.Context, tenantID, clientAppID string) ([]*FaultRule, error)
	AppRegistration(ctx context.Context, tenantID, clientID string) (*AppRegistration, error)
	Declared(ctx context.Context, tenantID string) ([]Declared, error)
	// DeleteTenant deletes the tenant and every row of it, in every table
	// of the store; it is not visible to the transaction's reads
	// afterwards. Only in a transaction: the caller deletes the tenant's
	// jobs in the same one (engine.Runner.DeleteTenantJobs).
	DeleteTenant(ctx context.Context, tenantID string) error
	// Subscription reads a subscription inside the transaction; on
	// PostgreSQL it locks its row until the transaction ends, so that a
	// delivery that finds nothing pending cannot miss a notification
	// another transaction is adding (that insert waits for the lock).
	Subscription(ctx context.Context, tenantID, id string) (*Subscription, error)
	// Subscriptions and PendingNotifications read inside the transaction,
	// as the Store's methods of the same names do: a read on another
	// connection while this transaction writes may wait for it (an
	// in-memory SQLite database locks readers out of a writing one).
	Subscriptions(ctx context.Context, tenantID, appID string) ([]*Subscription, error)
	// LockSubscriptions returns those of ids that exist in the tenant,
	// and keeps them from being deleted until the transaction ends (on
	// PostgreSQL, FOR KEY SHARE: writers of notifications do not wait for
	// each other, a delivery that finishes or a deletion waits for them).
	LockSubscriptions(ctx context.Context, tenantID string, ids []string) ([]string, error)
	PendingNotifications(ctx context.Context, tenantID, subscriptionID string, limit int) ([]*Notification, error)
	// Driver returns the database driver's own transaction (*sql.Tx for
	// SQLite, pgx.Tx for PostgreSQL), so that the job queue can insert a
	// job in the same transaction as the operation it runs.
	Driver() any
}
