package sqlstore

import (
	"context"
	"math"
	"slices"
	"strconv"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const operationColumns = `id, tenant_id, resource_kind, resource_id, operation_type, status,
	created_at, last_action_at, attempts_count, target_resource_id, target_resource_location,
	values_json, error_code, error_message`

const operationByID = `SELECT ` + operationColumns + ` FROM operations
	WHERE tenant_id = $1 AND resource_kind = $2 AND resource_id = $3 AND id = $4`

// Operation returns the operation id of one chat or team.
func (c Conn) Operation(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	op, err := scanOperation(c.q.QueryRow(ctx, operationByID, tenantID, string(ref.Kind), ref.ID, id))
	if NoRows(err) {
		return nil, notFound("Operation '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read operation", err)
	}
	return op, nil
}

// noLimit is the LIMIT of a page without $top: SQLite reads no OFFSET
// without a LIMIT, and both read the largest int8 as no bound.
const noLimit = math.MaxInt64

// ListOperations returns the operations of one chat or team that match
// q.Filter, ordered by creation time then id, and paged by q.Skip and q.Top.
// With q.Count it also counts all matches, in the same snapshot.
func (c Conn) ListOperations(ctx context.Context, tenantID string, ref teamsops.ResourceRef, q teamsops.OperationQuery) ([]*teamsops.Operation, int, error) {
	// The filter's arguments follow the tenant, kind and resource id.
	where, filterArgs, err := sqlfilter.Where(q.Filter, func(n int) string { return "$" + strconv.Itoa(n+3) })
	if err != nil {
		return nil, 0, err
	}
	where = "tenant_id = $1 AND resource_kind = $2 AND resource_id = $3 AND (" + where + ")"
	args := slices.Concat([]any{tenantID, string(ref.Kind), ref.ID}, filterArgs)

	limit := int64(noLimit)
	if q.Top > 0 {
		limit = int64(q.Top)
	}
	// The count of all matches comes with the page, from an uncorrelated
	// subquery the database evaluates once: one statement, one snapshot,
	// one round trip. (A window, count(*) OVER (), would hold every match
	// of a 100,000-operation chat to count them: twenty times slower.)
	total := "-1"
	if q.Count {
		total = `(SELECT count(*) FROM operations WHERE ` + where + `)`
	}
	n := len(args)
	ops, count := []*teamsops.Operation{}, int64(-1)
	err = c.q.Query(ctx, `SELECT `+operationColumns+`, `+total+` FROM operations WHERE `+where+`
		ORDER BY created_at, id LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		slices.Concat(args, []any{limit, int64(max(q.Skip, 0))}), func(row Row) error {
			op, err := scanOperation(row, &count)
			if err == nil {
				ops = append(ops, op)
			}
			return err
		})
	if err != nil {
		return nil, 0, c.d.Error("list operations", err)
	}
	if q.Count && len(ops) == 0 {
		// A page past the end has no row to carry the count.
		if err := c.q.QueryRow(ctx, `SELECT count(*) FROM operations WHERE `+where, args...).Scan(&count); err != nil {
			return nil, 0, c.d.Error("count operations", err)
		}
	}
	return ops, int(count), nil
}

// OperationByID returns the operation id of the tenant, whatever its chat
// or team. Inside a Tx on PostgreSQL it locks the row until the
// transaction ends (c.lock).
func (c Conn) OperationByID(ctx context.Context, tenantID, id string) (*teamsops.Operation, error) {
	op, err := scanOperation(c.q.QueryRow(ctx, `SELECT `+operationColumns+` FROM operations
		WHERE tenant_id = $1 AND id = $2`+c.lock, tenantID, id))
	if NoRows(err) {
		return nil, notFound("Operation '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read operation", err)
	}
	return op, nil
}

// CreateOperation creates op, or replaces the operation of that id, and
// records the transition in its history.
func (c Conn) CreateOperation(ctx context.Context, op *teamsops.Operation) error {
	created, err := sqlfilter.EncodeTime(op.CreatedDateTime)
	if err != nil {
		return err
	}
	state, err := operationState(op)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create operation", func(q Querier, note Note) error {
		note(operationChanged(op))
		if err := c.createOperation(ctx, q, op, created, state); err != nil {
			return err
		}
		return c.recordTransition(ctx, q, op, true)
	})
}

func (c Conn) createOperation(ctx context.Context, q Querier, op *teamsops.Operation, created int64, state mutableColumns) error {
	_, err := q.Exec(ctx, `INSERT INTO operations (`+operationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			resource_kind = excluded.resource_kind,
			resource_id = excluded.resource_id,
			operation_type = excluded.operation_type,
			status = excluded.status,
			created_at = excluded.created_at,
			last_action_at = excluded.last_action_at,
			attempts_count = excluded.attempts_count,
			target_resource_id = excluded.target_resource_id,
			target_resource_location = excluded.target_resource_location,
			values_json = excluded.values_json,
			error_code = excluded.error_code,
			error_message = excluded.error_message`,
		op.ID, op.TenantID, string(op.Resource.Kind), op.Resource.ID, string(op.Type), state.status,
		created, state.lastAction, state.attempts, state.target, state.location, nullString(op.Values),
		state.errCode, state.errMessage)
	if err != nil {
		return c.d.Error("create operation", err)
	}
	return nil
}

// UpdateOperation writes what changes as an operation runs: its status,
// lastActionDateTime, attemptsCount, target and error; and records the
// transition in its history.
func (c Conn) UpdateOperation(ctx context.Context, op *teamsops.Operation) error {
	state, err := operationState(op)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "update operation", func(q Querier, note Note) error {
		note(operationChanged(op))
		if err := c.updateOperation(ctx, q, op, state); err != nil {
			return err
		}
		return c.recordTransition(ctx, q, op, false)
	})
}

func (c Conn) updateOperation(ctx context.Context, q Querier, op *teamsops.Operation, state mutableColumns) error {
	n, err := q.Exec(ctx, `UPDATE operations SET status = $1, last_action_at = $2,
			attempts_count = $3, target_resource_id = $4, target_resource_location = $5,
			error_code = $6, error_message = $7
		WHERE tenant_id = $8 AND id = $9`,
		state.status, state.lastAction, state.attempts, state.target, state.location,
		state.errCode, state.errMessage, op.TenantID, op.ID)
	if err != nil {
		return c.d.Error("update operation", err)
	}
	if n == 0 {
		return notFound("Operation '%s' was not found.", op.ID)
	}
	return nil
}

// operationChanged is the change of op, as it is now.
func operationChanged(op *teamsops.Operation) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeOperation, TenantID: op.TenantID, Resource: op.Resource,
		OperationID: op.ID, Status: op.Status}
}

