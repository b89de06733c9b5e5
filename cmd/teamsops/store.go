package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/sqlite"
)

// backend is a store and the way to build an engine on the same database:
// the engine writes its jobs in the store's transactions.
type backend struct {
	store     teamsops.Store
	newEngine func(cfg engine.Config) (engine.Runner, error)
}

// openBackend opens what a --db value names: sqlite:PATH (a file),
// sqlite::memory: (a throwaway database), or postgres://… (not yet).
func openBackend(ctx context.Context, dsn string) (*backend, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s, err := sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
		if err != nil {
			return nil, err
		}
		return &backend{store: s, newEngine: func(cfg engine.Config) (engine.Runner, error) {
			return engine.New(riversqlite.New(s.DB()), s, cfg)
		}}, nil
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
