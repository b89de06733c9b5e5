package tracing

// The methods of the traced store: a span each (store.go), attributes
// from their arguments. Written out, one per method of teamsops.Store,
// so that each is plain to read; a method added to the interface and not
// here is passed through untraced, by the embedded Store.

import (
	"context"
	"time"

	"github.com/teamsops/teamsops"
)

func (s *Store) Access(ctx context.Context, tenantID string, ref teamsops.ResourceRef, userID string, clientAppID string) (teamsops.ResourceAccess, error) {
	ctx, span := s.start(ctx, "Access", tenantID)
	v0, err := s.Store.Access(ctx, tenantID, ref, userID, clientAppID)
	return v0, s.end(span, err)
}

func (s *Store) Operation(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	ctx, span := s.start(ctx, "Operation", tenantID, AttrOperationID.String(id))
	v0, err := s.Store.Operation(ctx, tenantID, ref, id)
	return v0, s.endOperation(span, v0, err)
}

func (s *Store) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string, userID string, clientAppID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	ctx, span := s.start(ctx, "OperationWithAccess", tenantID, AttrOperationID.String(id))
	v0, v1, err := s.Store.OperationWithAccess(ctx, tenantID, ref, id, userID, clientAppID)
	return v0, v1, s.endOperation(span, v1, err)
}

func (s *Store) ListOperations(ctx context.Context, tenantID string, ref teamsops.ResourceRef, q teamsops.OperationQuery) ([]*teamsops.Operation, int, error) {
	ctx, span := s.start(ctx, "ListOperations", tenantID)
	v0, v1, err := s.Store.ListOperations(ctx, tenantID, ref, q)
	return v0, v1, s.end(span, err)
}

func (s *Store) OperationByID(ctx context.Context, tenantID string, id string) (*teamsops.Operation, error) {
	ctx, span := s.start(ctx, "OperationByID", tenantID, AttrOperationID.String(id))
	v0, err := s.Store.OperationByID(ctx, tenantID, id)
	return v0, s.endOperation(span, v0, err)
}

func (s *Store) Tenant(ctx context.Context, id string) (*teamsops.Tenant, error) {
	ctx, span := s.start(ctx, "Tenant", id)
	v0, err := s.Store.Tenant(ctx, id)
	return v0, s.end(span, err)
}

