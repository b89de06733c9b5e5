package notification

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/teamsops/teamsops"
)

// deliverArgs name the subscription a delivery job sends for.
type deliverArgs struct {
	TenantID       string `json:"tenant_id"`
	SubscriptionID string `json:"subscription_id"`
}

// Kind names the job kind in River's tables.
func (deliverArgs) Kind() string { return "teamsops.delivery" }

// deliverOpts makes a delivery job unique per subscription while it is
// pending, running or waiting for a retry: one delivery of a subscription
// at a time, in all replicas together, which also bounds what one
// receiver is sent at once. A notification written meanwhile is sent by
// the job already there, which reads what is pending before it finishes.
func deliverOpts() *river.InsertOpts {
	return &river.InsertOpts{
		Queue: queue,
		// The job itself drops what is older than RetryFor; River must not
		// give up first.
		MaxAttempts: 100000,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled,
		}},
	}
}

// batchSize is how many notifications one POST carries at most. A run
// starts no new batch after runFor and is cut at runTimeout, well before
// River would take the job for stuck and hand it to another replica (the
// engine's RescueStuckJobsAfter, 20 s): a batch is at most two POSTs of at
// most 3 s each.
const (
	linger     = 100 * time.Millisecond
	batchSize  = 100
	runFor     = 5 * time.Second
	runTimeout = 15 * time.Second
)

// deliverer is the worker of delivery jobs.
type deliverer struct {
	river.WorkerDefaults[deliverArgs]
	n *Notifier
}

// Timeout bounds one run.
func (d *deliverer) Timeout(*river.Job[deliverArgs]) time.Duration { return runTimeout }

// NextRetry backs off from RetryMin, doubling to RetryMax.
func (d *deliverer) NextRetry(job *river.Job[deliverArgs]) time.Time {
	wait := d.n.cfg.RetryMin
	for i := 1; i < job.Attempt && wait < d.n.cfg.RetryMax; i++ {
		wait *= 2
	}
	return time.Now().Add(min(wait, d.n.cfg.RetryMax))
}

// busy reports whether the receivers of the subscription's URLs are all
// busy, and how long to wait then.
func (n *Notifier) busy(sub *teamsops.Subscription) (time.Duration, bool) {
	wait, busy := n.recv.busy(receiverKey(sub.NotificationURL))
	if !busy || sub.LifecycleNotificationURL == "" || sub.LifecycleNotificationURL == sub.NotificationURL {
		return wait, busy
	}
	lifeWait, lifeBusy := n.recv.busy(receiverKey(sub.LifecycleNotificationURL))
	return min(wait, lifeWait), lifeBusy
}

// errUndelivered is a delivery that failed: River tries again later.
var errUndelivered = errors.New("notification: not delivered")

// Work sends what the subscription has pending until nothing is, then
// completes the job in the transaction that finds nothing pending.
func (d *deliverer) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	n, a := d.n, job.Args
	// A run lingers a moment before it reads what is pending, so that
	// changes that come in bursts (an operation's creation and start)
	// travel in one POST and one write transaction: on SQLite, fewer
	// writers waiting for its one lock is what keeps requests from
	// starving. Graph batches too ("Several changes may be batched").
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(linger):
	}
	started := time.Now()
	for time.Since(started) < runFor {
		sub, err := n.cfg.Store.Subscription(ctx, a.TenantID, a.SubscriptionID)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nil // deleted, with everything it had pending
		} else if err != nil {
			return err
		}
		if !sub.Removed && !sub.ExpirationDateTime.After(n.now()) {
			// An expired subscription is deleted, as Graph deletes it.
			return n.deleteSubscription(ctx, sub)
		}
		if wait, busy := n.busy(sub); busy {
			// Its receivers are busy with other subscriptions: give the
			// worker back to other receivers' deliveries.
			return river.JobSnooze(wait)
		}
		pending, err := n.cfg.Store.PendingNotifications(ctx, a.TenantID, a.SubscriptionID, batchSize)
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			done, err := d.finish(ctx, job)
			if done || err != nil {
				return err
			}
			continue
		}
		if done, err := n.deliver(ctx, sub, pending, job); done || err != nil {
			return err
		}
	}
	// More remains: run again at once, still the one job of the subscription.
	return river.JobSnooze(time.Millisecond)
}

