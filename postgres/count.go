package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops/internal/sqlcount"
)

// countingTracer counts every statement the pool's connections send,
// River's included (package sqlcount), when counting is enabled.
type countingTracer struct{}

func (countingTracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	count(conn, data.SQL)
	return ctx
}

func (countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (countingTracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if data.Batch != nil {
		for _, q := range data.Batch.QueuedQueries {
			count(conn, q.SQL)
		}
	}
	return ctx
}

func (countingTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (countingTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// count counts one statement by its text, in or outside a transaction as
// the connection's state says before it runs.
func count(conn *pgx.Conn, sql string) {
	switch sqlcount.Classify(sql) {
	case sqlcount.KindBegin:
		sqlcount.Begin()
	case sqlcount.KindOther:
		sqlcount.Statement(conn.PgConn().TxStatus() != 'I')
	}
}
