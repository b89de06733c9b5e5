package service

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/webhook"
)

// Notifications is what subscriptions need besides the store: the
// handshake with receivers, and the lifecycle of each subscription
// (notification.Notifier implements it).
type Notifications interface {
	// CheckURL reports whether a URL may receive notifications.
	CheckURL(what, url string) error
	// Validate runs Graph's validation handshake against url.
	Validate(ctx context.Context, url, tlsVersion string) error
	// Scheduled is called inside the transaction that creates or renews a
	// subscription.
	Scheduled(ctx context.Context, tx teamsops.Tx, sub *teamsops.Subscription) error
}

// Limits of subscriptions. Graph bounds a subscription to a Teams resource
// to 4320 minutes (under 3 days), and asks for a lifecycleNotificationUrl
// when it lives longer than an hour (subscription resource, "Maximum
// length of subscription per resource type";
// concepts/teams-changenotifications-chat.md); teamsops applies the same
// to operations.
const (
	MaxSubscriptionLifetime = 4320 * time.Minute
	lifecycleRequiredAfter  = time.Hour
	maxClientState          = 128 // subscription resource, clientState
	maxCertificateID        = 128 // change-notifications-with-resource-data.md
)

// NewSubscription is a request to create a subscription, as the HTTP edge
// decoded it; Target is what Resource names.
type NewSubscription struct {
	Resource                  string
	Target                    teamsops.SubscriptionTarget
	ChangeType                string
	NotificationURL           string
	LifecycleNotificationURL  string
	ClientState               string
	ExpirationDateTime        time.Time
	IncludeResourceData       bool
	EncryptionCertificate     string
	EncryptionCertificateID   string
	LatestSupportedTLSVersion string
	NotificationURLAppID      string
	NotificationQueryOptions  string
}

// SubscriptionPatch is a request to update a subscription; nil fields are
// left as they are.
type SubscriptionPatch struct {
	ExpirationDateTime       *time.Time
	NotificationURL          *string
	LifecycleNotificationURL *string
}

// validate checks what needs no store and no receiver.
func (s *Service) validateSubscription(req NewSubscription) error {
	if err := validChangeType(req.ChangeType); err != nil {
		return err
	}
	if err := s.Notifications.CheckURL("notificationUrl", req.NotificationURL); err != nil {
		return err
	}
	if req.LifecycleNotificationURL != "" {
		if err := s.Notifications.CheckURL("lifecycleNotificationUrl", req.LifecycleNotificationURL); err != nil {
			return err
		}
	}
	if err := s.validExpiration(req.ExpirationDateTime, req.LifecycleNotificationURL != ""); err != nil {
		return err
	}
	switch {
	case len([]rune(req.ClientState)) > maxClientState:
		return invalid("The clientState is longer than %d characters.", maxClientState)
	case !webhook.TLSVersionValid(req.LatestSupportedTLSVersion):
		return invalid("Invalid latestSupportedTlsVersion '%s': the possible values are v1_0, v1_1, v1_2, v1_3.",
			clip(req.LatestSupportedTLSVersion))
	case identity.IsGraphAudience(req.NotificationURLAppID):
		// The validation tokens of rich notifications are issued for this
		// audience: Graph's own would make them access tokens for Graph.
		return invalid("Invalid notificationUrlAppId '%s': it must be the id of the app that receives the notifications, not Microsoft Graph's.",
			clip(req.NotificationURLAppID))
	case req.NotificationQueryOptions != "":
		// subscription resource: notificationQueryOptions is for Universal Print only.
		return invalid("notificationQueryOptions is not supported for resource '%s'.", clip(req.Resource))
	case !req.IncludeResourceData:
		return nil
	case req.EncryptionCertificate == "":
		return invalid("An encryptionCertificate is required when includeResourceData is true.")
	case req.EncryptionCertificateID == "":
		return invalid("An encryptionCertificateId is required when includeResourceData is true.")
	case len([]rune(req.EncryptionCertificateID)) > maxCertificateID:
		return invalid("The encryptionCertificateId is longer than %d characters.", maxCertificateID)
	}
	if _, err := webhook.ParseCertificate(req.EncryptionCertificate); err != nil {
		return invalid("Invalid encryptionCertificate: %v.", err)
	}
	return nil
}

