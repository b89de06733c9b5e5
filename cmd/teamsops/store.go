package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlite"
)

// openStore opens the store a --db value names: sqlite:PATH (a file),
// sqlite::memory: (a throwaway database), or postgres://… (not yet).
func openStore(ctx context.Context, dsn string) (teamsops.Store, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return nil, fmt.Errorf("--db %s: PostgreSQL is not supported yet; use sqlite:PATH", redact(dsn))
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH, sqlite::memory: or postgres://…", redact(dsn))
}

// redact hides a password in a DSN before it is printed.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}
