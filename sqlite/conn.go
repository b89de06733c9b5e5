package sqlite

import (
	"context"
	"database/sql"

	"github.com/teamsops/teamsops"
)

// querier is what *sql.DB and *sql.Tx both offer, so that each statement
// is written once and runs on its own or inside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn holds the writes (and the reads a Tx needs) of the store, on the
// database or inside one transaction.
type conn struct {
	q querier
	// atomic runs fn so that its statements commit together: in a new
	// transaction on the database, directly inside a Tx.
	atomic func(ctx context.Context, what string, fn func(q querier) error) error
}

// Tx is one write transaction of the store (teamsops.Tx).
type Tx struct {
	conn
	tx *sql.Tx
}

var _ teamsops.Tx = (*Tx)(nil)

// Driver returns the *sql.Tx, for a job queue on the same database.
func (tx *Tx) Driver() any { return tx.tx }

// Update runs fn in one write transaction (BEGIN IMMEDIATE): it commits
// when fn returns nil and rolls back when fn returns an error. fn must use
// only tx: the store's own methods would wait for the write lock fn holds.
func (s *Store) Update(ctx context.Context, fn func(tx teamsops.Tx) error) error {
	return s.inTx(ctx, "update", func(sqlTx *sql.Tx) error {
		return fn(&Tx{conn: conn{q: sqlTx, atomic: runDirectly(sqlTx)}, tx: sqlTx})
	})
}

// runDirectly is a Tx's atomic: it is already one transaction.
func runDirectly(tx *sql.Tx) func(context.Context, string, func(querier) error) error {
	return func(_ context.Context, _ string, fn func(querier) error) error { return fn(tx) }
}

// atomically is the database's atomic: a transaction of its own.
func (s *Store) atomically(ctx context.Context, what string, fn func(q querier) error) error {
	return s.inTx(ctx, what, func(tx *sql.Tx) error { return fn(tx) })
}
