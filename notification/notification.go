// Package notification delivers Graph change notifications of operations
// — a capability teamsops adds: Graph itself offers none for
// teamsAsyncOperation, but its protocol
// (concepts/change-notifications-overview.md) is the one every Graph
// developer already has receivers for.
//
// Deliveries are durable jobs on the engine's River client. When an
// operation is created or changes status, the Notifier (the engine's
// Observer) writes a notification for each matching subscription into the
// store's outbox in the same transaction, with a delivery job per
// subscription; River's unique jobs keep at most one delivery of a
// subscription running at a time, across replicas, and that one sends what
// is pending in batches. A delivery that fails is retried with backoff;
// notifications still undelivered after RetryFor are dropped and the
// subscriber hears "missed", as Graph does. Each receiver gets a bounded
// share of the delivery workers, so a slow one delays only its own
// subscriptions (receivers.go).
package notification

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/webhook"
)

// Graph's delivery limits (concepts/change-notifications-delivery-webhooks.md):
// a receiver that does not answer 2xx within 3 seconds is sent the
// notification again, for up to 4 hours; after that it is dropped.
const (
	DefaultRetryFor = 4 * time.Hour
	DefaultRetryMin = 5 * time.Second
	// DefaultRetryMax is the longest wait between two tries: Graph retries
	// failed deliveries of a throttled endpoint every 10 minutes.
	DefaultRetryMax = 10 * time.Minute
)

// queue is the River queue deliveries run on, apart from operations.
const queue = "notifications"

// Config configures a Notifier.
type Config struct {
	Store teamsops.Store
	// Sender talks to receivers.
	Sender *webhook.Client
	// Render returns an operation's JSON as a GET of it returns it, on the
	// version that serves its resource's operations (beta for a chat's,
	// v1.0 for a team's; http.NotificationJSON): the content of a rich
	// notification.
	Render func(op *teamsops.Operation) ([]byte, error)
	// Tokens signs rich notifications' validation tokens.
	Tokens TokenIssuer
	// RetryFor, RetryMin and RetryMax bound the retries of a failing
	// delivery (defaults above).
	RetryFor, RetryMin, RetryMax time.Duration
	// Workers is how many deliveries run at once in this process, each to
	// another subscription (default 20).
	Workers int
	// PerReceiver is how many POSTs run at once to one receiver (a
	// notification URL's scheme, host and port) in this process (default
	// a quarter of Workers, at least 1): a slow receiver holds no more
	// workers than that, and the others deliver meanwhile (receivers.go).
	PerReceiver int
	// ThrottledDelay is how long the notifications of a receiver flagged
	// slow are held back (default Graph's 10 minutes).
	ThrottledDelay time.Duration
	Logger         *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// TokenIssuer signs validation tokens (identity.Issuer).
type TokenIssuer interface {
	IssueValidationToken(tenantID, audience string) (string, error)
}

// Notifier writes, delivers and manages change notifications.
type Notifier struct {
	cfg   Config
	log   *slog.Logger
	jobs  engine.Jobs
	cache *cache
	recv  *receivers

	mu     sync.Mutex
	cancel func()
}

// New returns a Notifier; give it the engine with Start.
func New(cfg Config) *Notifier {
	cfg.RetryFor = cmp.Or(cfg.RetryFor, DefaultRetryFor)
	cfg.RetryMin = cmp.Or(cfg.RetryMin, DefaultRetryMin)
	cfg.RetryMax = cmp.Or(cfg.RetryMax, DefaultRetryMax)
	cfg.Workers = cmp.Or(cfg.Workers, 20)
	cfg.PerReceiver = cmp.Or(cfg.PerReceiver, max(cfg.Workers/4, 1))
	cfg.ThrottledDelay = cmp.Or(cfg.ThrottledDelay, defaultThrottled)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sender == nil {
		cfg.Sender = &webhook.Client{}
	}
	// Graph calls a POST slow past 2900 ms of its 3 s timeout: the same
	// share of the timeout here, which tests shorten or lengthen.
	timeout := cmp.Or(cfg.Sender.NotificationTimeout, webhook.NotificationTimeout)
	return &Notifier{cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), cache: newCache(),
		recv: newReceivers(cfg.PerReceiver, timeout*29/30, cfg.Now)}
}

