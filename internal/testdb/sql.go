package testdb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// Exec runs one SQL statement, with $1, $2… placeholders (both back ends
// read them), on a store's database or inside a store's transaction: q is
// a teamsops.Store or teamsops.Tx of either back end. Tests use it for
// tables of their own beside the store's.
func Exec(ctx context.Context, q any, query string, args ...any) error {
	switch q := unwrap(q).(type) {
	case *sql.DB:
		_, err := q.ExecContext(ctx, query, args...)
		return err
	case *sql.Tx:
		_, err := q.ExecContext(ctx, query, args...)
		return err
	case interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}:
		_, err := q.Exec(ctx, query, args...)
		return err
	}
	return fmt.Errorf("testdb: cannot run SQL on a %T", q)
}

// Int runs a query that returns one integer, such as a count(*), on a
// store's database.
func Int(ctx context.Context, s teamsops.Store, query string, args ...any) (int, error) {
	var n int
	var err error
	switch q := unwrap(s).(type) {
	case *sql.DB:
		err = q.QueryRowContext(ctx, query, args...).Scan(&n)
	case interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}:
		err = q.QueryRow(ctx, query, args...).Scan(&n)
	default:
		err = fmt.Errorf("testdb: cannot run SQL on a %T", q)
	}
	return n, err
}

// unwrap returns the driver's handle behind a store or transaction.
func unwrap(q any) any {
	switch q := q.(type) {
	case *sqlite.Store:
		return q.DB()
	case *postgres.Store:
		return q.Pool()
	case teamsops.Tx:
		return q.Driver()
	}
	return q
}
