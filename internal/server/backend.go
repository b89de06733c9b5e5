package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// Backend is a store and the way to build an engine on the same database:
// the engine writes its jobs in the store's transactions.
type Backend struct {
	// Store is the database's store; a wrapper of it set here (tracing)
	// is the engine's store too.
	Store     teamsops.Store
	newEngine func(cfg engine.Config) (engine.Runner, error)
}

// NewEngine returns an engine whose jobs live in the store's database.
func (b *Backend) NewEngine(cfg engine.Config) (engine.Runner, error) { return b.newEngine(cfg) }

// OpenBackend opens what a --db value names: sqlite:PATH (a file),
// sqlite::memory: (a throwaway database), or postgres://… (a PostgreSQL
// database shared by any number of replicas). poolSize is PostgreSQL's
// connection limit (0: the DSN's pool_max_conns or the store's default).
func OpenBackend(ctx context.Context, dsn string, poolSize int) (*Backend, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s, err := sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
		if err != nil {
			return nil, err
		}
		b := &Backend{Store: s}
		b.newEngine = func(cfg engine.Config) (engine.Runner, error) {
			return engine.New(riversqlite.New(s.DB()), b.Store, cfg)
		}
		return b, nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err := postgres.Open(ctx, dsn, postgres.Options{PoolSize: poolSize, AlsoMigrate: migrateRiver})
		if err != nil {
			return nil, fmt.Errorf("--db %s: %w", Redact(dsn), err)
		}
		b := &Backend{Store: s}
		b.newEngine = func(cfg engine.Config) (engine.Runner, error) {
			return engine.New(riverpgxv5.New(s.Pool()), b.Store, cfg)
		}
		return b, nil
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH, sqlite::memory: or postgres://…", Redact(dsn))
}

// OpenExistingBackend is OpenBackend for commands that use the database
// of a server and must not create one ("teamsops token", "teamsops
// wait --db"): a SQLite file that does not exist, a database in memory
// (new and empty for each process), and a PostgreSQL database without
// teamsops' tables are errors naming the database and what to pass, where
// OpenBackend would create an empty one.
func OpenExistingBackend(ctx context.Context, dsn string, poolSize int) (*Backend, error) {
	const what = "give --db the database \"teamsops serve\" uses, or start \"teamsops serve\" first"
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		file := sqlite.File(path)
		if file == "" {
			return nil, fmt.Errorf("--db %s is a new, empty database in this process's memory, not a server's: %s", dsn, what)
		}
		if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
			if abs, err := filepath.Abs(file); err == nil {
				file = abs
			}
			return nil, fmt.Errorf("--db %s: there is no database at %s: %s", dsn, file, what)
		}
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		found, err := postgres.Initialized(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("--db %s: %w", Redact(dsn), err)
		}
		if !found {
			return nil, fmt.Errorf("--db %s: the database holds no teamsops tables: %s", Redact(dsn), what)
		}
	}
	return OpenBackend(ctx, dsn, poolSize)
}

// migrateRiver creates or updates River's tables. The store runs it under
// its migration lock, so replicas starting at once do not race on them;
// the engine's own Migrate then finds nothing to do.
func migrateRiver(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// Redact hides a password in a DSN before it is printed.
func Redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}
