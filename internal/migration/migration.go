// Package migration reads and applies a store's versioned schema
// migrations: SQL files named NNNN_name.sql, applied in version order.
// Each store applies them in a transaction of its own (Apply), which
// records the versions it applied.
package migration

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops/sqlstore"
)

// Migration is one schema change.
type Migration struct {
	Version int
	Name    string // the file name, for messages
	SQL     string
}

// Load returns the migrations in dir of fsys, in version order.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, name := range names { // Glob sorts, and versions are zero-padded
		base := path.Base(name)
		prefix, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil {
			return nil, fmt.Errorf("migration %s: no version number", base)
		}
		if len(ms) > 0 && ms[len(ms)-1].Version >= v {
			return nil, fmt.Errorf("migration %s: version %d is not above %s's", base, v, ms[len(ms)-1].Name)
		}
		text, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(text)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// Pending returns the migrations of ms whose versions applied does not
// hold, in version order. Migrations written on branches developed side
// by side may land out of order (0004 after 0005 was applied), so every
// missing version is applied, not only those above the highest. A version
// applied that ms does not know means the database was migrated by a
// newer program: an error.
func Pending(ms []Migration, applied []int) ([]Migration, error) {
	known := make(map[int]bool, len(ms))
	for _, m := range ms {
		known[m.Version] = true
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		if !known[v] {
			return nil, fmt.Errorf("database schema version %d is unknown to this program (its newest is %d): it was migrated by a newer one", v, ms[len(ms)-1].Version)
		}
		done[v] = true
	}
	var out []Migration
	for _, m := range ms {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// Apply applies, through q, the migrations of ms that the table
// schema_migrations does not record, and records each with the time it
// was applied. q is a transaction of the caller's, so that all of them
// apply or none; the caller has created that table, in its database's
// types.
func Apply(ctx context.Context, q sqlstore.Querier, ms []Migration) error {
	var applied []int
	err := q.Query(ctx, "SELECT version FROM schema_migrations", nil, func(row sqlstore.Row) error {
		var v int
		err := row.Scan(&v)
		applied = append(applied, v)
		return err
	})
	if err != nil {
		return err
	}
	pending, err := Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range pending {
		if _, err := q.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		_, err := q.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
			m.Version, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}
