package service

import (
	"context"
	"sync"
	"time"

	"github.com/teamsops/teamsops"
)

// Waits holds the requests that wait for an operation's status to change
// ("Prefer: wait"). They are released by the store's change feed
// (teamsops.Store.Watch) — whichever process or replica made the change —
// never by re-reading the database in a loop, except while the feed says
// changes may be missed.
type Waits struct {
	mu      sync.Mutex
	waiting map[waitKey]map[*waiter]struct{}
	live    bool          // the feed delivers every change
	drained chan struct{} // closed by Drain
	stop    func()
}

type waitKey struct{ tenant, operation string }

// waiter is one held request. wake holds at most one pending signal.
type waiter struct {
	key  waitKey
	seen teamsops.OperationStatus // "" until the first read
	wake chan struct{}
}

// pollWhileBlind is how often a held request re-reads its operation while
// the change feed may miss changes (PostgreSQL's listener reconnecting).
const pollWhileBlind = time.Second

// NewWaits starts listening to store's changes.
func NewWaits(store teamsops.Store) *Waits {
	w := &Waits{waiting: map[waitKey]map[*waiter]struct{}{}, live: true, drained: make(chan struct{})}
	w.stop = store.Watch(w.changed)
	return w
}

// Drain releases every held request, which answers at once with its
// operation's current state, and holds no more: for a server shutting
// down. It stops listening to the store.
func (w *Waits) Drain() {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case <-w.drained:
		return
	default:
	}
	close(w.drained)
	w.stop()
}

// Held reports how many requests are held now: registered, and having
// read an operation that had not ended.
func (w *Waits) Held() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, set := range w.waiting {
		for wt := range set {
			if wt.seen != "" {
				n++
			}
		}
	}
	return n
}

// changed wakes the waiters a change may concern: those of its operation
// whose status it changed, or, after a tenant change or a reset, all that
// it may concern.
func (w *Waits) changed(c teamsops.Change) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch c.Kind {
	case teamsops.ChangeOperation:
		for wt := range w.waiting[waitKey{c.TenantID, c.OperationID}] {
			if wt.seen == "" || wt.seen != c.Status {
				wt.signal()
			}
		}
	case teamsops.ChangeTenant, teamsops.ChangeReset:
		if c.Kind == teamsops.ChangeReset {
			w.live = c.Live
		}
		for key, set := range w.waiting {
			if c.Kind == teamsops.ChangeReset || key.tenant == c.TenantID {
				for wt := range set {
					wt.signal()
				}
			}
		}
	}
}

func (wt *waiter) signal() {
	select {
	case wt.wake <- struct{}{}:
	default:
	}
}

func (w *Waits) add(tenant, operation string) *waiter {
	wt := &waiter{key: waitKey{tenant, operation}, wake: make(chan struct{}, 1)}
	w.mu.Lock()
	defer w.mu.Unlock()
	set := w.waiting[wt.key]
	if set == nil {
		set = map[*waiter]struct{}{}
		w.waiting[wt.key] = set
	}
	set[wt] = struct{}{}
	return wt
}

func (w *Waits) remove(wt *waiter) {
	w.mu.Lock()
	defer w.mu.Unlock()
	set := w.waiting[wt.key]
	delete(set, wt)
	if len(set) == 0 {
		delete(w.waiting, wt.key)
	}
}

// saw records the status a waiter's request read.
func (w *Waits) saw(wt *waiter, status teamsops.OperationStatus) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wt.seen = status
}

// blind returns a channel that ticks while the feed may miss changes, nil
// while it does not.
func (w *Waits) blind() <-chan time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.live {
		return nil
	}
	return time.After(pollWhileBlind)
}

// WaitOperation is Operation, held while the operation has not ended:
// until its status differs from the status first read, until wait has
// passed, or until the server drains its held requests; then it answers
// with the operation as it is. held reports whether the request was held
// (the operation had not ended and wait was positive). Without Waits, or
// with a wait of 0, it is Operation.
func (s *Service) WaitOperation(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef, id string, wait time.Duration) (op *teamsops.Operation, held bool, err error) {
	if wait <= 0 || s.Waits == nil {
		op, err = s.Operation(ctx, p, ref, id)
		return op, false, err
	}
	// Registered before the first read, so that no change is lost between.
	wt := s.Waits.add(p.TenantID, id)
	defer s.Waits.remove(wt)
	if op, err = s.Operation(ctx, p, ref, id); err != nil || Ended(op) {
		return op, false, err
	}
	first := op.Status
	s.Waits.saw(wt, first)
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		select {
		case <-wt.wake:
		case <-s.Waits.blind():
		case <-deadline.C:
			op, err = s.Store.Operation(ctx, p.TenantID, ref, id)
			return op, true, err
		case <-s.Waits.drained:
			op, err = s.Store.Operation(context.WithoutCancel(ctx), p.TenantID, ref, id)
			return op, true, err
		case <-ctx.Done():
			return nil, true, ctx.Err()
		}
		if op, err = s.Store.Operation(ctx, p.TenantID, ref, id); err != nil || op.Status != first {
			return op, true, err
		}
	}
}

// Ended reports whether op is in a terminal status: succeeded or failed.
func Ended(op *teamsops.Operation) bool {
	return op.Status == teamsops.OperationStatusSucceeded || op.Status == teamsops.OperationStatusFailed
}
