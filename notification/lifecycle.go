package notification

import (
	"context"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/teamsops/teamsops"
)

// Lifecycle of a subscription (concepts/change-notifications-lifecycle-events.md):
// reauthorizationRequired before it expires and when its app's
// permissions were narrowed; removal (subscriptionRemoved) when its
// subscriber may no longer read its resource; deletion when it expires.

// Timer events.
const (
	eventReauthorize = "reauthorize"
	eventExpire      = "expire"
)

// timerArgs schedule one event of a subscription's lifecycle for the
// expiration it had when the event was scheduled: a renewal schedules new
// ones, and the old ones find the expiration changed and do nothing.
type timerArgs struct {
	TenantID       string `json:"tenant_id"`
	SubscriptionID string `json:"subscription_id"`
	Event          string `json:"event"`
	Expiration     int64  `json:"expiration"` // Unix nanoseconds
}

// Kind names the job kind in River's tables.
func (timerArgs) Kind() string { return "teamsops.subscription_timer" }

// reauthorizeLead is how long before its expiration a subscription hears
// reauthorizationRequired: a quarter of its lifetime, at most 15 minutes
// (Graph sends the challenge ahead of expiry, more often as it nears).
func reauthorizeLead(lifetime time.Duration) time.Duration { return min(lifetime/4, 15*time.Minute) }

// Scheduled is called inside tx, the transaction that creates or renews
// sub: it schedules its reauthorizationRequired notification and its
// expiry.
func (n *Notifier) Scheduled(ctx context.Context, tx teamsops.Tx, sub *teamsops.Subscription) error {
	exp := sub.ExpirationDateTime
	args := timerArgs{TenantID: sub.TenantID, SubscriptionID: sub.ID, Event: eventExpire, Expiration: exp.UnixNano()}
	if err := n.jobs.InsertTx(ctx, tx, args, &river.InsertOpts{Queue: queue, ScheduledAt: exp}); err != nil {
		return err
	}
	if sub.LifecycleNotificationURL == "" {
		return nil
	}
	args.Event = eventReauthorize
	at := exp.Add(-reauthorizeLead(exp.Sub(n.now())))
	return n.jobs.InsertTx(ctx, tx, args, &river.InsertOpts{Queue: queue, ScheduledAt: at})
}

// timer is the worker of timerArgs.
type timer struct {
	river.WorkerDefaults[timerArgs]
	n *Notifier
}

// Work carries out the event, if the subscription still expires when it
// did when the event was scheduled.
func (t *timer) Work(ctx context.Context, job *river.Job[timerArgs]) error {
	n, a := t.n, job.Args
	return n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		sub, err := tx.Subscription(ctx, a.TenantID, a.SubscriptionID)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if sub.ExpirationDateTime.UnixNano() != a.Expiration || sub.Removed {
			return nil // renewed since, or removed
		}
		if a.Event == eventExpire {
			// Graph deletes a subscription that was not renewed in time
			// (concepts/change-notifications-delivery-webhooks.md).
			return tx.DeleteSubscription(ctx, sub.TenantID, sub.ID)
		}
		return n.addLifecycle(ctx, tx, sub, teamsops.LifecycleReauthorizationRequired)
	})
}

// addLifecycle writes a lifecycle notification of sub inside tx and
// schedules its delivery.
func (n *Notifier) addLifecycle(ctx context.Context, tx teamsops.Tx, sub *teamsops.Subscription, event string) error {
	err := tx.AddNotifications(ctx, []*teamsops.Notification{{TenantID: sub.TenantID, SubscriptionID: sub.ID,
		LifecycleEvent: event, CreatedAt: n.now()}})
	if err != nil {
		return err
	}
	return n.schedule(ctx, tx, sub.TenantID, sub.ID)
}

// remove removes a subscription teamsops may no longer serve: it is marked
// removed, sends nothing but its subscriptionRemoved notification, and is
// deleted once that is delivered — at once if it has no
// lifecycleNotificationUrl.
func (n *Notifier) remove(ctx context.Context, tenantID, id, why string) error {
	return n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		sub, err := tx.Subscription(ctx, tenantID, id)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil
		} else if err != nil || sub.Removed {
			return err
		}
		n.log.InfoContext(ctx, "subscription removed", "subscription_id", id, "tenant_id", tenantID, "reason", why)
		if sub.LifecycleNotificationURL == "" {
			return tx.DeleteSubscription(ctx, tenantID, id)
		}
		sub.Removed = true
		if err := tx.CreateSubscription(ctx, sub); err != nil {
			return err
		}
		return n.addLifecycle(ctx, tx, sub, teamsops.LifecycleSubscriptionRemoved)
	})
}