// finish completes the job if nothing is pending, in a transaction of its
// own (completeIfDrained).
func (d *deliverer) finish(ctx context.Context, job *river.Job[deliverArgs]) (bool, error) {
	done := false
	err := d.n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		var err error
		done, err = d.n.completeIfDrained(ctx, tx, job)
		return err
	})
	return done, err
}

// completeIfDrained completes the job inside tx if its subscription has
// nothing pending. It first locks the subscription, so that a notification
// committed while it decides is seen (teamsops.Tx.Subscription). A removed
// subscription whose lifecycle notifications are all sent is deleted then.
func (n *Notifier) completeIfDrained(ctx context.Context, tx teamsops.Tx, job *river.Job[deliverArgs]) (bool, error) {
	a := job.Args
	sub, err := tx.Subscription(ctx, a.TenantID, a.SubscriptionID)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return true, n.jobs.CompleteTx(ctx, tx, job.JobRow)
	} else if err != nil {
		return false, err
	}
	pending, err := tx.PendingNotifications(ctx, a.TenantID, a.SubscriptionID, 1)
	if err != nil || len(pending) > 0 {
		return false, err
	}
	if sub.Removed {
		if err := tx.DeleteSubscription(ctx, a.TenantID, a.SubscriptionID); err != nil {
			return false, err
		}
	}
	return true, n.jobs.CompleteTx(ctx, tx, job.JobRow)
}

// deliver sends one batch: the change notifications to notificationUrl and
// the lifecycle notifications to lifecycleNotificationUrl. Notifications
// older than RetryFor are dropped first (and the subscriber hears
// "missed"); a change the subscriber may no longer read is never sent.
// done reports that the batch was the last and the job is completed.
func (n *Notifier) deliver(ctx context.Context, sub *teamsops.Subscription, pending []*teamsops.Notification, job *river.Job[deliverArgs]) (done bool, err error) {
	var changes, lifecycle, drop []*teamsops.Notification
	missed := false
	standing := n.recv.state(receiverKey(sub.NotificationURL))
	for _, note := range pending {
		switch {
		case n.now().Sub(note.CreatedAt) > n.cfg.RetryFor:
			drop = append(drop, note)
			missed = missed || note.LifecycleEvent == ""
		case note.LifecycleEvent != "":
			if sub.LifecycleNotificationURL == "" {
				drop = append(drop, note)
			} else {
				lifecycle = append(lifecycle, note)
			}
		case sub.Removed:
			drop = append(drop, note) // nothing more is sent for a removed subscription
		case standing == receiverDropped:
			// A receiver too often slow loses its notifications, as
			// Graph's (receivers.go).
			drop = append(drop, note)
			missed = true
		default:
			changes = append(changes, note)
		}
	}
	if len(drop) > 0 || missed {
		if err := n.drop(ctx, sub, drop, missed); err != nil {
			return false, err
		}
	}
	if len(changes) > 0 && standing == receiverSlow {
		// A slow receiver's notifications are held back (receivers.go).
		if wait := changes[0].CreatedAt.Add(n.cfg.ThrottledDelay).Sub(n.now()); wait > 0 {
			return false, river.JobSnooze(wait)
		}
	}
	if len(changes) > 0 {
		allowed, removed, err := n.readable(ctx, sub, changes)
		if err != nil || removed {
			return false, err // removed: subscriptionRemoved is what is pending now
		}
		if done, err = n.post(ctx, sub, changes, allowed, false, job); done || err != nil {
			return done, err
		}
	}
	if len(lifecycle) > 0 {
		return n.post(ctx, sub, lifecycle, lifecycle, true, job)
	}
	return false, nil
}

