package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/teamsops/teamsops/internal/migration"
)

// Migrations are NNNN_name.sql files, applied in version order and never
// edited once released: a schema change is a new file. They mirror
// package sqlite's, version for version.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock keys the session advisory lock that replicas starting at
// once take in turn while they migrate ("teamsops" in ASCII). Advisory
// locks are per database, so other databases on the server never wait.
const migrationLock int64 = 0x7465616d736f7073

// migrate applies the migrations the database lacks, then runs also (if
// not nil), all under the migration lock: a second replica starting at
// the same time waits, then finds everything applied and applies nothing.
func migrate(ctx context.Context, pool *pgxpool.Pool, also func(context.Context, *pgxpool.Pool) error) error {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return storeError("migrate", err)
	}
	defer c.Release()
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
		return storeError("migrate: lock", err)
	}
	// Closing the connection would release the lock too; unlock so that
	// the pooled connection does not keep it.
	defer c.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	if err := applyMigrations(ctx, c.Conn()); err != nil {
		return err
	}
	if also != nil {
		if err := also(ctx, pool); err != nil {
			return fmt.Errorf("postgres: migrate: %w", err)
		}
	}
	return nil
}

// applyMigrations applies the missing migrations in one transaction.
func applyMigrations(ctx context.Context, c *pgx.Conn) error {
	ms, err := migration.Load(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		return storeError("migrate", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return storeError("migrate", err)
	}
	if err := migration.Apply(ctx, pgxQuerier{tx}, ms); err != nil {
		return storeError("migrate", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return storeError("migrate", err)
	}
	return nil
}
