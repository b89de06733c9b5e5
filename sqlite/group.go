package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/feed"
)

// maxGroup bounds how many updates commit together.
const maxGroup = 64

// groupCommit commits concurrent write transactions together. SQLite has
// one writer: while one transaction runs, the others wait for it anyway.
// Here they queue instead, and the next transaction runs all of them, each
// in a savepoint of its own — so each still commits or rolls back whole,
// and a failure rolls back only its own work — and commits once. What a
// commit costs (writing the pages it changed to the write-ahead log, once
// however many transactions changed them) is paid once per group instead
// of once per transaction.
type groupCommit struct {
	mu      sync.Mutex
	leading bool // a goroutine is running a group
	queue   []*update
	groups  atomic.Int64 // transactions run, for tests
}

// update is one write transaction's work and, once done, its outcome.
type update struct {
	ctx  context.Context
	what string
	fn   func(*sql.Tx, *teamsops.Deferred) ([]teamsops.Change, map[string]bool, error)

	deferred  teamsops.Deferred // written once for the group, before its commit
	changes   []teamsops.Change
	forgotten map[string]bool // tenants the update deleted
	err       error
	panicked  any
	done      chan struct{}
}

// logged runs fn in a write transaction, logs the changes it returns in
// the same transaction, and reports them once it has committed. fn runs
// alone or grouped with other updates (groupCommit); either way, all of
// its work commits, or none.
func (s *Store) logged(ctx context.Context, what string, fn func(*sql.Tx, *teamsops.Deferred) ([]teamsops.Change, map[string]bool, error)) error {
	u := &update{ctx: ctx, what: what, fn: fn, done: make(chan struct{})}
	g := &s.group
	g.mu.Lock()
	if g.leading {
		g.queue = append(g.queue, u)
		g.mu.Unlock()
		<-u.done
	} else {
		g.leading = true
		g.mu.Unlock()
		s.lead([]*update{u})
	}
	if u.panicked != nil {
		panic(u.panicked)
	}
	return u.err
}

// lead runs group, then hands what queued meanwhile to a new leader.
func (s *Store) lead(group []*update) {
	s.runGroup(group)
	g := &s.group
	g.mu.Lock()
	next := g.queue[:min(len(g.queue), maxGroup)]
	g.queue = g.queue[len(next):]
	if len(next) == 0 {
		g.leading = false
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
	s.group.groups.Add(1)
	ctx := context.WithoutCancel(group[0].ctx)
	what := group[0].what
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		failAll(group, storeError(what, err))
		return
	}
	defer tx.Rollback()
	var committed []*update
	for _, u := range group {
		ok, err := s.runOne(tx, u, len(group) > 1)
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
	seqs, err := s.logChanges(ctx, tx, committed)
	if err != nil {
		failAll(committed, err)
		return
	}
	if err := flushDeferred(ctx, tx, committed); err != nil {
		failAll(committed, storeError(what, err))
		return
	}
	if err := tx.Commit(); err != nil {
		failAll(committed, storeError(what, err))
		return
	}
	s.changes.published(seqs)
	for _, u := range committed {
		s.changes.Publish(u.changes...)
	}
}

// runOne runs one update inside tx, in a savepoint when it shares the
// transaction. It reports whether the update succeeded; an error means
// the transaction can no longer be used.
func (s *Store) runOne(tx *sql.Tx, u *update, shared bool) (bool, error) {
	if err := u.ctx.Err(); err != nil {
		u.err = err
		return false, nil
	}
	if shared {
		if _, err := tx.ExecContext(u.ctx, "SAVEPOINT grouped"); err != nil {
			return false, storeError(u.what, err)
		}
	}
	u.err = s.runFn(tx, u)
	if !shared {
		return u.err == nil && u.panicked == nil, nil
	}
	if u.err != nil || u.panicked != nil {
		if _, err := tx.ExecContext(context.WithoutCancel(u.ctx), "ROLLBACK TO grouped"); err != nil {
			return false, storeError(u.what, err)
		}
	}
	if _, err := tx.ExecContext(context.WithoutCancel(u.ctx), "RELEASE grouped"); err != nil {
		return false, storeError(u.what, err)
	}
	return u.err == nil && u.panicked == nil, nil
}

// runFn runs the update's function and keeps its changes, for
// logChanges; a panic is kept for the update's own goroutine to raise
// again.
func (s *Store) runFn(tx *sql.Tx, u *update) (err error) {
	defer func() {
		if v := recover(); v != nil {
			u.panicked = v
			err = fmt.Errorf("sqlite: %s: panic: %v", u.what, v)
		}
	}()
	u.deferred = nil
	changes, forgotten, err := u.fn(tx, &u.deferred)
	if err != nil {
		return err
	}
	u.changes, u.forgotten = feed.Coalesce(changes, maxTxChanges), forgotten
	return nil
}

// logChanges logs the changes of the committed updates in the changes
// table, in one statement for the group, and returns their sequence
// numbers.
func (s *Store) logChanges(ctx context.Context, tx *sql.Tx, committed []*update) ([]int64, error) {
	var changes []teamsops.Change
	for _, u := range committed {
		for _, c := range u.changes {
			if u.forgotten[c.TenantID] {
				// The update deleted the tenant: other processes forget
				// everything they knew of it.
				c.Kind, c.TenantID = teamsops.ChangeReset, ""
			}
			changes = append(changes, c)
		}
	}
	return s.changes.log(ctx, tx, changes)
}

// flushDeferred writes what the committed updates deferred
// (teamsops.Deferrer): each kind once for all of them.
func flushDeferred(ctx context.Context, tx *sql.Tx, committed []*update) error {
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