func (s *Store) Chat(ctx context.Context, tenantID string, id string) (*teamsops.Chat, error) {
	ctx, span := s.start(ctx, "Chat", tenantID)
	v0, err := s.Store.Chat(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) Team(ctx context.Context, tenantID string, id string) (*teamsops.Team, error) {
	ctx, span := s.start(ctx, "Team", tenantID)
	v0, err := s.Store.Team(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) AppRegistration(ctx context.Context, tenantID string, clientID string) (*teamsops.AppRegistration, error) {
	ctx, span := s.start(ctx, "AppRegistration", tenantID)
	v0, err := s.Store.AppRegistration(ctx, tenantID, clientID)
	return v0, s.end(span, err)
}

func (s *Store) PermissionGrants(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.PermissionGrant, error) {
	ctx, span := s.start(ctx, "PermissionGrants", tenantID)
	v0, err := s.Store.PermissionGrants(ctx, tenantID, ref)
	return v0, s.end(span, err)
}

func (s *Store) Group(ctx context.Context, tenantID string, id string) (*teamsops.Group, error) {
	ctx, span := s.start(ctx, "Group", tenantID)
	v0, err := s.Store.Group(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) GroupByMailNickname(ctx context.Context, tenantID string, nickname string) (*teamsops.Group, error) {
	ctx, span := s.start(ctx, "GroupByMailNickname", tenantID)
	v0, err := s.Store.GroupByMailNickname(ctx, tenantID, nickname)
	return v0, s.end(span, err)
}

func (s *Store) Channel(ctx context.Context, tenantID string, teamID string, id string) (*teamsops.Channel, error) {
	ctx, span := s.start(ctx, "Channel", tenantID)
	v0, err := s.Store.Channel(ctx, tenantID, teamID, id)
	return v0, s.end(span, err)
}

func (s *Store) Channels(ctx context.Context, tenantID string, teamID string) ([]*teamsops.Channel, error) {
	ctx, span := s.start(ctx, "Channels", tenantID)
	v0, err := s.Store.Channels(ctx, tenantID, teamID)
	return v0, s.end(span, err)
}

func (s *Store) User(ctx context.Context, tenantID string, idOrUPN string) (*teamsops.User, error) {
	ctx, span := s.start(ctx, "User", tenantID)
	v0, err := s.Store.User(ctx, tenantID, idOrUPN)
	return v0, s.end(span, err)
}

func (s *Store) TeamsApp(ctx context.Context, tenantID string, id string) (*teamsops.TeamsApp, error) {
	ctx, span := s.start(ctx, "TeamsApp", tenantID)
	v0, err := s.Store.TeamsApp(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) AppInstallations(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.AppInstallation, error) {
	ctx, span := s.start(ctx, "AppInstallations", tenantID)
	v0, err := s.Store.AppInstallations(ctx, tenantID, ref)
	return v0, s.end(span, err)
}

func (s *Store) UserChats(ctx context.Context, tenantID string, userID string) ([]*teamsops.Chat, error) {
	ctx, span := s.start(ctx, "UserChats", tenantID)
	v0, err := s.Store.UserChats(ctx, tenantID, userID)
	return v0, s.end(span, err)
}

func (s *Store) UserTeams(ctx context.Context, tenantID string, userID string) ([]*teamsops.Team, error) {
	ctx, span := s.start(ctx, "UserTeams", tenantID)
	v0, err := s.Store.UserTeams(ctx, tenantID, userID)
	return v0, s.end(span, err)
}

func (s *Store) Teams(ctx context.Context, tenantID string) ([]*teamsops.Team, error) {
	ctx, span := s.start(ctx, "Teams", tenantID)
	v0, err := s.Store.Teams(ctx, tenantID)
	return v0, s.end(span, err)
}

func (s *Store) FaultRules(ctx context.Context, tenantID string, clientAppID string) ([]*teamsops.FaultRule, error) {
	ctx, span := s.start(ctx, "FaultRules", tenantID)
	v0, err := s.Store.FaultRules(ctx, tenantID, clientAppID)
	return v0, s.end(span, err)
}

func (s *Store) Subscription(ctx context.Context, tenantID string, id string) (*teamsops.Subscription, error) {
	ctx, span := s.start(ctx, "Subscription", tenantID, AttrSubscriptionID.String(id))
	v0, err := s.Store.Subscription(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) Subscriptions(ctx context.Context, tenantID string, appID string) ([]*teamsops.Subscription, error) {
	ctx, span := s.start(ctx, "Subscriptions", tenantID)
	v0, err := s.Store.Subscriptions(ctx, tenantID, appID)
	return v0, s.end(span, err)
}

func (s *Store) PendingNotifications(ctx context.Context, tenantID string, subscriptionID string, limit int) ([]*teamsops.Notification, error) {
	ctx, span := s.start(ctx, "PendingNotifications", tenantID, AttrSubscriptionID.String(subscriptionID))
	v0, err := s.Store.PendingNotifications(ctx, tenantID, subscriptionID, limit)
	return v0, s.end(span, err)
}

func (s *Store) Deliveries(ctx context.Context, tenantID string, subscriptionID string) ([]*teamsops.Delivery, error) {
	ctx, span := s.start(ctx, "Deliveries", tenantID, AttrSubscriptionID.String(subscriptionID))
	v0, err := s.Store.Deliveries(ctx, tenantID, subscriptionID)
	return v0, s.end(span, err)
}

func (s *Store) SearchOperations(ctx context.Context, q teamsops.OperationSearch) ([]*teamsops.Operation, error) {
	ctx, span := s.start(ctx, "SearchOperations", "")
	v0, err := s.Store.SearchOperations(ctx, q)
	return v0, s.end(span, err)
}

func (s *Store) OperationHistory(ctx context.Context, tenantID string, id string) (*teamsops.History, error) {
	ctx, span := s.start(ctx, "OperationHistory", tenantID, AttrOperationID.String(id))
	v0, err := s.Store.OperationHistory(ctx, tenantID, id)
	return v0, s.end(span, err)
}

func (s *Store) PruneHistory(ctx context.Context, t time.Time) (int64, error) {
	ctx, span := s.start(ctx, "PruneHistory", "")
	v0, err := s.Store.PruneHistory(ctx, t)
	return v0, s.end(span, err)
}

func (s *Store) Tenants(ctx context.Context) ([]*teamsops.Tenant, error) {
	ctx, span := s.start(ctx, "Tenants", "")
	v0, err := s.Store.Tenants(ctx)
	return v0, s.end(span, err)
}

func (s *Store) TenantByDomain(ctx context.Context, domain string) (*teamsops.Tenant, error) {
	ctx, span := s.start(ctx, "TenantByDomain", "")
	v0, err := s.Store.TenantByDomain(ctx, domain)
	return v0, s.end(span, err)
}

func (s *Store) AddSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	ctx, span := s.start(ctx, "AddSignInGrant", g.TenantID)
	return s.end(span, s.Store.AddSignInGrant(ctx, g))
}

func (s *Store) PutSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	ctx, span := s.start(ctx, "PutSignInGrant", g.TenantID)
	return s.end(span, s.Store.PutSignInGrant(ctx, g))
}

func (s *Store) SignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	ctx, span := s.start(ctx, "SignInGrant", tenantID)
	v0, err := s.Store.SignInGrant(ctx, tenantID, kind, key)
	return v0, s.end(span, err)
}

func (s *Store) TakeSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	ctx, span := s.start(ctx, "TakeSignInGrant", tenantID)
	v0, err := s.Store.TakeSignInGrant(ctx, tenantID, kind, key)
	return v0, s.end(span, err)
}

func (s *Store) DeleteSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) error {
	ctx, span := s.start(ctx, "DeleteSignInGrant", tenantID)
	return s.end(span, s.Store.DeleteSignInGrant(ctx, tenantID, kind, key))
}

