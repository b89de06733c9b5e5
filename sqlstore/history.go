package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// The history of operations (migration 0007_history.sql) and the
// dashboard's reads across tenants.

// OperationHistory returns what was recorded of an operation.
func (c Conn) OperationHistory(ctx context.Context, tenantID, id string) (*teamsops.History, error) {
	h := &teamsops.History{Transitions: []teamsops.Transition{}}
	err := c.q.Query(ctx, `SELECT at, status, attempt, error_code, error_message,
			method, path, client_app_id, user_id, fault, request_id
		FROM operation_history WHERE tenant_id = $1 AND operation_id = $2 ORDER BY seq`,
		[]any{tenantID, id}, func(row Row) error {
			var (
				tr        teamsops.Transition
				at        int64
				status    string
				attempt   int64
				code, msg *string
				origin    originColumns
			)
			if err := row.Scan(append([]any{&at, &status, &attempt, &code, &msg}, origin.dest()...)...); err != nil {
				return err
			}
			tr.At, tr.Status, tr.Attempt = sqlfilter.DecodeTime(at), teamsops.OperationStatus(status), int(attempt)
			if code != nil {
				tr.Error = &teamsops.OperationError{Code: *code, Message: deref(msg)}
			}
			if o := origin.origin(); o != nil && h.Origin == nil {
				h.Origin = o
			}
			h.Transitions = append(h.Transitions, tr)
			return nil
		})
	if err != nil {
		return nil, c.d.Error("read the operation's history", err)
	}
	return h, nil
}

// originColumns scans method … request_id of operation_history.
type originColumns struct {
	method, path, app, user, fault, requestID *string
}

func (c *originColumns) dest() []any {
	return []any{&c.method, &c.path, &c.app, &c.user, &c.fault, &c.requestID}
}

// origin returns the scanned origin, or nil if the row held none.
func (c *originColumns) origin() *teamsops.Origin {
	if c.method == nil {
		return nil
	}
	return &teamsops.Origin{Method: *c.method, Path: deref(c.path), ClientAppID: deref(c.app),
		UserID: deref(c.user), Fault: deref(c.fault), RequestID: deref(c.requestID)}
}

// pruneBatch bounds the rows one transaction of a prune (PruneHistory,
// PruneSignInGrants) deletes, so that it holds its locks (SQLite's one
// write lock) briefly.
const pruneBatch = 5000

// PruneHistory deletes the history recorded before t, a batch per
// transaction.
func (c Conn) PruneHistory(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := c.atomic(ctx, "prune history", func(q Querier, _ Note) error {
			var err error
			if n, err = pruneHistory(ctx, q, t, pruneBatch); err != nil {
				return c.d.Error("prune history", err)
			}
			return nil
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// pruneHistory deletes at most max transitions of the history recorded
// before t, and returns how many it deleted. It deletes rows below the
// first, in seq order, recorded at t or later — all recorded before t —
// so that it reads only the rows it deletes, without an index on time; a
// row recorded before t after that one waits for a later prune.
func pruneHistory(ctx context.Context, q Querier, t time.Time, max int) (int64, error) {
	var first, bound *int64
	if err := q.QueryRow(ctx, `SELECT min(seq), max(seq) + 1 FROM operation_history`).Scan(&first, &bound); err != nil || first == nil {
		return 0, err
	}
	err := q.QueryRow(ctx, `SELECT seq FROM operation_history WHERE recorded_at >= $1 ORDER BY seq LIMIT 1`,
		t.UnixNano()).Scan(&bound)
	if err != nil && !NoRows(err) {
		return 0, err
	}
	return q.Exec(ctx, `DELETE FROM operation_history WHERE seq < $1`, min(*bound, *first+int64(max)))
}

// searchColumns are the operation's columns, then its origin's.
const searchColumns = `o.id, o.tenant_id, o.resource_kind, o.resource_id, o.operation_type, o.status,
	o.created_at, o.last_action_at, o.attempts_count, o.target_resource_id, o.target_resource_location,
	o.values_json, o.error_code, o.error_message,
	h.method, h.path, h.client_app_id, h.user_id, h.fault, h.request_id`

// defaultSearchLimit is the page size of SearchOperations when the
// search gives none.
const defaultSearchLimit = 50

// SearchOperations lists operations across tenants, newest first. The
// keyset condition and the order follow the indexes of 0007_history.sql,
// so a page reads about as many rows as it returns.
func (c Conn) SearchOperations(ctx context.Context, q teamsops.OperationSearch) ([]*teamsops.Operation, error) {
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
	if b := q.Before; b != nil {
		created, err := sqlfilter.EncodeTime(b.CreatedDateTime)
		if err != nil {
			return nil, c.d.Error("search operations", err)
		}
		where = append(where, "(o.created_at, o.tenant_id, o.id) < ("+arg(created)+", "+arg(b.TenantID)+", "+arg(b.ID)+")")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	query := `SELECT ` + searchColumns + ` FROM operations o
		LEFT JOIN operation_history h ON h.seq = (SELECT min(x.seq) FROM operation_history x
			WHERE x.tenant_id = o.tenant_id AND x.operation_id = o.id AND x.method IS NOT NULL)`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY o.created_at DESC, o.tenant_id DESC, o.id DESC LIMIT ` + arg(int64(limit))
	ops := []*teamsops.Operation{}
	err := c.q.Query(ctx, query, args, func(row Row) error {
		var s operationScan
		var origin originColumns
		if err := row.Scan(append(s.dest(), origin.dest()...)...); err != nil {
			return err
		}
		op := s.operation()
		op.Origin = origin.origin()
		ops = append(ops, op)
		return nil
	})
	if err != nil {
		return nil, c.d.Error("search operations", err)
	}
	return ops, nil
}

// Tenants lists every tenant, ordered by id.
func (c Conn) Tenants(ctx context.Context) ([]*teamsops.Tenant, error) {
	tenants := []*teamsops.Tenant{}
	err := c.q.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants ORDER BY id`, nil,
		func(row Row) error {
			t := &teamsops.Tenant{}
			tenants = append(tenants, t)
			return row.Scan(&t.ID, &t.DisplayName, &t.VerifiedDomain)
		})
	if err != nil {
		return nil, c.d.Error("list tenants", err)
	}
	return tenants, nil
}
