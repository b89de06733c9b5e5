// Package tenantsql holds the SQL that the SQLite and PostgreSQL stores
// share and that has not yet moved into package sqlstore: the history of
// operations and the dashboard's reads across tenants (history.go,
// transitions.go), and sign-in grants and the tenant of a domain
// (signin.go). Each store adapts its own handle to DB and wraps the calls
// in its transactions.
package tenantsql

import (
	"context"

	"github.com/teamsops/teamsops"
)

// DB runs statements with $1, $2… placeholders on one database handle or
// transaction of a store.
type DB interface {
	// Exec runs a statement.
	Exec(ctx context.Context, query string, args ...any) error
	// Query runs a query and calls row for each row, with the row's Scan.
	Query(ctx context.Context, query string, args []any, row func(scan func(dest ...any) error) error) error
}

// Note records a change a write makes; the store reports it once the
// write commits (teamsops.Store.Watch).
type Note func(changes ...teamsops.Change)
