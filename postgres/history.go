package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/tenantsql"
)

// The history of operations and the dashboard's reads run package
// tenantsql's statements, which the SQLite store shares.

// pruneBatch bounds the transitions one transaction of PruneHistory
// deletes, so that it holds its locks briefly.
const pruneBatch = 5000

// recordTransition records op's state in its history, inside the write
// that changed it.
func recordTransition(ctx context.Context, q querier, op *teamsops.Operation, origin bool) error {
	if err := tenantsql.RecordTransition(ctx, shared{q}, op, origin); err != nil {
		return storeError("record the operation's history", err)
	}
	return nil
}

// RecordTransition records op's state in its history and reports its
// change, as UpdateOperation does, without writing the operation's row:
// for a state that a later UpdateOperation of the same transaction
// supersedes — an attempt that starts and ends at once (package engine).
func (c conn) RecordTransition(ctx context.Context, op *teamsops.Operation) error {
	return c.atomic(ctx, "update operation", func(q querier, note noter) error {
		note(operationChanged(op))
		return recordTransition(ctx, q, op, false)
	})
}

// SearchOperations lists operations across tenants, newest first.
func (s *Store) SearchOperations(ctx context.Context, q teamsops.OperationSearch) ([]*teamsops.Operation, error) {
	ops, err := tenantsql.SearchOperations(ctx, shared{s.pool}, q)
	if err != nil {
		return nil, storeError("search operations", err)
	}
	return ops, nil
}

// OperationHistory returns what was recorded of an operation.
func (s *Store) OperationHistory(ctx context.Context, tenantID, id string) (*teamsops.History, error) {
	h, err := tenantsql.History(ctx, shared{s.pool}, tenantID, id)
	if err != nil {
		return nil, storeError("read the operation's history", err)
	}
	return h, nil
}

// PruneHistory deletes the history recorded before t, a batch per
// transaction.
func (s *Store) PruneHistory(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.inTx(ctx, "prune history", func(tx pgx.Tx) error {
			var err error
			if n, err = tenantsql.PruneHistory(ctx, shared{tx}, t, pruneBatch); err != nil {
				return storeError("prune history", err)
			}
			return nil
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// Tenants lists every tenant, ordered by id.
func (s *Store) Tenants(ctx context.Context) ([]*teamsops.Tenant, error) {
	ts, err := tenantsql.Tenants(ctx, shared{s.pool})
	if err != nil {
		return nil, storeError("list tenants", err)
	}
	return ts, nil
}
