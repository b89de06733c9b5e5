package sqlite

import (
	"context"
	"database/sql"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlstore"
)

// querier is what *sql.DB and *sql.Tx both offer, so that each statement
// is written once and runs on its own or inside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is one write transaction of the store (teamsops.Tx).
type Tx struct {
	// Conn is the store's methods (package sqlstore) inside tx.
	sqlstore.Conn
	tx *sql.Tx
	// pending are the changes noted so far, reported after the commit.
	pending []teamsops.Change
	// forgotten holds the tenants this transaction deleted.
	forgotten map[string]bool
	// deferred are the writes queued with Defer.
	deferred *teamsops.Deferred
}

var _ teamsops.Tx = (*Tx)(nil)

// Driver returns the *sql.Tx, for a job queue on the same database.
func (tx *Tx) Driver() any { return tx.tx }

// Defer implements teamsops.Deferrer: v is written with the values the
// other updates of the group queued under key, before the group commits.
func (tx *Tx) Defer(key, v any, flush teamsops.Flush) { tx.deferred.Add(key, v, flush) }

var _ teamsops.Deferrer = (*Tx)(nil)

// Update runs fn in one write transaction (BEGIN IMMEDIATE): it commits
// when fn returns nil and rolls back when fn returns an error. fn must use
// only tx: the store's own methods would wait for the write lock fn holds.
func (s *Store) Update(ctx context.Context, fn func(tx teamsops.Tx) error) error {
	var t *Tx
	return s.logged(ctx, "update", func(sqlTx *sql.Tx, deferred *teamsops.Deferred) ([]teamsops.Change, map[string]bool, error) {
		t = &Tx{tx: sqlTx, deferred: deferred}
		t.Conn = sqlstore.InTx(sqlQuerier{sqlTx}, dialect{}, t.runDirectly, "", deferred)
		err := fn(t)
		return t.pending, t.forgotten, err
	})
}

// runDirectly is a Tx's atomic: it is already one transaction, whose
// commit reports the changes.
func (t *Tx) runDirectly(_ context.Context, _ string, fn func(sqlstore.Querier, sqlstore.Note) error) error {
	return fn(sqlQuerier{t.tx}, func(c ...teamsops.Change) { t.pending = append(t.pending, c...) })
}

// atomically is the database's atomic: a transaction of its own.
func (s *Store) atomically(ctx context.Context, what string, fn func(sqlstore.Querier, sqlstore.Note) error) error {
	return s.logged(ctx, what, func(tx *sql.Tx, _ *teamsops.Deferred) ([]teamsops.Change, map[string]bool, error) {
		var changes []teamsops.Change
		err := fn(sqlQuerier{tx}, func(c ...teamsops.Change) { changes = append(changes, c...) })
		return changes, nil, err
	})
}

// DeleteTenant deletes the tenant and every row of it
// (sqlstore.Conn.DeleteTenant). The changes this transaction logs of it
// are logged without its id (forgotten), so that none of its rows stays
// in the change log.
func (t *Tx) DeleteTenant(ctx context.Context, tenantID string) error {
	if err := t.Conn.DeleteTenant(ctx, tenantID); err != nil {
		return err
	}
	if t.forgotten == nil {
		t.forgotten = map[string]bool{}
	}
	t.forgotten[tenantID] = true
	return nil
}