// validChangeType accepts "created", "updated" or both: operations are
// never deleted.
func validChangeType(ct string) error {
	if ct == "" {
		return invalid("The changeType is required.")
	}
	for _, part := range strings.Split(ct, ",") {
		if part != teamsops.ChangeCreated && part != teamsops.ChangeUpdated {
			return invalid("Invalid changeType '%s': the supported values for operations are created and updated.", clip(part))
		}
	}
	return nil
}

func (s *Service) validExpiration(exp time.Time, lifecycle bool) error {
	now := s.now()
	switch {
	case exp.IsZero():
		return invalid("The expirationDateTime is required.")
	case !exp.After(now):
		return invalid("Subscription expiration must be in the future.")
	case exp.Sub(now) > MaxSubscriptionLifetime:
		return invalid("Subscription expiration can only be %d minutes in the future.", int(MaxSubscriptionLifetime/time.Minute))
	case exp.Sub(now) > lifecycleRequiredAfter && !lifecycle:
		// concepts/teams-changenotifications-chat.md, "Note".
		return invalid("lifecycleNotificationUrl is a required property for subscription creation on this resource when the expirationDateTime value is set to greater than 1 hour.")
	}
	return nil
}

// authorizeSubscription applies the rule of creating a subscription to
// target (authz.SubscribeOperations, authz.SubscribeAllOperations).
func (s *Service) authorizeSubscription(ctx context.Context, p teamsops.Principal, target teamsops.SubscriptionTarget) error {
	if target.ID == "" {
		return authz.Check(p, authz.SubscribeAllOperations(target.Kind), teamsops.ResourceAccess{}, teamsops.ResourceRef{})
	}
	return s.authorize(ctx, p, teamsops.ResourceRef(target), authz.SubscribeOperations(target.Kind))
}

// CreateSubscription creates a subscription ("Create subscription",
// api-reference/v1.0/api/subscription-post-subscriptions.md): the request
// is checked, the caller authorized as reading the resource requires, and
// both URLs validated by Graph's handshake before anything is stored.
// Errors: EINVALID (with Graph's message when a handshake fails),
// EFORBIDDEN, ENOTFOUND, EUNAVAILABLE without notifications.
func (s *Service) CreateSubscription(ctx context.Context, p teamsops.Principal, req NewSubscription) (*teamsops.Subscription, error) {
	if s.Notifications == nil {
		return nil, teamsops.Errorf(teamsops.EUNAVAILABLE, "Change notifications are not available.")
	}
	if err := s.validateSubscription(req); err != nil {
		return nil, err
	}
	if err := s.authorizeSubscription(ctx, p, req.Target); err != nil {
		return nil, err
	}
	// Counted before the handshake, which a full quota spares, and again
	// in the transaction that creates the subscription.
	if err := s.checkQuota(ctx, s.Store, p); err != nil {
		return nil, err
	}
	if err := s.handshake(ctx, req.NotificationURL, req.LifecycleNotificationURL, req.LatestSupportedTLSVersion); err != nil {
		return nil, err
	}
	sub := &teamsops.Subscription{
		ID: newGUID(), TenantID: p.TenantID, Resource: req.Resource, Target: req.Target,
		ChangeType: req.ChangeType, NotificationURL: req.NotificationURL,
		LifecycleNotificationURL: req.LifecycleNotificationURL, ClientState: req.ClientState,
		ExpirationDateTime: req.ExpirationDateTime.UTC(), ApplicationID: p.AppID, CreatorID: creatorID(p),
		IncludeResourceData: req.IncludeResourceData, EncryptionCertificate: req.EncryptionCertificate,
		EncryptionCertificateID: req.EncryptionCertificateID, LatestSupportedTLSVersion: req.LatestSupportedTLSVersion,
		NotificationURLAppID: req.NotificationURLAppID, CreatedDateTime: s.now(),
	}
	if sub.LatestSupportedTLSVersion == "" {
		sub.LatestSupportedTLSVersion = "v1_2" // subscription resource: Graph's default
	}
	setSubscriber(sub, p)
	err := s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if err := s.checkQuota(ctx, tx, p); err != nil {
			return err
		}
		if err := tx.CreateSubscription(ctx, sub); err != nil {
			return err
		}
		return s.Notifications.Scheduled(ctx, tx, sub)
	})
	if err != nil {
		return nil, err
	}
	return sub, nil
}

