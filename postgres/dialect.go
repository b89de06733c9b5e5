package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/teamsops/teamsops/sqlstore"
)

// dialect is what PostgreSQL does differently from SQLite for package
// sqlstore, whose statements both run.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

func (dialect) Error(what string, err error) error { return storeError(what, err) }

// List scans a TEXT[] column; pgx reads it into a []string.
func (dialect) List(dst *[]string) any { return listScanner{dst} }

// ListValue keeps v as a TEXT[], '{}' when empty.
func (dialect) ListValue(v []string) any { return textArray(v) }

// TablesWith lists the tables of the schema the store uses (the first of
// its search_path) that have column.
func (dialect) TablesWith(ctx context.Context, q sqlstore.Querier, column string) ([]string, error) {
	var tables []string
	err := q.Query(ctx, `SELECT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name = $1 ORDER BY table_name`, []any{column},
		func(row sqlstore.Row) error {
			var t string
			err := row.Scan(&t)
			tables = append(tables, t)
			return err
		})
	return tables, err
}

// listScanner reads a TEXT[] into dst (a pgtype.ArraySetter); an empty
// array is nil, as in SQLite.
type listScanner struct{ dst *[]string }

func (l listScanner) SetDimensions(dimensions []pgtype.ArrayDimension) error {
	n := 0
	if len(dimensions) > 0 {
		n = 1
		for _, d := range dimensions {
			n *= int(d.Length)
		}
	}
	if n == 0 {
		*l.dst = nil
		return nil
	}
	*l.dst = make([]string, n)
	return nil
}

func (l listScanner) ScanIndex(i int) any { return &(*l.dst)[i] }

func (l listScanner) ScanIndexType() any { return new(string) }

// pgxQuerier adapts the pool or a pgx.Tx to sqlstore.Querier.
type pgxQuerier struct{ q querier }

func (a pgxQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := a.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (a pgxQuerier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return a.q.QueryRow(ctx, query, args...)
}

func (a pgxQuerier) Query(ctx context.Context, query string, args []any, row func(sqlstore.Row) error) error {
	rows, err := a.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlstore.EachRow(rows, row)
}

// ListHas uses ANY on the TEXT[].
func (dialect) ListHas(list, value string) string { return value + ` = ANY (` + list + `)` }

// ListOf builds a TEXT[], sorted.
func (dialect) ListOf(column, from string) string {
	return `ARRAY (SELECT DISTINCT ` + column + ` ` + from + ` ORDER BY ` + column + `)`
}

// TxQuerier reads a pgx.Tx.
func (dialect) TxQuerier(tx any) sqlstore.Querier { return pgxQuerier{tx.(pgx.Tx)} }

// AnyOf passes list as an array; pgx encodes a []string or []int64.
func (dialect) AnyOf(expr, param string, list any) (string, any) {
	return expr + ` = ANY(` + param + `)`, list
}

// LockTable takes SHARE ROW EXCLUSIVE, which conflicts with itself and
// with writers of table, not with its readers.
func (dialect) LockTable(table string) string {
	return `LOCK TABLE ` + table + ` IN SHARE ROW EXCLUSIVE MODE`
}