func (s *Store) PruneSignInGrants(ctx context.Context, t time.Time) (int64, error) {
	ctx, span := s.start(ctx, "PruneSignInGrants", "")
	v0, err := s.Store.PruneSignInGrants(ctx, t)
	return v0, s.end(span, err)
}

func (s *Store) CreateTenant(ctx context.Context, t *teamsops.Tenant) error {
	ctx, span := s.start(ctx, "CreateTenant", t.ID)
	return s.end(span, s.Store.CreateTenant(ctx, t))
}

func (s *Store) CreateUser(ctx context.Context, u *teamsops.User) error {
	ctx, span := s.start(ctx, "CreateUser", u.TenantID)
	return s.end(span, s.Store.CreateUser(ctx, u))
}

func (s *Store) CreateChat(ctx context.Context, c *teamsops.Chat) error {
	ctx, span := s.start(ctx, "CreateChat", c.TenantID)
	return s.end(span, s.Store.CreateChat(ctx, c))
}

func (s *Store) CreateTeam(ctx context.Context, t *teamsops.Team) error {
	ctx, span := s.start(ctx, "CreateTeam", t.TenantID)
	return s.end(span, s.Store.CreateTeam(ctx, t))
}

func (s *Store) CreateGroup(ctx context.Context, g *teamsops.Group) error {
	ctx, span := s.start(ctx, "CreateGroup", g.TenantID)
	return s.end(span, s.Store.CreateGroup(ctx, g))
}

func (s *Store) CreateChannel(ctx context.Context, c *teamsops.Channel) error {
	ctx, span := s.start(ctx, "CreateChannel", c.TenantID)
	return s.end(span, s.Store.CreateChannel(ctx, c))
}

func (s *Store) CreateTeamsApp(ctx context.Context, a *teamsops.TeamsApp) error {
	ctx, span := s.start(ctx, "CreateTeamsApp", a.TenantID)
	return s.end(span, s.Store.CreateTeamsApp(ctx, a))
}

func (s *Store) CreateAppInstallation(ctx context.Context, i *teamsops.AppInstallation) error {
	ctx, span := s.start(ctx, "CreateAppInstallation", i.TenantID)
	return s.end(span, s.Store.CreateAppInstallation(ctx, i))
}

func (s *Store) CreateAppRegistration(ctx context.Context, a *teamsops.AppRegistration) error {
	ctx, span := s.start(ctx, "CreateAppRegistration", a.TenantID)
	return s.end(span, s.Store.CreateAppRegistration(ctx, a))
}

func (s *Store) CreatePermissionGrant(ctx context.Context, g *teamsops.PermissionGrant) error {
	ctx, span := s.start(ctx, "CreatePermissionGrant", g.TenantID)
	return s.end(span, s.Store.CreatePermissionGrant(ctx, g))
}

func (s *Store) CreateOperation(ctx context.Context, op *teamsops.Operation) error {
	ctx, span := s.start(ctx, "CreateOperation", op.TenantID, AttrOperationID.String(op.ID), AttrOperationType.String(string(op.Type)))
	return s.end(span, s.Store.CreateOperation(ctx, op))
}

func (s *Store) UpdateOperation(ctx context.Context, op *teamsops.Operation) error {
	ctx, span := s.start(ctx, "UpdateOperation", op.TenantID, AttrOperationID.String(op.ID), AttrOperationType.String(string(op.Type)))
	return s.end(span, s.Store.UpdateOperation(ctx, op))
}

func (s *Store) CreateFaultRule(ctx context.Context, r *teamsops.FaultRule) error {
	ctx, span := s.start(ctx, "CreateFaultRule", r.TenantID)
	return s.end(span, s.Store.CreateFaultRule(ctx, r))
}

func (s *Store) DeleteFaultRule(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteFaultRule", tenantID)
	return s.end(span, s.Store.DeleteFaultRule(ctx, tenantID, id))
}

func (s *Store) DeleteUser(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteUser", tenantID)
	return s.end(span, s.Store.DeleteUser(ctx, tenantID, id))
}