// mutableColumns are the values of what changes as an operation runs.
type mutableColumns struct {
	status              string
	lastAction          int64
	attempts            int64
	target, location    any // NULL when empty
	errCode, errMessage any // both NULL when there is no error
}

// operationState returns op's mutableColumns.
func operationState(op *teamsops.Operation) (mutableColumns, error) {
	lastAction, err := sqlfilter.EncodeTime(op.LastActionDateTime)
	if err != nil {
		return mutableColumns{}, err
	}
	st := mutableColumns{status: string(op.Status), lastAction: lastAction, attempts: int64(op.AttemptsCount),
		target: nullString(op.TargetResourceID), location: nullString(op.TargetResourceLocation)}
	if op.Error != nil {
		st.errCode, st.errMessage = op.Error.Code, op.Error.Message
	}
	return st, nil
}

// scanOperation reads one row of operationColumns, and of what follows
// them into more.
func scanOperation(row Row, more ...any) (*teamsops.Operation, error) {
	var s operationScan
	if err := row.Scan(append(s.dest(), more...)...); err != nil {
		return nil, err
	}
	return s.operation(), nil
}

// operationScan holds one row of operationColumns as scanned.
type operationScan struct {
	op                       teamsops.Operation
	kind, typ, status        string
	created, lastAction      int64
	attempts                 int64
	target, location, values *string
	errCode, errMessage      *string
}

// dest lists where to scan operationColumns.
func (s *operationScan) dest() []any {
	return []any{&s.op.ID, &s.op.TenantID, &s.kind, &s.op.Resource.ID, &s.typ, &s.status, &s.created,
		&s.lastAction, &s.attempts, &s.target, &s.location, &s.values, &s.errCode, &s.errMessage}
}

// operation returns the operation scanned.
func (s *operationScan) operation() *teamsops.Operation {
	op := &s.op
	op.Resource.Kind = teamsops.ResourceKind(s.kind)
	op.Type, op.Status = teamsops.OperationType(s.typ), teamsops.OperationStatus(s.status)
	op.CreatedDateTime, op.LastActionDateTime = sqlfilter.DecodeTime(s.created), sqlfilter.DecodeTime(s.lastAction)
	op.AttemptsCount = int(s.attempts)
	op.TargetResourceID, op.TargetResourceLocation, op.Values = deref(s.target), deref(s.location), deref(s.values)
	if s.errCode != nil {
		op.Error = &teamsops.OperationError{Code: *s.errCode, Message: deref(s.errMessage)}
	}
	return op
}