// deleteSubscription deletes an expired subscription.
func (n *Notifier) deleteSubscription(ctx context.Context, sub *teamsops.Subscription) error {
	err := n.cfg.Store.DeleteSubscription(ctx, sub.TenantID, sub.ID)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil
	}
	return err
}

// recheckArgs ask for the subscriptions of a tenant ("" every tenant) to
// be checked again: all of them, or those on one chat or team.
type recheckArgs struct {
	TenantID string                `json:"tenant_id"`
	Resource *teamsops.ResourceRef `json:"resource,omitempty"`
}

// Kind names the job kind in River's tables.
func (recheckArgs) Kind() string { return "teamsops.subscription_recheck" }

// recheckLater schedules a recheck from a Watch callback, which must not
// block. Every replica hears a change and schedules its own; a recheck
// decides inside a transaction that locks the subscription, so doing it
// twice changes nothing.
func (n *Notifier) recheckLater(tenantID string, ref *teamsops.ResourceRef) {
	n.mu.Lock()
	jobs := n.jobs
	n.mu.Unlock()
	if jobs == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Most tenants have no subscriptions: no job for them.
		if subs, err := n.cfg.Store.Subscriptions(ctx, tenantID, ""); err == nil && len(subs) == 0 {
			return
		}
		if err := jobs.Insert(ctx, recheckArgs{TenantID: tenantID, Resource: ref}, &river.InsertOpts{Queue: queue}); err != nil {
			n.log.Warn("notification: could not schedule a recheck of subscriptions", "tenant_id", tenantID, "error", err)
		}
	}()
}

// rechecker is the worker of recheckArgs.
type rechecker struct {
	river.WorkerDefaults[recheckArgs]
	n *Notifier
}

// Work checks each subscription concerned: one whose subscriber lost
// access is removed; one whose app lost some of its permissions but may
// still read the resource hears reauthorizationRequired.
func (r *rechecker) Work(ctx context.Context, job *river.Job[recheckArgs]) error {
	n := r.n
	subs, err := n.cfg.Store.Subscriptions(ctx, job.Args.TenantID, "")
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if sub.Removed || (job.Args.Resource != nil && sub.Target != teamsops.SubscriptionTarget(*job.Args.Resource)) {
			continue
		}
		if err := n.recheck(ctx, sub.TenantID, sub.ID); err != nil {
			return err
		}
	}
	return nil
}

// recheck checks one subscription again. Access is read before the
// transaction that acts on it (reads on another connection while one
// writes may wait for it); the transaction then acts only if the
// subscription is as it was read, so replicas that recheck together act
// once.
func (n *Notifier) recheck(ctx context.Context, tenantID, id string) error {
	sub, err := n.cfg.Store.Subscription(ctx, tenantID, id)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil
	} else if err != nil || sub.Removed {
		return err
	}
	p, revoked, err := n.subscriber(ctx, sub)
	if err != nil {
		return err
	}
	ok, err := n.subscriptionAllowed(ctx, sub, p)
	switch {
	case err != nil:
		return err
	case !ok:
		return n.remove(ctx, tenantID, id, "the subscriber lost access to the resource")
	case !revoked:
		return nil
	}
	// Still allowed, on fewer permissions: its access is in doubt until
	// the app reauthorizes it (lifecycle events page,
	// "reauthorizationRequired notifications").
	return n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		cur, err := tx.Subscription(ctx, tenantID, id)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil
		} else if err != nil || cur.Removed || !slices.Equal(cur.Roles, sub.Roles) {
			return err // removed or changed since it was read
		}
		cur.Roles = p.Roles
		if err := tx.CreateSubscription(ctx, cur); err != nil || cur.LifecycleNotificationURL == "" {
			return err
		}
		return n.addLifecycle(ctx, tx, cur, teamsops.LifecycleReauthorizationRequired)
	})
}