// Register adds the Notifier's job kinds to the engine's workers
// (engine.Config.Register).
func (n *Notifier) Register(workers *river.Workers) error {
	if err := river.AddWorkerSafely(workers, &deliverer{n: n}); err != nil {
		return err
	}
	if err := river.AddWorkerSafely(workers, &timer{n: n}); err != nil {
		return err
	}
	return river.AddWorkerSafely(workers, &rechecker{n: n})
}

// Queues are the River queues the Notifier's jobs run on
// (engine.Config.Queues).
func (n *Notifier) Queues() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{queue: {MaxWorkers: n.cfg.Workers}}
}

// Start gives the Notifier the engine's jobs and starts listening to the
// store's changes: subscriptions (for its cache) and access (a subscriber
// that lost access is removed).
func (n *Notifier) Start(jobs engine.Jobs) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.jobs = jobs
	if n.cancel == nil {
		n.cancel = n.cfg.Store.Watch(n.changed)
	}
}

// Stop stops listening to the store.
func (n *Notifier) Stop() {
	n.mu.Lock()
	cancel := n.cancel
	n.cancel = nil
	n.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (n *Notifier) now() time.Time { return n.cfg.Now().UTC() }

// CheckURL reports whether a URL may receive notifications.
func (n *Notifier) CheckURL(what, url string) error { return n.cfg.Sender.CheckURL(what, url) }

// Validate runs the validation handshake against url.
func (n *Notifier) Validate(ctx context.Context, url, tlsVersion string) error {
	return n.cfg.Sender.Validate(ctx, url, tlsVersion)
}

// OperationChanged implements engine.Observer: inside tx, it writes a
// notification for every subscription of the operation's tenant that
// wants changeType on the operation's chat or team, and makes sure each
// has a delivery job. A tenant without subscriptions costs one map lookup.
func (n *Notifier) OperationChanged(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, changeType string) error {
	subs, err := n.cache.get(ctx, tx, op.TenantID)
	if err != nil || len(subs) == 0 {
		return err
	}
	now := n.now()
	var ns []*teamsops.Notification
	for _, sub := range subs {
		if sub.Removed || !sub.ExpirationDateTime.After(now) || !sub.Wants(changeType) || !sub.Target.Matches(op.Resource) {
			continue
		}
		snapshot := *op
		ns = append(ns, &teamsops.Notification{TenantID: op.TenantID, SubscriptionID: sub.ID,
			ChangeType: changeType, Operation: &snapshot, CreatedAt: now})
	}
	if len(ns) == 0 {
		return nil
	}
	// Lock the subscriptions first, in one order: a delivery that is
	// finishing (teamsops.Tx.Subscription) or a deletion waits for this
	// transaction, and one deleted meanwhile is left out rather than
	// failing the operation's change.
	ids := make([]string, len(ns))
	for i, note := range ns {
		ids[i] = note.SubscriptionID
	}
	live, err := tx.LockSubscriptions(ctx, op.TenantID, ids)
	if err != nil {
		return err
	}
	ns = slices.DeleteFunc(ns, func(note *teamsops.Notification) bool { return !slices.Contains(live, note.SubscriptionID) })
	if len(ns) == 0 {
		return nil
	}
	if err := tx.AddNotifications(ctx, ns); err != nil {
		return err
	}
	// A subscription that already had notifications pending has a
	// delivery that will send these too: a delivery completes only in a
	// transaction that locks the subscription and finds nothing pending
	// (completeIfDrained), so it sees every row committed before it, and
	// a row committed after it finds none older here. Skipping the job
	// then spares the transaction a lock on that delivery's job row — with
	// several subscriptions, locks River's completer may take in another
	// order — and spares SQLite's one writer a write.
	var jobs []river.InsertManyParams
	for _, note := range ns {
		oldest, err := tx.PendingNotifications(ctx, note.TenantID, note.SubscriptionID, 1)
		if err != nil {
			return err
		}
		if len(oldest) > 0 && oldest[0].Seq < note.Seq {
			continue
		}
		jobs = append(jobs, river.InsertManyParams{InsertOpts: deliverOpts(),
			Args: deliverArgs{TenantID: note.TenantID, SubscriptionID: note.SubscriptionID}})
	}
	if len(jobs) == 0 {
		return nil
	}
	return n.jobs.InsertManyTx(ctx, tx, jobs)
}

// schedule makes sure a delivery job of the subscription is pending or
// running, inside tx.
func (n *Notifier) schedule(ctx context.Context, tx teamsops.Tx, tenantID, subscriptionID string) error {
	return n.jobs.InsertTx(ctx, tx, deliverArgs{TenantID: tenantID, SubscriptionID: subscriptionID}, deliverOpts())
}

// changed hears the store's changes; it must not block.
func (n *Notifier) changed(c teamsops.Change) {
	switch c.Kind {
	case teamsops.ChangeSubscription:
		n.cache.forget(c.TenantID)
	case teamsops.ChangeTenant:
		n.cache.forget(c.TenantID)
		n.recheckLater(c.TenantID, nil)
	case teamsops.ChangeAccess:
		if c.Resource.ID == "" {
			n.recheckLater(c.TenantID, nil)
		} else if n.cache.targets(c.TenantID, c.Resource) {
			ref := c.Resource
			n.recheckLater(c.TenantID, &ref)
		}
	case teamsops.ChangeReset:
		n.cache.forgetAll()
		n.recheckLater("", nil)
	}
}

// cache holds each tenant's subscriptions, read from the store on first
// use and forgotten when the store reports a change of them (Store.Watch):
// the operation path reads no table for a tenant without subscriptions.
type cache struct {
	mu      sync.Mutex
	tenants map[string][]*teamsops.Subscription
	gen     map[string]uint64 // bumped by forget, so a read that raced it is not kept
	allGen  uint64
}

func newCache() *cache {
	return &cache{tenants: map[string][]*teamsops.Subscription{}, gen: map[string]uint64{}}
}

// get returns the tenant's subscriptions, read through r (the caller's
// transaction) when the cache does not hold them.
func (c *cache) get(ctx context.Context, r interface {
	Subscriptions(ctx context.Context, tenantID, appID string) ([]*teamsops.Subscription, error)
}, tenantID string) ([]*teamsops.Subscription, error) {
	c.mu.Lock()
	subs, ok := c.tenants[tenantID]
	gen, allGen := c.gen[tenantID], c.allGen
	c.mu.Unlock()
	if ok {
		return subs, nil
	}
	subs, err := r.Subscriptions(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen[tenantID] == gen && c.allGen == allGen {
		c.tenants[tenantID] = subs
	}
	c.mu.Unlock()
	return subs, nil
}

// targets reports whether the tenant may have a subscription on ref:
// false only when the cache knows it has none.
func (c *cache) targets(tenantID string, ref teamsops.ResourceRef) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	subs, ok := c.tenants[tenantID]
	if !ok {
		return true
	}
	for _, sub := range subs {
		if sub.Target == teamsops.SubscriptionTarget(ref) {
			return true
		}
	}
	return false
}

func (c *cache) forget(tenantID string) {
	c.mu.Lock()
	delete(c.tenants, tenantID)
	c.gen[tenantID]++
	c.mu.Unlock()
}

func (c *cache) forgetAll() {
	c.mu.Lock()
	clear(c.tenants)
	c.allGen++
	c.mu.Unlock()
}
