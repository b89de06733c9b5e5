package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/feed"
)

// maxGroup bounds how many updates commit together.
const maxGroup = 64

// maxLeaders is how many groups run at once, each in a transaction on a
// connection of its own: a group waits on round trips to the database as
// much as on a core, so a few run side by side; the fewer, the more
// updates each group carries.
const maxLeaders = 2

// maxReruns bounds how many times an update that collided runs again
// alone: alone it can still meet a group holding locks in another order.
const maxReruns = 3

// groupCommit commits concurrent updates together, as package sqlite
// does. An update that arrives while maxLeaders transactions run queues,
// and the next of them to finish runs the queue in one transaction, each
// update in a savepoint of its own — so each still commits or rolls back
// whole, and a failure rolls back only its own work — and commits once.
// An update that finds a leader free runs at once, alone: nothing waits
// for a batch to fill. Under load, a BEGIN, a COMMIT and its write-ahead
// log flush are paid per group instead of per update, and what updates
// defer (teamsops.Deferrer: the jobs of accepted operations) is written
// in one statement per group.
//
// Grouping has one cost that running alone has not: each update takes its
// row locks in an order chosen so that it cannot deadlock with another
// update, but a group holds the locks of all of its updates until it
// commits, in no order at all. A change's notifications lock their
// subscriptions FOR KEY SHARE, a delivery locks its subscription FOR
// UPDATE: two groups each holding the first for the second's delivery
// deadlock, and PostgreSQL fails one statement (40P01); so do a group and
// an update running alone. The update that ran it rolls back (to its
// savepoint, in a group) and, rather than fail, runs again alone
// (collided), as it would have run without grouping — a delivery failed
// there after its POST would be retried by River and POSTed twice, and a
// request would be answered 503.
type groupCommit struct {
	mu      sync.Mutex
	leaders int
	queue   []*update
}

// update is one transaction's work and, once done, its outcome.
type update struct {
	ctx  context.Context
	what string
	fn   func(pgx.Tx, *teamsops.Deferred) ([]teamsops.Change, error)

	deferred teamsops.Deferred
	changes  []teamsops.Change
	err      error
	panicked any
	// collided: the update failed on a lock another transaction held
	// (collided) and rolled back; it runs again alone.
	collided bool
	done     chan struct{}
}

// grouped runs fn in a transaction, alone or with other updates, and
// reports the changes it returns once it has committed.
func (s *Store) grouped(ctx context.Context, what string, fn func(pgx.Tx, *teamsops.Deferred) ([]teamsops.Change, error)) error {
	u := &update{ctx: ctx, what: what, fn: fn, done: make(chan struct{})}
	g := &s.group
	g.mu.Lock()
	if g.leaders >= maxLeaders {
		g.queue = append(g.queue, u)
		g.mu.Unlock()
		<-u.done
	} else {
		g.leaders++
		g.mu.Unlock()
		s.lead([]*update{u})
	}
	for range maxReruns {
		if !u.collided {
			break
		}
		// Nothing of it committed: run it as it would run ungrouped, in a
		// transaction of its own.
		u = &update{ctx: ctx, what: what, fn: fn, done: make(chan struct{})}
		s.runGroup([]*update{u})
	}
	if u.panicked != nil {
		panic(u.panicked)
	}
	return u.err
}

