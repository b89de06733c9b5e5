package tenantsql

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// TransitionValues are the columns of one row of operation_history, as
// TransitionRow reads them from an operation.
type TransitionValues [transitionColumns]any

const transitionColumns = 14

// TransitionRow returns the row RecordTransition inserts for op, taken
// now: a store that writes many at once (RecordTransitions) keeps it for
// later in the same transaction.
func TransitionRow(op *teamsops.Operation, origin bool) (TransitionValues, error) {
	at, err := sqlfilter.EncodeTime(op.LastActionDateTime)
	if err != nil {
		return TransitionValues{}, err
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
	return TransitionValues{op.TenantID, op.ID, time.Now().UnixNano(), at, string(op.Status), int64(op.AttemptsCount),
		code, message, method, path, app, user, fault, requestID}, nil
}

// maxTransitionsInsert is the most rows one insert of RecordTransitions
// writes (14 parameters each, well below either database's limit).
const maxTransitionsInsert = 64

// RecordTransitions inserts rows into operation_history, in order, with
// multi-row inserts. Their sizes are powers of two, so that the few
// statement texts stay prepared in the connections' caches.
func RecordTransitions(ctx context.Context, db DB, rows []TransitionValues) error {
	for len(rows) > 0 {
		n := maxTransitionsInsert
		for n > len(rows) {
			n /= 2
		}
		args := make([]any, 0, n*transitionColumns)
		for _, r := range rows[:n] {
			args = append(args, r[:]...)
		}
		if err := db.Exec(ctx, transitionsInserts[n], args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// transitionsInserts holds the insert of n rows for each size
// RecordTransitions uses.
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
