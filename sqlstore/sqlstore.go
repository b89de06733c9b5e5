// Package sqlstore is teamsops' store written once over SQL: the methods of
// teamsops.Store whose statements the SQLite and PostgreSQL back ends run
// alike. The two back ends keep the same tables under the same names and
// both read $1, $2… placeholders, so each statement is written here once.
//
// Package sqlite and package postgres are its dialects, as River's drivers
// are River's: each opens and migrates its database, adapts its driver to
// Querier, runs transactions, reports committed changes (the change feed),
// and holds in a Dialect only what its database truly does differently.
// Both pass package storetest, so "works on SQLite" and "works on
// PostgreSQL" stay the same claim.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/teamsops/teamsops"
)

// Querier runs statements with $1, $2… placeholders on a database's pool
// or inside one of its transactions.
type Querier interface {
	// Exec runs a statement and returns how many rows it changed.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query that returns at most one row. Its Scan
	// reports an error that NoRows recognises when the query returned
	// none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// Query runs a query and calls row for each of its rows in turn,
	// stopping at the first error row returns.
	Query(ctx context.Context, query string, args []any, row func(Row) error) error
}

// Row is one row of a result.
type Row interface {
	Scan(dest ...any) error
}

// Dialect holds what one database does differently from the other.
type Dialect interface {
	// Error wraps a driver's error with what the store was doing; a
	// constraint violation, the caller's mistake, also carries a
	// teamsops code.
	Error(what string, err error) error
	// List returns where to scan a column holding a list of strings
	// into dst (a JSON array in SQLite, TEXT[] in PostgreSQL); an empty
	// list reads as nil.
	List(dst *[]string) any
	// ListValue returns v as that column's value; nil is an empty list.
	ListValue(v []string) any
	// TablesWith lists the tables of the store's schema that have a
	// column named column.
	TablesWith(ctx context.Context, q Querier, column string) ([]string, error)
}

// Note records changes a write makes; the store reports them once the
// write commits (teamsops.Store.Watch).
type Note func(changes ...teamsops.Change)

// Atomic runs fn so that its statements commit together — in a new
// transaction on the pool, directly inside a Tx — and reports the changes
// fn notes once they have committed.
type Atomic func(ctx context.Context, what string, fn func(q Querier, note Note) error) error

// Conn is the store's methods on one database: on its pool, or inside one
// write transaction (a teamsops.Tx). A back end's Store and Tx embed it.
type Conn struct {
	q      Querier
	d      Dialect
	atomic Atomic
	// lock is appended, inside a Tx, to a read that a write will follow:
	// " FOR UPDATE" on PostgreSQL, so that of several replicas running the
	// same job one waits for the other's commit and then sees its result.
	// SQLite's write transactions hold the whole database already.
	lock string
	// deferred, inside a Tx of a store that commits transactions in
	// groups, queues rows written with those of the group (Tx.Defer).
	deferred *teamsops.Deferred
}

// NewConn returns the methods of a store on the pool q.
func NewConn(q Querier, d Dialect, atomic Atomic) Conn {
	return Conn{q: q, d: d, atomic: atomic}
}

// InTx returns the methods of a store inside one transaction q: reads
// that a write follows take lock, and deferred (if not nil) queues rows
// until the transaction's group commits.
func InTx(q Querier, d Dialect, atomic Atomic, lock string, deferred *teamsops.Deferred) Conn {
	return Conn{q: q, d: d, atomic: atomic, lock: lock, deferred: deferred}
}

// write runs fn atomically, wrapping its error with what it was doing.
func (c Conn) write(ctx context.Context, what string, fn func(q Querier, note Note) error) error {
	return c.atomic(ctx, what, func(q Querier, note Note) error {
		if err := fn(q, note); err != nil {
			return c.d.Error(what, err)
		}
		return nil
	})
}

// NoRows reports whether err says a query returned no row: database/sql's
// sql.ErrNoRows, which pgx's ErrNoRows wraps.
func NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// notFound is the error of a read that found nothing in the tenant.
func notFound(format string, args ...any) error {
	return teamsops.Errorf(teamsops.ENOTFOUND, format, args...)
}

// nullString keeps "" as NULL, Graph's null for optional text.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// deref reads a nullable text column scanned into a *string: NULL is "".
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
