package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// createPostgres creates a new database on server (a DSN whose user may
// create databases) and returns its DSN and a function that drops it. A
// server that cannot be reached is a skipError: the run goes on without
// PostgreSQL and says so.
func createPostgres(ctx context.Context, server string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, fmt.Errorf("--postgres %q: want postgres://USER@HOST:PORT/DATABASE?…", redact(server))
	}
	name := "teamsops_bench_" + strings.ToLower(rand.Text())
	// UTF8 and the C locale whatever the server's default, as
	// docs/operating.md asks of a database for teamsops.
	create := `CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`
	if err := adminExec(ctx, server, create); err != nil {
		return "", nil, skipError{fmt.Errorf("PostgreSQL at %s: %w", redact(server), err)}
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		adminExec(ctx, server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// adminExec runs one statement on the server's own database.
func adminExec(ctx context.Context, server, stmt string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	_, err = c.Exec(ctx, stmt)
	return err
}
