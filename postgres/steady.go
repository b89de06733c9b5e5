package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// steadyTx is the transaction of a group of updates, as each of them sees
// it: its statements run whatever becomes of the caller's context. pgx
// closes a connection whose statement's context ends, and with it the
// transaction — a client that hangs up would fail every update grouped
// with its own. An update whose context ended before it ran is skipped
// (groupCommit); one that runs goes to its end.
type steadyTx struct{ pgx.Tx }

func (t steadyTx) Begin(ctx context.Context) (pgx.Tx, error) {
	tx, err := t.Tx.Begin(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	return steadyTx{tx}, nil
}

func (t steadyTx) Commit(ctx context.Context) error { return t.Tx.Commit(context.WithoutCancel(ctx)) }

func (t steadyTx) Rollback(ctx context.Context) error {
	return t.Tx.Rollback(context.WithoutCancel(ctx))
}

func (t steadyTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error) {
	return t.Tx.CopyFrom(context.WithoutCancel(ctx), table, columns, rows)
}

func (t steadyTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.Tx.SendBatch(context.WithoutCancel(ctx), b)
}

func (t steadyTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.Tx.Prepare(context.WithoutCancel(ctx), name, sql)
}

func (t steadyTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.Tx.Exec(context.WithoutCancel(ctx), sql, args...)
}

func (t steadyTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.Tx.Query(context.WithoutCancel(ctx), sql, args...)
}

func (t steadyTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.Tx.QueryRow(context.WithoutCancel(ctx), sql, args...)
}
