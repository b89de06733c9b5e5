package tenantsql

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// The history of operations (migration 0007_history.sql) and the
// dashboard's reads. Scans go through database/sql's types, which pgx
// reads too.

// RecordTransition records op's state after a write — its status,
// attempt, lastActionDateTime and error, or its AttemptError — in the
// operation's history, with op.Origin when origin is set (the write that
// creates it). It is the only insert the history costs a write.
func RecordTransition(ctx context.Context, db DB, op *teamsops.Operation, origin bool) error {
	row, err := TransitionRow(op, origin)
	if err != nil {
		return err
	}
	return RecordTransitions(ctx, db, []TransitionValues{row})
}

// History returns the recorded history of an operation.
func History(ctx context.Context, db DB, tenantID, id string) (*teamsops.History, error) {
	h := &teamsops.History{Transitions: []teamsops.Transition{}}
	err := db.Query(ctx, `SELECT at, status, attempt, error_code, error_message,
			method, path, client_app_id, user_id, fault, request_id
		FROM operation_history WHERE tenant_id = $1 AND operation_id = $2 ORDER BY seq`,
		[]any{tenantID, id}, func(scan func(...any) error) error {
			var (
				tr         teamsops.Transition
				at         int64
				status     string
				attempt    int64
				code, msg  sql.NullString
				origin     originColumns
				originDest = origin.dest()
			)
			if err := scan(append([]any{&at, &status, &attempt, &code, &msg}, originDest...)...); err != nil {
				return err
			}
			tr.At, tr.Status, tr.Attempt = sqlfilter.DecodeTime(at), teamsops.OperationStatus(status), int(attempt)
			if code.Valid {
				tr.Error = &teamsops.OperationError{Code: code.String, Message: msg.String}
			}
			if o := origin.origin(); o != nil && h.Origin == nil {
				h.Origin = o
			}
			h.Transitions = append(h.Transitions, tr)
			return nil
		})
	return h, err
}

// originColumns scans method … request_id of operation_history.
type originColumns struct {
	method, path, app, user, fault, requestID sql.NullString
}

func (c *originColumns) dest() []any {
	return []any{&c.method, &c.path, &c.app, &c.user, &c.fault, &c.requestID}
}

// origin returns the scanned origin, or nil if the row held none.
func (c *originColumns) origin() *teamsops.Origin {
	if !c.method.Valid {
		return nil
	}
	return &teamsops.Origin{Method: c.method.String, Path: c.path.String, ClientAppID: c.app.String,
		UserID: c.user.String, Fault: c.fault.String, RequestID: c.requestID.String}
}

// PruneHistory deletes at most max transitions of the history recorded
// before t, and returns how many it deleted: a caller that wants all gone
// calls it again while it deletes max. It deletes rows below the first,
// in seq order, recorded at t or later — all recorded before t — so that
// it reads only the rows it deletes, without an index on time; a row
// recorded before t after that one waits for a later prune.
func PruneHistory(ctx context.Context, db DB, t time.Time, max int) (int64, error) {
	var first, bound sql.NullInt64
	err := db.Query(ctx, `SELECT min(seq), max(seq) + 1 FROM operation_history`, nil,
		func(scan func(...any) error) error { return scan(&first, &bound) })
	if err != nil || !first.Valid {
		return 0, err
	}
	err = db.Query(ctx, `SELECT seq FROM operation_history WHERE recorded_at >= $1 ORDER BY seq LIMIT 1`,
		[]any{t.UnixNano()}, func(scan func(...any) error) error { return scan(&bound) })
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.Query(ctx, `DELETE FROM operation_history WHERE seq < $1 RETURNING seq`,
		[]any{min(bound.Int64, first.Int64+int64(max))}, func(scan func(...any) error) error {
			n++
			var seq int64
			return scan(&seq)
		})
	return n, err
}

