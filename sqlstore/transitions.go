package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// transitionValues are the columns of one row of operation_history, as
// transitionRow reads them from an operation.
type transitionValues [transitionColumns]any

const transitionColumns = 14

// transitionRow returns the row recordTransition inserts for op, taken
// now — its status, attempt, lastActionDateTime and error, or its
// AttemptError, with op.Origin when origin is set (the write that creates
// it): a Tx that defers it writes it later in the same transaction.
func transitionRow(op *teamsops.Operation, origin bool) (transitionValues, error) {
	at, err := sqlfilter.EncodeTime(op.LastActionDateTime)
	if err != nil {
		return transitionValues{}, err
	}
	var code, message any
	if e := op.Error; e != nil {
		code, message = e.Code, e.Message
	} else if e := op.AttemptError; e != nil {
		code, message = e.Code, e.Message
	}
	var method, path, app, user, fault, requestID any
	if o := op.Origin; origin && o != nil {
		method, path, app, user, fault, requestID = o.Method, o.Path, o.ClientAppID, o.UserID, o.Fault, o.RequestID
	}
	return transitionValues{op.TenantID, op.ID, time.Now().UnixNano(), at, string(op.Status), int64(op.AttemptsCount),
		code, message, method, path, app, user, fault, requestID}, nil
}

// maxTransitionsInsert is the most rows one insert of recordTransitions
// writes (14 parameters each, well below either database's limit).
const maxTransitionsInsert = 64

// recordTransitions inserts rows into operation_history, in order, with
// multi-row inserts. Their sizes are powers of two, so that the few
// statement texts stay prepared in the connections' caches.
func recordTransitions(ctx context.Context, q Querier, rows []transitionValues) error {
	for len(rows) > 0 {
		n := maxTransitionsInsert
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, n*transitionColumns)
		for _, r := range rows[:n] {
			args = append(args, r[:]...)
		}
		if _, err := q.Exec(ctx, transitionsInserts[n], args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// transitionsInserts holds the insert of n rows for each size
// recordTransitions uses.
var transitionsInserts = func() map[int]string {
	m := map[int]string{}
	for n := 1; n <= maxTransitionsInsert; n *= 2 {
		m[n] = transitionsInsert(n)
	}
	return m
}()

// transitionsInsert is the insert of n rows of operation_history.
func transitionsInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO operation_history (tenant_id, operation_id, recorded_at, at, status,
			attempt, error_code, error_message, method, path, client_app_id, user_id, fault, request_id)
		VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range transitionColumns {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i*transitionColumns+c+1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// recordTransition records op's state in its history, inside the write
// that changed it: the only insert the history costs a write. Inside a Tx
// of a store that commits in groups (SQLite) the row is deferred, and
// written with the rows of the updates committed together
// (flushTransitions).
func (c Conn) recordTransition(ctx context.Context, q Querier, op *teamsops.Operation, origin bool) error {
	row, err := transitionRow(op, origin)
	if err != nil {
		return c.d.Error("record the operation's history", err)
	}
	if c.deferred != nil {
		c.deferred.Add(transitions{}, row, c.flushTransitions)
		return nil
	}
	if err := recordTransitions(ctx, q, []transitionValues{row}); err != nil {
		return c.d.Error("record the operation's history", err)
	}
	return nil
}

// transitions is the key under which recordTransition defers rows.
type transitions struct{}

// flushTransitions inserts the deferred rows of the history (a
// teamsops.Flush).
func (c Conn) flushTransitions(ctx context.Context, tx any, values []any) error {
	rows := make([]transitionValues, len(values))
	for i, v := range values {
		rows[i] = v.(transitionValues)
	}
	if err := recordTransitions(ctx, c.d.TxQuerier(tx), rows); err != nil {
		return c.d.Error("record the operations' history", err)
	}
	return nil
}

// RecordTransition records op's state in its history and reports its
// change, as UpdateOperation does, without writing the operation's row:
// for a state that a later UpdateOperation of the same transaction
// supersedes — an attempt that starts and ends at once (package engine).
func (c Conn) RecordTransition(ctx context.Context, op *teamsops.Operation) error {
	return c.atomic(ctx, "update operation", func(q Querier, note Note) error {
		note(operationChanged(op))
		return c.recordTransition(ctx, q, op, false)
	})
}