// checkQuota refuses a new subscription of p's app in p's tenant once it
// has MaxSubscriptions. Graph bounds subscriptions per app and tenant (100
// for users and groups; for Teams resources, one per app and chat or team
// and 10,000 per organization) and refuses one more with 403 Forbidden,
// the message naming the limit
// (concepts/includes/change-notifications-supported-resources-expanded.md);
// the message here takes the shape of Graph's subscription errors.
func (s *Service) checkQuota(ctx context.Context, r interface {
	Subscriptions(ctx context.Context, tenantID, appID string) ([]*teamsops.Subscription, error)
}, p teamsops.Principal) error {
	if s.MaxSubscriptions <= 0 {
		return nil
	}
	subs, err := r.Subscriptions(ctx, p.TenantID, p.AppID)
	if err != nil {
		return err
	}
	n := 0
	for _, sub := range subs {
		if !sub.Removed {
			n++
		}
	}
	if n >= s.MaxSubscriptions {
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"Operation: Create; Exception: [Status Code: Forbidden; Reason: The subscription quota has been reached: an app may have at most %d subscriptions in a tenant.]",
			s.MaxSubscriptions)
	}
	return nil
}

// handshake validates the notification URL, and the lifecycle URL when it
// is another one (concepts/change-notifications-lifecycle-events.md: both
// are validated).
func (s *Service) handshake(ctx context.Context, url, lifecycleURL, tlsVersion string) error {
	if url != "" {
		if err := s.Notifications.Validate(ctx, url, tlsVersion); err != nil {
			return err
		}
	}
	if lifecycleURL != "" && lifecycleURL != url {
		return s.Notifications.Validate(ctx, lifecycleURL, tlsVersion)
	}
	return nil
}

// creatorID is a subscription's creatorId (subscription resource): the
// signed-in user, or the app's service principal.
func creatorID(p teamsops.Principal) string {
	if p.Delegated() {
		return p.UserID
	}
	return identity.ServicePrincipalID(p.TenantID, p.AppID)
}

// setSubscriber records p as the principal the subscription acts for.
func setSubscriber(sub *teamsops.Subscription, p teamsops.Principal) {
	sub.UserID = p.UserID
	sub.Scopes = slices.Clone(p.Scopes)
	sub.Roles = slices.Clone(p.Roles)
}