// searchColumns are the operation's columns, then its origin's.
const searchColumns = `o.id, o.tenant_id, o.resource_kind, o.resource_id, o.operation_type, o.status,
	o.created_at, o.last_action_at, o.attempts_count, o.target_resource_id, o.target_resource_location,
	o.values_json, o.error_code, o.error_message,
	h.method, h.path, h.client_app_id, h.user_id, h.fault, h.request_id`

// DefaultSearchLimit is the page size of SearchOperations when the
// search gives none.
const DefaultSearchLimit = 50

// SearchOperations lists operations across tenants, newest first
// (teamsops.Store.SearchOperations). The keyset condition and the order
// follow the indexes of 0007_history.sql, so a page reads about as many
// rows as it returns.
func SearchOperations(ctx context.Context, db DB, q teamsops.OperationSearch) ([]*teamsops.Operation, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	for _, f := range []struct{ column, value string }{
		{"o.tenant_id", q.TenantID}, {"o.status", string(q.Status)},
		{"o.operation_type", string(q.Type)}, {"o.resource_id", q.ResourceID},
	} {
		if f.value != "" {
			where = append(where, f.column+" = "+arg(f.value))
		}
	}
	if c := q.Before; c != nil {
		created, err := sqlfilter.EncodeTime(c.CreatedDateTime)
		if err != nil {
			return nil, err
		}
		where = append(where, "(o.created_at, o.tenant_id, o.id) < ("+arg(created)+", "+arg(c.TenantID)+", "+arg(c.ID)+")")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultSearchLimit
	}
	query := `SELECT ` + searchColumns + ` FROM operations o
		LEFT JOIN operation_history h ON h.seq = (SELECT min(x.seq) FROM operation_history x
			WHERE x.tenant_id = o.tenant_id AND x.operation_id = o.id AND x.method IS NOT NULL)`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY o.created_at DESC, o.tenant_id DESC, o.id DESC LIMIT ` + arg(int64(limit))
	ops := []*teamsops.Operation{}
	err := db.Query(ctx, query, args, func(scan func(...any) error) error {
		op, err := scanSearched(scan)
		if err == nil {
			ops = append(ops, op)
		}
		return err
	})
	return ops, err
}

// scanSearched reads one row of searchColumns.
func scanSearched(scan func(...any) error) (*teamsops.Operation, error) {
	var (
		op                       teamsops.Operation
		kind, typ, status        string
		created, lastAction      int64
		attempts                 int64
		target, location, values sql.NullString
		errCode, errMessage      sql.NullString
		origin                   originColumns
	)
	dest := []any{&op.ID, &op.TenantID, &kind, &op.Resource.ID, &typ, &status, &created, &lastAction,
		&attempts, &target, &location, &values, &errCode, &errMessage}
	if err := scan(append(dest, origin.dest()...)...); err != nil {
		return nil, err
	}
	op.Resource.Kind = teamsops.ResourceKind(kind)
	op.Type, op.Status = teamsops.OperationType(typ), teamsops.OperationStatus(status)
	op.CreatedDateTime, op.LastActionDateTime = sqlfilter.DecodeTime(created), sqlfilter.DecodeTime(lastAction)
	op.AttemptsCount = int(attempts)
	op.TargetResourceID, op.TargetResourceLocation, op.Values = target.String, location.String, values.String
	if errCode.Valid {
		op.Error = &teamsops.OperationError{Code: errCode.String, Message: errMessage.String}
	}
	op.Origin = origin.origin()
	return &op, nil
}

// Tenants lists every tenant, ordered by id.
func Tenants(ctx context.Context, db DB) ([]*teamsops.Tenant, error) {
	tenants := []*teamsops.Tenant{}
	err := db.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants ORDER BY id`, nil,
		func(scan func(...any) error) error {
			t := &teamsops.Tenant{}
			tenants = append(tenants, t)
			return scan(&t.ID, &t.DisplayName, &t.VerifiedDomain)
		})
	return tenants, err
}
