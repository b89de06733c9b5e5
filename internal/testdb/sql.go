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

// TenantRows counts, in every table of a store's database that has a
// tenant_id column — found in the schema, so that tables added later
// count too — the rows of tenant, and in River's job table the jobs whose
// arguments name it. Tests of a tenant's deletion expect only zeros.
func TenantRows(ctx context.Context, s teamsops.Store, tenant string) (map[string]int, error) {
	tables := `SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name`
	jobs := `SELECT count(*) FROM river_job WHERE json_extract(args, '$.tenant_id') = $1`
	if _, ok := s.(*postgres.Store); ok {
		tables = `SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name`
		jobs = `SELECT count(*) FROM river_job WHERE args->>'tenant_id' = $1`
	}
	names, err := Strings(ctx, s, tables)
	if err != nil {
		return nil, err
	}
	rows := map[string]int{}
	for _, name := range names {
		if rows[name], err = Int(ctx, s, `SELECT count(*) FROM "`+name+`" WHERE tenant_id = $1`, tenant); err != nil {
			return nil, err
		}
	}
	if rows["river_job"], err = Int(ctx, s, jobs, tenant); err != nil {
		return nil, err
	}
	return rows, nil
}

// Strings runs a query that returns one text column on a store's database.
func Strings(ctx context.Context, s teamsops.Store, query string, args ...any) ([]string, error) {
	var out []string
	switch q := unwrap(s).(type) {
	case *sql.DB:
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, rows.Err()
	case interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}:
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[string])
	}
	return nil, fmt.Errorf("testdb: cannot run SQL on a %T", s)
}
