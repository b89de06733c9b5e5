package postgres

import (
	"context"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// opAccessQueries read the access facts of accessQueries ($1–$5) and, in
// the same statement, the operation $6 of the resource: one round trip
// for a GET of an operation.
var opAccessQueries = map[teamsops.ResourceKind]string{}

func init() {
	cols := strings.Split(operationColumns, ",")
	for i, c := range cols {
		c = "o." + strings.TrimSpace(c)
		switch i {
		case 8: // attempts_count
			cols[i] = "coalesce(" + c + ", 0)"
		case 6, 7: // created_at, last_action_at
			cols[i] = "coalesce(" + c + ", 0)"
		case 9, 10, 11, 12, 13: // nullable text
			cols[i] = c
		default:
			cols[i] = "coalesce(" + c + ", '')"
		}
	}
	for kind, q := range accessQueries {
		opAccessQueries[kind] = `SELECT a.*, o.id IS NOT NULL, ` + strings.Join(cols, ", ") + `
			FROM (` + q + `) a
			LEFT JOIN operations o ON o.tenant_id = $1 AND o.resource_kind = $4 AND o.resource_id = $2 AND o.id = $6`
	}
}

// OperationWithAccess reads the access facts and the operation in one
// statement.
func (s *Store) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id, userID, clientAppID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	var a teamsops.ResourceAccess
	query, ok := opAccessQueries[ref.Kind]
	if !ok {
		return a, nil, nil // no such kind, so no such resource
	}
	var (
		found                    bool
		op                       teamsops.Operation
		kind, typ, status        string
		created, lastAction      int64
		attempts                 int64
		target, location, values *string
		errCode, errMessage      *string
	)
	err := s.pool.QueryRow(ctx, query, tenantID, ref.ID, userID, string(ref.Kind), clientAppID, id).Scan(
		&a.Exists, &a.Member, &a.Owner, &a.Grants, &found,
		&op.ID, &op.TenantID, &kind, &op.Resource.ID, &typ, &status, &created, &lastAction,
		&attempts, &target, &location, &values, &errCode, &errMessage)
	if err != nil {
		return teamsops.ResourceAccess{}, nil, storeError("read operation and access", err)
	}
	if !a.Exists {
		return teamsops.ResourceAccess{}, nil, nil // grants may outlive their resource
	}
	a.Grants = noneIfEmpty(a.Grants)
	if !found {
		return a, nil, nil
	}
	op.Resource.Kind = teamsops.ResourceKind(kind)
	op.Type, op.Status = teamsops.OperationType(typ), teamsops.OperationStatus(status)
	op.CreatedDateTime, op.LastActionDateTime = sqlfilter.DecodeTime(created), sqlfilter.DecodeTime(lastAction)
	op.AttemptsCount = int(attempts)
	op.TargetResourceID, op.TargetResourceLocation, op.Values = deref(target), deref(location), deref(values)
	if errCode != nil {
		op.Error = &teamsops.OperationError{Code: *errCode, Message: deref(errMessage)}
	}
	return a, &op, nil
}
