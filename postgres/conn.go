package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/feed"
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
}

var _ teamsops.Tx = (*Tx)(nil)

// Driver returns the pgx.Tx, for River's pgx driver on the same database.
func (tx *Tx) Driver() any { return tx.tx }

// Update runs fn in one transaction (READ COMMITTED): it commits when fn
// returns nil and rolls back when fn returns an error. Tx.OperationByID
// locks the operation's row until then (SELECT … FOR UPDATE), which is what
// makes the engine's effects exactly-once across replicas.
func (s *Store) Update(ctx context.Context, fn func(tx teamsops.Tx) error) error {
	return s.notified(ctx, "update", func(pgTx pgx.Tx) ([]teamsops.Change, error) {
		t := &Tx{tx: pgTx}
		t.Conn = sqlstore.InTx(pgxQuerier{pgTx}, dialect{}, t.runDirectly, " FOR UPDATE", nil)
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
	return s.notified(ctx, what, func(tx pgx.Tx) ([]teamsops.Change, error) {
		var changes []teamsops.Change
		err := fn(pgxQuerier{tx}, func(c ...teamsops.Change) { changes = append(changes, c...) })
		return changes, err
	})
}

// notified runs fn in a transaction and, once it has committed, reports
// the changes it returns to this process's watchers and NOTIFYs the other
// replicas of them (changeFeed).
func (s *Store) notified(ctx context.Context, what string, fn func(pgx.Tx) ([]teamsops.Change, error)) error {
	var changes []teamsops.Change
	err := s.inTx(ctx, what, func(tx pgx.Tx) error {
		var err error
		if changes, err = fn(tx); err != nil {
			return err
		}
		changes = feed.Coalesce(changes, maxTxChanges)
		return nil
	})
	if err != nil {
		return err
	}
	s.changes.Publish(changes...)
	s.changes.committed(changes)
	return nil
}