// drop forgets notifications that will not be delivered; missed adds a
// "missed" lifecycle notification (concepts/change-notifications-lifecycle-events.md).
func (n *Notifier) drop(ctx context.Context, sub *teamsops.Subscription, drop []*teamsops.Notification, missed bool) error {
	if len(drop) > 0 {
		n.log.WarnContext(ctx, "notifications dropped", "subscription_id", sub.ID, "tenant_id", sub.TenantID,
			"count", len(drop), "missed", missed)
	}
	return n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		// The subscription first, then its notifications: the order of a
		// deletion, which cascades from it.
		if _, err := tx.Subscription(ctx, sub.TenantID, sub.ID); err != nil {
			return ignoreNotFound(err)
		}
		if err := tx.DeleteNotifications(ctx, sub.TenantID, sub.ID, seqs(drop)); err != nil {
			return err
		}
		if !missed || sub.LifecycleNotificationURL == "" || sub.Removed {
			return nil
		}
		return tx.AddNotifications(ctx, []*teamsops.Notification{{TenantID: sub.TenantID, SubscriptionID: sub.ID,
			LifecycleEvent: teamsops.LifecycleMissed, CreatedAt: n.now()}})
	})
}

// post sends the notifications of send to the subscription's URL and,
// once the receiver took them, deletes all of batch (send and those not
// to be sent) and, in the same transaction, completes the job if nothing
// else is pending (done). A failed delivery is recorded and returned, for
// River to retry.
func (n *Notifier) post(ctx context.Context, sub *teamsops.Subscription, batch, send []*teamsops.Notification, lifecycle bool, job *river.Job[deliverArgs]) (done bool, err error) {
	attempt := job.Attempt
	rec := &teamsops.Delivery{TenantID: sub.TenantID, SubscriptionID: sub.ID, At: n.now(), Lifecycle: lifecycle,
		Notifications: len(send), Attempt: attempt}
	if len(send) > 0 {
		url := sub.NotificationURL
		if lifecycle {
			url = sub.LifecycleNotificationURL
		}
		key := receiverKey(url)
		if ok, wait := n.recv.acquire(key); !ok {
			return false, river.JobSnooze(wait) // the receiver is busy; nothing was sent
		}
		payload, err := n.payload(sub, send)
		if err != nil {
			n.recv.release(key, 0)
			return false, err
		}
		res := n.cfg.Sender.Post(ctx, url, sub.LatestSupportedTLSVersion, payload)
		n.recv.release(key, res.Latency)
		rec.Status, rec.Latency = res.Status, res.Latency
		if res.Err != nil {
			rec.Error = res.Err.Error()
			n.log.InfoContext(ctx, "notification delivery failed", "subscription_id", sub.ID, "tenant_id", sub.TenantID,
				"lifecycle", lifecycle, "attempt", attempt, "status", res.Status, "error", res.Err)
			if err := n.cfg.Store.RecordDelivery(ctx, rec); err != nil {
				return false, err
			}
			return false, fmt.Errorf("%w to subscription %s: %v", errUndelivered, sub.ID, res.Err)
		}
	}
	// One write transaction per batch: on SQLite, fewer writers waiting
	// for the one lock is what keeps requests from starving.
	err = n.cfg.Store.Update(ctx, func(tx teamsops.Tx) error {
		// The subscription first, then its notifications, as a deletion
		// locks them; a subscription deleted meanwhile took them along.
		if _, err := tx.Subscription(ctx, sub.TenantID, sub.ID); teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			done = true
			return n.jobs.CompleteTx(ctx, tx, job.JobRow)
		} else if err != nil {
			return err
		}
		if err := tx.DeleteNotifications(ctx, sub.TenantID, sub.ID, seqs(batch)); err != nil {
			return err
		}
		if len(send) > 0 {
			if err := tx.RecordDelivery(ctx, rec); err != nil {
				return err
			}
		}
		done, err = n.completeIfDrained(ctx, tx, job)
		return err
	})
	return done, err
}

// ignoreNotFound treats a subscription deleted meanwhile as done with.
func ignoreNotFound(err error) error {
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil
	}
	return err
}

func seqs(ns []*teamsops.Notification) []int64 {
	out := make([]int64, len(ns))
	for i, note := range ns {
		out[i] = note.Seq
	}
	return out
}
