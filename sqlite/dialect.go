package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/teamsops/teamsops/sqlstore"
)

// dialect is what SQLite does differently from PostgreSQL for package
// sqlstore, whose statements both run.
type dialect struct{}

var _ sqlstore.Dialect = dialect{}

func (dialect) Error(what string, err error) error { return storeError(what, err) }

// List scans a JSON array of strings (a TEXT column: STRICT tables have
// no array type).
func (dialect) List(dst *[]string) any { return listScanner{dst} }

// ListValue encodes v as a JSON array, [] when empty.
func (dialect) ListValue(v []string) any {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // a []string always marshals
	return string(b)
}

func (dialect) TablesWith(ctx context.Context, q sqlstore.Querier, column string) ([]string, error) {
	var tables []string
	err := q.Query(ctx, `SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = $1 ORDER BY m.name`, []any{column},
		func(row sqlstore.Row) error {
			var t string
			err := row.Scan(&t)
			tables = append(tables, t)
			return err
		})
	return tables, err
}

// listScanner is a sql.Scanner of a JSON array of strings into dst.
type listScanner struct{ dst *[]string }

func (l listScanner) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil: // the member columns of a group, chat or team without members
		*l.dst = nil
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("sqlite: a list is %T, not JSON text", src)
	}
	var list []string
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return fmt.Errorf("sqlite: a list is not a JSON array of strings: %w", err)
	}
	if len(list) == 0 {
		list = nil
	}
	*l.dst = list
	return nil
}

// sqlQuerier adapts a *sql.DB or *sql.Tx to sqlstore.Querier.
type sqlQuerier struct{ q querier }

func (a sqlQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := a.q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (a sqlQuerier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return a.q.QueryRowContext(ctx, query, args...)
}

func (a sqlQuerier) Query(ctx context.Context, query string, args []any, row func(sqlstore.Row) error) error {
	rows, err := a.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return sqlstore.EachRow(rows, row)
}

// ListHas looks into the JSON array.
func (dialect) ListHas(list, value string) string {
	return `EXISTS (SELECT 1 FROM json_each(` + list + `) WHERE value = ` + value + `)`
}

// ListOf builds a JSON array, whose order List's readers do not rely on.
func (dialect) ListOf(column, from string) string {
	return `(SELECT json_group_array(DISTINCT ` + column + `) ` + from + `)`
}

// TxQuerier reads the *sql.Tx of a group commit.
func (dialect) TxQuerier(tx any) sqlstore.Querier { return sqlQuerier{tx.(*sql.Tx)} }

// AnyOf passes list as a JSON array, whose values json_each lists.
func (dialect) AnyOf(expr, param string, list any) (string, any) {
	b, _ := json.Marshal(list)
	return expr + ` IN (SELECT value FROM json_each(` + param + `))`, string(b)
}

// LockTable is "": a write transaction begins IMMEDIATE, holding the
// database's one write lock, which every process on the file takes in
// turn.
func (dialect) LockTable(string) string { return "" }
