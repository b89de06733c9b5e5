package sqlite

import (
	"context"

	"github.com/teamsops/teamsops"
)

// OperationWithAccess reads the access facts, then the operation: in
// process, two prepared statements cost no round trip.
func (s *Store) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id, userID, clientAppID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	a, err := s.Access(ctx, tenantID, ref, userID, clientAppID)
	if err != nil || !a.Exists {
		return a, nil, err
	}
	op, err := s.Operation(ctx, tenantID, ref, id)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return a, nil, nil
	}
	return a, op, err
}
