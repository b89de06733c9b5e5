package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const operationColumns = `id, tenant_id, resource_kind, resource_id, operation_type, status,
	created_at, last_action_at, attempts_count, target_resource_id, target_resource_location,
	values_json, error_code, error_message`

const operationByID = `SELECT ` + operationColumns + ` FROM operations
	WHERE tenant_id = ? AND resource_kind = ? AND resource_id = ? AND id = ?`

// Operation returns the operation id of one chat or team.
func (s *Store) Operation(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	row, err := s.queryRow(ctx, operationByID, tenantID, string(ref.Kind), ref.ID, id)
	if err != nil {
		return nil, storeError("read operation", err)
	}
	op, err := scanOperation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Operation '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read operation", err)
	}
	return op, nil
}

// ListOperations returns the operations of one chat or team that match
// q.Filter, ordered by creation time then id, and paged by q.Skip and q.Top.
// With q.Count it also counts all matches, in the same snapshot.
func (s *Store) ListOperations(ctx context.Context, tenantID string, ref teamsops.ResourceRef, q teamsops.OperationQuery) ([]*teamsops.Operation, int, error) {
	where, filterArgs, err := sqlfilter.Where(q.Filter, func(int) string { return "?" })
	if err != nil {
		return nil, 0, err
	}
	where = "tenant_id = ? AND resource_kind = ? AND resource_id = ? AND (" + where + ")"
	args := slices.Concat([]any{tenantID, string(ref.Kind), ref.ID}, filterArgs)

	limit := int64(q.Top)
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// The count of all matches comes with the page, from an uncorrelated
	// subquery the database evaluates once: one statement, one snapshot.
	// (A window, count(*) OVER (), would hold every match of a
	// 100,000-operation chat to count them: twenty times slower.)
	total, totalArgs := "-1", []any(nil)
	if q.Count {
		total, totalArgs = `(SELECT count(*) FROM operations WHERE `+where+`)`, args
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+operationColumns+`, `+total+` FROM operations WHERE `+where+`
		ORDER BY created_at, id LIMIT ? OFFSET ?`, slices.Concat(totalArgs, args, []any{limit, max(q.Skip, 0)})...)
	if err != nil {
		return nil, 0, storeError("list operations", err)
	}
	defer rows.Close()
	ops, count := []*teamsops.Operation{}, -1
	for rows.Next() {
		op, err := scanOperation(rows, &count)
		if err != nil {
			return nil, 0, storeError("list operations", err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, storeError("list operations", err)
	}
	if q.Count && len(ops) == 0 {
		// A page past the end has no row to carry the count.
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM operations WHERE `+where, args...).Scan(&count); err != nil {
			return nil, 0, storeError("count operations", err)
		}
	}
	return ops, count, nil
}

// OperationByID returns the operation id of the tenant, whatever its
// chat or team.
func (c conn) OperationByID(ctx context.Context, tenantID, id string) (*teamsops.Operation, error) {
	op, err := scanOperation(c.q.QueryRowContext(ctx, `SELECT `+operationColumns+` FROM operations
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Operation '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read operation", err)
	}
	return op, nil
}

// CreateOperation creates op, or replaces the operation of that id, and
// records the transition in its history.
func (c conn) CreateOperation(ctx context.Context, op *teamsops.Operation) error {
	created, err := sqlfilter.EncodeTime(op.CreatedDateTime)
	if err != nil {
		return err
	}
	state, err := operationState(op)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create operation", func(q querier, note noter) error {
		note(operationChanged(op))
		if err := createOperation(ctx, q, op, created, state); err != nil {
			return err
		}
		return c.recordTransition(ctx, q, op, true)
	})
}

func createOperation(ctx context.Context, q querier, op *teamsops.Operation, created int64, state mutableColumns) error {
	_, err := q.ExecContext(ctx, `INSERT INTO operations (`+operationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
		return storeError("create operation", err)
	}
	return nil
}

// UpdateOperation writes what changes as an operation runs: its status,
// lastActionDateTime, attemptsCount, target and error; and records the
// transition in its history.
func (c conn) UpdateOperation(ctx context.Context, op *teamsops.Operation) error {
	state, err := operationState(op)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "update operation", func(q querier, note noter) error {
		note(operationChanged(op))
		if err := updateOperation(ctx, q, op, state); err != nil {
			return err
		}
		return c.recordTransition(ctx, q, op, false)
	})
}

func updateOperation(ctx context.Context, q querier, op *teamsops.Operation, state mutableColumns) error {
	res, err := q.ExecContext(ctx, `UPDATE operations SET status = ?, last_action_at = ?,
			attempts_count = ?, target_resource_id = ?, target_resource_location = ?,
			error_code = ?, error_message = ?
		WHERE tenant_id = ? AND id = ?`,
		state.status, state.lastAction, state.attempts, state.target, state.location,
		state.errCode, state.errMessage, op.TenantID, op.ID)
	if err != nil {
		return storeError("update operation", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return storeError("update operation", err)
	} else if n == 0 {
		return notFound("Operation '%s' was not found.", op.ID)
	}
	return nil
}

// mutableColumns are the values of what changes as an operation runs.
type mutableColumns struct {
	status              string
	lastAction          int64
	attempts            int
	target, location    any // NULL when empty
	errCode, errMessage any // both NULL when there is no error
}

// operationState returns op's mutableColumns.
func operationState(op *teamsops.Operation) (mutableColumns, error) {
	lastAction, err := sqlfilter.EncodeTime(op.LastActionDateTime)
	if err != nil {
		return mutableColumns{}, err
	}
	st := mutableColumns{status: string(op.Status), lastAction: lastAction, attempts: op.AttemptsCount,
		target: nullString(op.TargetResourceID), location: nullString(op.TargetResourceLocation)}
	if op.Error != nil {
		st.errCode, st.errMessage = op.Error.Code, op.Error.Message
	}
	return st, nil
}

// scanOperation reads one row of operationColumns, and of what follows
// them into more.
func scanOperation(row interface{ Scan(...any) error }, more ...any) (*teamsops.Operation, error) {
	var (
		op                       teamsops.Operation
		kind, typ, status        string
		created, lastAction      int64
		target, location, values sql.NullString
		errCode, errMessage      sql.NullString
	)
	err := row.Scan(append([]any{&op.ID, &op.TenantID, &kind, &op.Resource.ID, &typ, &status, &created, &lastAction,
		&op.AttemptsCount, &target, &location, &values, &errCode, &errMessage}, more...)...)
	if err != nil {
		return nil, err
	}
	op.Resource.Kind = teamsops.ResourceKind(kind)
	op.Type, op.Status = teamsops.OperationType(typ), teamsops.OperationStatus(status)
	op.CreatedDateTime, op.LastActionDateTime = sqlfilter.DecodeTime(created), sqlfilter.DecodeTime(lastAction)
	op.TargetResourceID, op.TargetResourceLocation, op.Values = target.String, location.String, values.String
	if errCode.Valid {
		op.Error = &teamsops.OperationError{Code: errCode.String, Message: errMessage.String}
	}
	return &op, nil
}