// Subscription returns one of the caller's subscriptions: those its app
// created in its tenant, and for a delegated caller only those created for
// the signed-in user (api-reference/v1.0/api/subscription-list.md). Any
// other is ENOTFOUND, as if it did not exist.
func (s *Service) Subscription(ctx context.Context, p teamsops.Principal, id string) (*teamsops.Subscription, error) {
	sub, err := s.Store.Subscription(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if !owns(p, sub) {
		return nil, teamsops.Errorf(teamsops.ENOTFOUND, "The object was not found.")
	}
	return sub, nil
}

func owns(p teamsops.Principal, sub *teamsops.Subscription) bool {
	return !sub.Removed && sub.ApplicationID == p.AppID && (!p.Delegated() || sub.UserID == p.UserID)
}

// Subscriptions lists the caller's subscriptions, as Subscription scopes them.
func (s *Service) Subscriptions(ctx context.Context, p teamsops.Principal) ([]*teamsops.Subscription, error) {
	if p.PersonalAccount() {
		return nil, authz.Check(p, authz.Rule{}, teamsops.ResourceAccess{}, teamsops.ResourceRef{})
	}
	all, err := s.Store.Subscriptions(ctx, p.TenantID, p.AppID)
	if err != nil {
		return nil, err
	}
	subs := []*teamsops.Subscription{}
	for _, sub := range all {
		if owns(p, sub) {
			subs = append(subs, sub)
		}
	}
	return subs, nil
}

// UpdateSubscription renews a subscription or moves its URLs ("Update
// subscription", api-reference/v1.0/api/subscription-update.md). It also
// reauthorizes it: the caller must still be allowed to create it. A
// changed URL is validated by the handshake; a lifecycleNotificationUrl
// cannot be added to a subscription that had none
// (concepts/change-notifications-lifecycle-events.md).
func (s *Service) UpdateSubscription(ctx context.Context, p teamsops.Principal, id string, patch SubscriptionPatch) (*teamsops.Subscription, error) {
	sub, err := s.Subscription(ctx, p, id)
	if err != nil {
		return nil, err
	}
	next := *sub
	if u := patch.NotificationURL; u != nil && *u != sub.NotificationURL {
		if err := s.Notifications.CheckURL("notificationUrl", *u); err != nil {
			return nil, err
		}
		next.NotificationURL = *u
	}
	if u := patch.LifecycleNotificationURL; u != nil && *u != sub.LifecycleNotificationURL {
		if sub.LifecycleNotificationURL == "" {
			return nil, invalid("A lifecycleNotificationUrl cannot be added to an existing subscription; create a new subscription with it.")
		}
		if err := s.Notifications.CheckURL("lifecycleNotificationUrl", *u); err != nil {
			return nil, err
		}
		next.LifecycleNotificationURL = *u
	}
	if patch.ExpirationDateTime != nil {
		if err := s.validExpiration(*patch.ExpirationDateTime, next.LifecycleNotificationURL != ""); err != nil {
			return nil, err
		}
		next.ExpirationDateTime = patch.ExpirationDateTime.UTC()
	}
	if err := s.authorizeSubscription(ctx, p, sub.Target); err != nil {
		return nil, err
	}
	changedURL, changedLifecycle := "", ""
	if next.NotificationURL != sub.NotificationURL {
		changedURL = next.NotificationURL
	}
	if next.LifecycleNotificationURL != sub.LifecycleNotificationURL {
		changedLifecycle = next.LifecycleNotificationURL
	}
	if err := s.handshake(ctx, changedURL, changedLifecycle, sub.LatestSupportedTLSVersion); err != nil {
		return nil, err
	}
	setSubscriber(&next, p)
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if cur, err := tx.Subscription(ctx, p.TenantID, id); err != nil {
			return err
		} else if !owns(p, cur) {
			return teamsops.Errorf(teamsops.ENOTFOUND, "The object was not found.")
		}
		if err := tx.CreateSubscription(ctx, &next); err != nil {
			return err
		}
		if next.ExpirationDateTime.Equal(sub.ExpirationDateTime) {
			return nil
		}
		return s.Notifications.Scheduled(ctx, tx, &next)
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// ReauthorizeSubscription answers a reauthorizationRequired challenge
// (api-reference/v1.0/api/subscription-reauthorize.md): the caller must
// still be allowed to create the subscription, whose principal becomes the
// caller's; its expiration does not change.
func (s *Service) ReauthorizeSubscription(ctx context.Context, p teamsops.Principal, id string) error {
	sub, err := s.Subscription(ctx, p, id)
	if err != nil {
		return err
	}
	if err := s.authorizeSubscription(ctx, p, sub.Target); err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx teamsops.Tx) error {
		cur, err := tx.Subscription(ctx, p.TenantID, id)
		if err != nil {
			return err
		} else if !owns(p, cur) {
			return teamsops.Errorf(teamsops.ENOTFOUND, "The object was not found.")
		}
		setSubscriber(cur, p)
		return tx.CreateSubscription(ctx, cur)
	})
}

// DeleteSubscription deletes one of the caller's subscriptions ("Delete
// subscription", api-reference/v1.0/api/subscription-delete.md), with what
// it had pending.
func (s *Service) DeleteSubscription(ctx context.Context, p teamsops.Principal, id string) error {
	if _, err := s.Subscription(ctx, p, id); err != nil {
		return err
	}
	return s.Store.DeleteSubscription(ctx, p.TenantID, id)
}
