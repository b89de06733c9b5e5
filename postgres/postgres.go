// Package postgres implements teamsops.Store on PostgreSQL, the back end for
// several replicas of teamsops on one database. It uses pgx
// (github.com/jackc/pgx/v5) and its pool; River's pgx driver runs the job
// queue on the same pool, so an operation and its job commit together.
//
// It keeps the schema of package sqlite, with times as Unix nanoseconds
// (BIGINT) so that Graph's 7 fractional digits survive and package
// sqlfilter's translation of $filter applies unchanged. The store's
// statements are package sqlstore's; this package holds what PostgreSQL
// does differently (its Dialect), the pool, migrations under an advisory
// lock, and the change feed other replicas hear through LISTEN/NOTIFY.
package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/sqlcount"
	"github.com/teamsops/teamsops/sqlstore"
)

// DefaultPoolSize is how many connections a store opens at most when
// neither Options.PoolSize nor the DSN's pool_max_conns says: enough for
// the engine's workers, River's listener and maintenance, and requests.
const DefaultPoolSize = 16

// connectTimeout bounds a connection attempt when the DSN sets no
// connect_timeout, so that requests fail fast (503) while the database
// cannot be reached instead of hanging.
const connectTimeout = 5 * time.Second

// Options tunes Open.
type Options struct {
	// PoolSize is the most connections the store opens. 0: the DSN's
	// pool_max_conns if it has one, else DefaultPoolSize. At least 2: the
	// migration lock holds one while migrations run on another.
	PoolSize int
	// AlsoMigrate, if set, runs after the store's own migrations while the
	// migration lock is still held, for components that keep their own
	// tables in the same database (River's, through rivermigrate), so that
	// replicas starting at once migrate one after another.
	AlsoMigrate func(ctx context.Context, pool *pgxpool.Pool) error
}

// Store is a teamsops.Store on one PostgreSQL database.
type Store struct {
	// Conn is the store's methods (package sqlstore) on the pool.
	sqlstore.Conn
	pool *pgxpool.Pool
	// changes reports committed changes to watchers.
	changes *changeFeed
	// group commits concurrent updates together.
	group groupCommit
}

var _ teamsops.Store = (*Store)(nil)

// Open connects to the database dsn (a postgres:// or postgresql:// URL,
// or a key=value string, as pgx reads them) and brings its schema up to
// date. The database must exist; its tables are created.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	switch {
	case opts.PoolSize > 0:
		cfg.MaxConns = int32(opts.PoolSize)
	case !strings.Contains(dsn, "pool_max_conns"):
		cfg.MaxConns = DefaultPoolSize
	}
	if cfg.MaxConns < 2 {
		return nil, fmt.Errorf("postgres: a pool of %d connections is too small; give at least 2", cfg.MaxConns)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	if sqlcount.Enabled() {
		cfg.ConnConfig.Tracer = countingTracer{}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	var schema string
	if err := pool.QueryRow(ctx, "SELECT coalesce(current_schema(), '')").Scan(&schema); err != nil {
		pool.Close()
		return nil, storeError("read the current schema", err)
	}
	s.changes = newChangeFeed(changesChannel(schema), func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	}, func(ctx context.Context, sql string, args ...any) error {
		_, err := pool.Exec(ctx, sql, args...)
		return err
	})
	s.Conn = sqlstore.NewConn(pgxQuerier{pool}, dialect{}, s.atomically)
	if err := migrate(ctx, pool, opts.AlsoMigrate); err != nil {
		s.changes.close()
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Pool returns the connection pool, for components that keep their own
// tables beside the store's (River, through riverpgxv5.New).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return storeError("ping", err)
	}
	return nil
}

// Close closes every connection of the pool.
func (s *Store) Close() error {
	s.changes.close()
	s.pool.Close()
	return nil
}

// textArray keeps a list of roles as a TEXT[], '{}' when empty.
func textArray(roles []string) []string {
	if roles == nil {
		return []string{}
	}
	return roles
}
