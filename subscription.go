package teamsops

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Subscription is Graph's subscription resource
// (api-reference/v1.0/resources/subscription.md) for the change
// notifications of operations — a capability Graph itself does not offer for
// teamsAsyncOperation: teamsops speaks Graph's change-notification protocol
// for it. It also keeps who subscribed (UserID, Scopes, Roles), so that
// access is checked again before every delivery.
type Subscription struct {
	ID       string
	TenantID string
	// Resource is the resource path as the client wrote it; Target is
	// what it names.
	Resource string
	Target   SubscriptionTarget
	// ChangeType is "created", "updated" or both, comma-separated.
	ChangeType               string
	NotificationURL          string
	LifecycleNotificationURL string
	ClientState              string
	ExpirationDateTime       time.Time
	// ApplicationID is the subscribing app; CreatorID the signed-in user
	// (delegated) or the app's service principal.
	ApplicationID             string
	CreatorID                 string
	IncludeResourceData       bool
	EncryptionCertificate     string // base64 DER of an X.509 certificate
	EncryptionCertificateID   string
	LatestSupportedTLSVersion string
	NotificationURLAppID      string
	NotificationQueryOptions  string
	// UserID, Scopes and Roles are the subscriber's principal as of the
	// creation or the last reauthorization.
	UserID          string
	Scopes          []string
	Roles           []string
	CreatedDateTime time.Time
	// Removed marks a subscription teamsops removed (its resource is gone,
	// its subscriber lost access): it is no longer listed or notified, and
	// is deleted once its subscriptionRemoved notification is delivered.
	Removed bool
}

// SubscriptionTarget is what a subscription's resource names: one chat's
// or team's operations (ID set), or every operation of the tenant's chats
// (Kind ResourceChat), teams (ResourceTeam) or both (Kind "") that the
// subscriber may read.
type SubscriptionTarget struct {
	Kind ResourceKind
	ID   string
}

// Matches reports whether an operation of ref falls under the target.
func (t SubscriptionTarget) Matches(ref ResourceRef) bool {
	if t.ID != "" {
		return t == SubscriptionTarget(ref)
	}
	return t.Kind == "" || t.Kind == ref.Kind
}

// Change types of an operation's notifications (subscription resource,
// changeType).
const (
	ChangeCreated = "created"
	ChangeUpdated = "updated"
)

// Lifecycle events (concepts/change-notifications-lifecycle-events.md).
const (
	LifecycleReauthorizationRequired = "reauthorizationRequired"
	LifecycleSubscriptionRemoved     = "subscriptionRemoved"
	LifecycleMissed                  = "missed"
)

// Wants reports whether the subscription asked for changeType.
func (s *Subscription) Wants(changeType string) bool {
	return slices.Contains(strings.Split(s.ChangeType, ","), changeType)
}

// Subscriber returns the principal the subscription acts for.
func (s *Subscription) Subscriber() Principal {
	return Principal{TenantID: s.TenantID, UserID: s.UserID, AppID: s.ApplicationID, Scopes: s.Scopes, Roles: s.Roles}
}

// Notification is one pending notification of a subscription, written in
// the transaction of the change that causes it and deleted once
// delivered: a change of an operation (ChangeType, with the operation as
// the change left it) or a lifecycle event (LifecycleEvent).
type Notification struct {
	Seq            int64 // assigned by the store, in the order written
	TenantID       string
	SubscriptionID string
	ChangeType     string
	LifecycleEvent string
	Operation      *Operation
	CreatedAt      time.Time
}

// Delivery is one attempt to deliver notifications to a receiver, kept in
// a short record per subscription (the newest DeliveriesKept).
type Delivery struct {
	TenantID       string
	SubscriptionID string
	At             time.Time
	Lifecycle      bool // sent to lifecycleNotificationUrl
	Notifications  int
	Attempt        int
	Status         int // the receiver's HTTP status; 0 when it did not answer
	Latency        time.Duration
	Error          string // "" when delivered
}

// DeliveriesKept is how many deliveries the store keeps per subscription.
const DeliveriesKept = 50

// SubscriptionReader reads subscriptions, their pending notifications and
// their recent deliveries.
type SubscriptionReader interface {
	// Subscription returns one subscription of the tenant, removed or not;
	// ENOTFOUND if there is none.
	Subscription(ctx context.Context, tenantID, id string) (*Subscription, error)
	// Subscriptions lists the tenant's subscriptions ordered by id: those
	// of the app appID, or all when appID is "". tenantID "" lists every
	// tenant's, for the delivery machinery only: a caller's request always
	// names its tenant.
	Subscriptions(ctx context.Context, tenantID, appID string) ([]*Subscription, error)
	// PendingNotifications returns up to limit notifications of a
	// subscription not yet delivered, oldest first.
	PendingNotifications(ctx context.Context, tenantID, subscriptionID string, limit int) ([]*Notification, error)
	// Deliveries returns a subscription's recent deliveries, newest first.
	Deliveries(ctx context.Context, tenantID, subscriptionID string) ([]*Delivery, error)
}

// SubscriptionWriter writes subscriptions and their notifications.
// CreateSubscription and DeleteSubscription note a ChangeSubscription;
// the other writes note nothing, as they change no subscription.
type SubscriptionWriter interface {
	// CreateSubscription creates or replaces a subscription.
	CreateSubscription(ctx context.Context, s *Subscription) error
	// DeleteSubscription deletes a subscription with its pending
	// notifications and deliveries; ENOTFOUND if there is none.
	DeleteSubscription(ctx context.Context, tenantID, id string) error
	// AddNotifications records notifications and assigns their Seq; a
	// subscription that does not exist is EINVALID.
	AddNotifications(ctx context.Context, ns []*Notification) error
	// DeleteNotifications deletes delivered (or dropped) notifications.
	DeleteNotifications(ctx context.Context, tenantID, subscriptionID string, seqs []int64) error
	// RecordDelivery records a delivery, keeping the newest DeliveriesKept.
	RecordDelivery(ctx context.Context, d *Delivery) error
}
