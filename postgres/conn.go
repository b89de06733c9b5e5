package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlstore"
)

// querier is what *pgxpool.Pool and pgx.Tx both offer, so that each
// statement is written once and runs on its own or inside a transaction.
// pgx prepares and caches every statement per connection.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Tx is one write transaction of the store (teamsops.Tx).
type Tx struct {
	// Conn is the store's methods (package sqlstore) inside tx; a read
	// that a write will follow locks its row (" FOR UPDATE"), so that of
	// several replicas running the same job one waits for the other's
	// commit and then sees its result.
	sqlstore.Conn
	tx pgx.Tx
	// pending are the changes noted so far, reported after the commit.
	pending []teamsops.Change
	// deferred are the writes queued with Defer.
	deferred *teamsops.Deferred
}

var (
	_ teamsops.Tx       = (*Tx)(nil)
	_ teamsops.Deferrer = (*Tx)(nil)
)

// Driver returns the pgx.Tx, for River's pgx driver on the same database.
func (tx *Tx) Driver() any { return tx.tx }

// Defer implements teamsops.Deferrer: v is written with the values the
// other updates of the group queued under key, before the group commits.
func (tx *Tx) Defer(key, v any, flush teamsops.Flush) { tx.deferred.Add(key, v, flush) }

// Update runs fn in one transaction (READ COMMITTED): it commits when fn
// returns nil and rolls back when fn returns an error. Tx.OperationByID
// locks the operation's row until then (SELECT … FOR UPDATE), which is what
// makes the engine's effects exactly-once across replicas. fn may share
// the transaction with concurrent updates (groupCommit); if it failed
// there on a deadlock only grouping caused, it runs a second time, alone,
// and only that run's work commits.
func (s *Store) Update(ctx context.Context, fn func(tx teamsops.Tx) error) error {
	return s.grouped(ctx, "update", func(pgTx pgx.Tx, deferred *teamsops.Deferred) ([]teamsops.Change, error) {
		t := &Tx{tx: pgTx, deferred: deferred}
		t.Conn = sqlstore.InTx(pgxQuerier{pgTx}, dialect{}, t.runDirectly, " FOR UPDATE", deferred)
		err := fn(t)
		return t.pending, err
	})
}

// runDirectly is a Tx's atomic: it is already one transaction, whose
// commit reports the changes.
func (t *Tx) runDirectly(_ context.Context, _ string, fn func(sqlstore.Querier, sqlstore.Note) error) error {
	return fn(pgxQuerier{t.tx}, func(c ...teamsops.Change) { t.pending = append(t.pending, c...) })
}

// atomically is the pool's atomic: a transaction of its own.
func (s *Store) atomically(ctx context.Context, what string, fn func(sqlstore.Querier, sqlstore.Note) error) error {
	return s.grouped(ctx, what, func(tx pgx.Tx, _ *teamsops.Deferred) ([]teamsops.Change, error) {
		var changes []teamsops.Change
		err := fn(pgxQuerier{tx}, func(c ...teamsops.Change) { changes = append(changes, c...) })
		return changes, err
	})
}