// lead runs group, then what queued meanwhile, until the queue is empty.
func (s *Store) lead(group []*update) {
	s.runGroup(group)
	g := &s.group
	g.mu.Lock()
	next := g.queue[:min(len(g.queue), maxGroup)]
	g.queue = g.queue[len(next):]
	if len(next) == 0 {
		g.leaders--
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	go s.lead(next)
}

// runGroup runs the updates in one transaction and reports each outcome.
func (s *Store) runGroup(group []*update) {
	defer func() {
		for _, u := range group {
			close(u.done)
		}
	}()
	what := group[0].what
	ctx := group[0].ctx
	if len(group) > 1 {
		// The group's transaction outlives any one caller.
		ctx = context.WithoutCancel(ctx)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		failAll(group, storeError(what, err))
		return
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var committed []*update
	opened := false // a savepoint of an update before is open
	for _, u := range group {
		ok, err := s.runOne(tx, u, len(group) > 1, &opened)
		if err != nil { // the transaction itself broke: nothing commits
			failAll(group, err)
			return
		}
		if ok {
			committed = append(committed, u)
		}
	}
	if len(committed) == 0 {
		return
	}
	if err := flushDeferred(ctx, tx, committed); err != nil {
		failAll(committed, storeError(what, err))
		return
	}
	if err := tx.Commit(ctx); err != nil {
		failAll(committed, storeError(what, err))
		return
	}
	var changes []teamsops.Change
	for _, u := range committed {
		changes = append(changes, u.changes...)
	}
	s.changes.Publish(changes...)
	s.changes.committed(changes)
}

// runOne runs one update inside tx, in a savepoint when it shares the
// transaction. It reports whether the update succeeded; an error means
// the transaction can no longer be used.
//
// One round trip opens an update's savepoint and releases the previous
// update's (a statement without arguments goes in the simple protocol,
// which takes several); the commit releases the last.
func (s *Store) runOne(tx pgx.Tx, u *update, shared bool, opened *bool) (bool, error) {
	if err := u.ctx.Err(); err != nil {
		u.err = err
		return false, nil
	}
	if shared {
		open := "RELEASE SAVEPOINT grouped; SAVEPOINT grouped"
		if !*opened {
			open = "SAVEPOINT grouped"
		}
		if _, err := tx.Exec(context.WithoutCancel(u.ctx), open); err != nil {
			return false, storeError(u.what, err)
		}
		*opened = true
	}
	if shared {
		u.err = s.runFn(steadyTx{tx}, u)
	} else {
		u.err = s.runFn(tx, u)
	}
	if shared && u.err == nil && u.panicked == nil && tx.Conn().PgConn().TxStatus() == 'E' {
		// A statement failed and fn went on: the transaction would refuse
		// everything after it, the other updates' work included.
		u.err = storeError(u.what, errors.New("a statement failed and the update did not return its error"))
	}
	ok := u.err == nil && u.panicked == nil
	if shared && !ok {
		if _, err := tx.Exec(context.WithoutCancel(u.ctx), "ROLLBACK TO SAVEPOINT grouped"); err != nil {
			return false, storeError(u.what, err)
		}
	}
	u.collided = collided(u.err)
	return ok, nil
}

// collided reports whether err is PostgreSQL's failure of a statement
// that waited on a lock of another transaction: deadlock_detected, or
// serialization_failure (which READ COMMITTED raises only in that case).
func collided(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// runFn runs the update's function; a panic is kept for the update's own
// goroutine to raise again.
func (s *Store) runFn(tx pgx.Tx, u *update) (err error) {
	defer func() {
		if v := recover(); v != nil {
			u.panicked = v
			err = fmt.Errorf("postgres: %s: panic: %v", u.what, v)
		}
	}()
	u.deferred = nil
	changes, err := u.fn(tx, &u.deferred)
	if err != nil {
		return err
	}
	u.changes = feed.Coalesce(changes, maxTxChanges)
	return nil
}

// flushDeferred writes what the committed updates deferred
// (teamsops.Deferrer): each kind once for all of them.
func flushDeferred(ctx context.Context, tx pgx.Tx, committed []*update) error {
	all := make([]teamsops.Deferred, 0, len(committed))
	for _, u := range committed {
		if len(u.deferred) > 0 {
			all = append(all, u.deferred)
		}
	}
	if len(all) == 0 {
		return nil
	}
	return teamsops.FlushAll(ctx, tx, all...)
}

func failAll(us []*update, err error) {
	for _, u := range us {
		if u.err == nil && u.panicked == nil {
			u.err = err
		}
	}
}
