package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Initialized reports whether the database dsn holds teamsops' tables, in
// the schema its connections use, without creating them as Open would:
// commands that only use a server's database ("teamsops token") tell a
// wrong --db from the right one before they touch it.
func Initialized(ctx context.Context, dsn string) (bool, error) {
	pc, err := pgxpool.ParseConfig(dsn) // takes pool_max_conns, which --db may carry
	if err != nil {
		return false, fmt.Errorf("postgres: %w", err)
	}
	cfg := pc.ConnConfig
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	var found bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&found); err != nil {
		return false, storeError("look for the schema", err)
	}
	return found, nil
}
