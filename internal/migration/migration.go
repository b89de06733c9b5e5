// Package migration reads a store's versioned schema migrations: SQL files
// named NNNN_name.sql, applied in version order. Each store applies them in
// its own transaction and records the versions it applied.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
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
