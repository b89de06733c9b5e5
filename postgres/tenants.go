package postgres

import (
	"context"

	"github.com/teamsops/teamsops/internal/tenantsql"
	"github.com/teamsops/teamsops/sqlstore"
)

// The deletes, the record of declared entities and the instance settings
// are package sqlstore's. The files not yet moved there (signin.go,
// history.go) still run package tenantsql's statements through these.

// shared adapts a querier to tenantsql.DB.
type shared struct{ q querier }

func (s shared) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.q.Exec(ctx, query, args...)
	return err
}

func (s shared) Query(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	return pgxQuerier{s.q}.Query(ctx, query, args, func(r sqlstore.Row) error { return row(r.Scan) })
}

// write runs one of tenantsql's writes in c's transaction.
func (c conn) write(ctx context.Context, what string, fn func(db tenantsql.DB, note tenantsql.Note) error) error {
	return c.atomic(ctx, what, func(q querier, note noter) error {
		if err := fn(shared{q}, tenantsql.Note(note)); err != nil {
			return storeError(what, err)
		}
		return nil
	})
}