func (s *Store) DeleteAppRegistration(ctx context.Context, tenantID string, clientID string) error {
	ctx, span := s.start(ctx, "DeleteAppRegistration", tenantID)
	return s.end(span, s.Store.DeleteAppRegistration(ctx, tenantID, clientID))
}

func (s *Store) DeleteTeamsApp(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteTeamsApp", tenantID)
	return s.end(span, s.Store.DeleteTeamsApp(ctx, tenantID, id))
}

func (s *Store) DeleteGroup(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteGroup", tenantID)
	return s.end(span, s.Store.DeleteGroup(ctx, tenantID, id))
}

func (s *Store) DeleteTeam(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteTeam", tenantID)
	return s.end(span, s.Store.DeleteTeam(ctx, tenantID, id))
}

func (s *Store) DeleteChannel(ctx context.Context, tenantID string, teamID string, id string) error {
	ctx, span := s.start(ctx, "DeleteChannel", tenantID)
	return s.end(span, s.Store.DeleteChannel(ctx, tenantID, teamID, id))
}

func (s *Store) DeleteChat(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteChat", tenantID)
	return s.end(span, s.Store.DeleteChat(ctx, tenantID, id))
}

func (s *Store) DeleteAppInstallation(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteAppInstallation", tenantID)
	return s.end(span, s.Store.DeleteAppInstallation(ctx, tenantID, id))
}

func (s *Store) DeletePermissionGrant(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeletePermissionGrant", tenantID)
	return s.end(span, s.Store.DeletePermissionGrant(ctx, tenantID, id))
}

func (s *Store) DeleteOperation(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteOperation", tenantID, AttrOperationID.String(id))
	return s.end(span, s.Store.DeleteOperation(ctx, tenantID, id))
}

func (s *Store) SetDeclared(ctx context.Context, tenantID string, entities []teamsops.Declared) error {
	ctx, span := s.start(ctx, "SetDeclared", tenantID)
	return s.end(span, s.Store.SetDeclared(ctx, tenantID, entities))
}

func (s *Store) CreateSubscription(ctx context.Context, sub *teamsops.Subscription) error {
	ctx, span := s.start(ctx, "CreateSubscription", sub.TenantID, AttrSubscriptionID.String(sub.ID))
	return s.end(span, s.Store.CreateSubscription(ctx, sub))
}

func (s *Store) DeleteSubscription(ctx context.Context, tenantID string, id string) error {
	ctx, span := s.start(ctx, "DeleteSubscription", tenantID, AttrSubscriptionID.String(id))
	return s.end(span, s.Store.DeleteSubscription(ctx, tenantID, id))
}

func (s *Store) AddNotifications(ctx context.Context, ns []*teamsops.Notification) error {
	ctx, span := s.start(ctx, "AddNotifications", "")
	return s.end(span, s.Store.AddNotifications(ctx, ns))
}

func (s *Store) DeleteNotifications(ctx context.Context, tenantID string, subscriptionID string, seqs []int64) error {
	ctx, span := s.start(ctx, "DeleteNotifications", tenantID, AttrSubscriptionID.String(subscriptionID))
	return s.end(span, s.Store.DeleteNotifications(ctx, tenantID, subscriptionID, seqs))
}

func (s *Store) RecordDelivery(ctx context.Context, d *teamsops.Delivery) error {
	ctx, span := s.start(ctx, "RecordDelivery", d.TenantID, AttrSubscriptionID.String(d.SubscriptionID))
	return s.end(span, s.Store.RecordDelivery(ctx, d))
}

func (s *Store) Update(ctx context.Context, fn func(tx teamsops.Tx) error) error {
	ctx, span := s.start(ctx, "Update", "")
	return s.end(span, s.Store.Update(ctx, fn))
}

func (s *Store) Declared(ctx context.Context, tenantID string) ([]teamsops.Declared, error) {
	ctx, span := s.start(ctx, "Declared", tenantID)
	v0, err := s.Store.Declared(ctx, tenantID)
	return v0, s.end(span, err)
}

func (s *Store) PublicURL(ctx context.Context) (string, error) {
	ctx, span := s.start(ctx, "PublicURL", "")
	v0, err := s.Store.PublicURL(ctx)
	return v0, s.end(span, err)
}

func (s *Store) SetPublicURL(ctx context.Context, url string) error {
	ctx, span := s.start(ctx, "SetPublicURL", "")
	return s.end(span, s.Store.SetPublicURL(ctx, url))
}

func (s *Store) SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error) {
	ctx, span := s.start(ctx, "SigningKeys", "")
	v0, err := s.Store.SigningKeys(ctx)
	return v0, s.end(span, err)
}

func (s *Store) EnsureSigningKey(ctx context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error) {
	ctx, span := s.start(ctx, "EnsureSigningKey", "")
	v0, err := s.Store.EnsureSigningKey(ctx, k)
	return v0, s.end(span, err)
}
