// Package testdb gives tests a new, empty database of the back end they
// run on: SQLite (a temporary file) by default, PostgreSQL when
// TEAMSOPS_TEST_BACKEND=postgres, on the server TEAMSOPS_TEST_POSTGRES
// names. So the same tests prove both back ends.
//
// Without a reachable server, PostgreSQL tests skip, saying how to run
// them; with TEAMSOPS_TEST_POSTGRES_REQUIRED=1 (as in CI) they fail instead.
package testdb

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// Environment variables the tests read.
const (
	// BackendEnv chooses the back end: "sqlite" (the default) or "postgres".
	BackendEnv = "TEAMSOPS_TEST_BACKEND"
	// PostgresEnv is the DSN of a PostgreSQL server on which tests may
	// create and drop databases.
	PostgresEnv = "TEAMSOPS_TEST_POSTGRES"
	// RequiredEnv, set to 1, turns a missing server into a failure.
	RequiredEnv = "TEAMSOPS_TEST_POSTGRES_REQUIRED"
)

// Backend returns the back end the tests run on: "sqlite" or "postgres".
func Backend() string {
	if strings.EqualFold(os.Getenv(BackendEnv), "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// DSN returns a --db value naming a new, empty database of the back end:
// sqlite:PATH in the test's temporary directory, or a PostgreSQL database
// created for the test and dropped when it ends.
func DSN(t testing.TB) string {
	t.Helper()
	if Backend() == "postgres" {
		return PostgresDSN(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "teamsops.db")
}

// New opens a store on a new, empty database of the back end; it is
// closed when the test ends.
func New(t testing.TB) teamsops.Store {
	t.Helper()
	return Open(t, DSN(t))
}

// Open opens the store a --db value names (sqlite:PATH or postgres://…);
// it is closed when the test ends. Closing it earlier is allowed.
func Open(t testing.TB, dsn string) teamsops.Store {
	t.Helper()
	ctx := context.Background()
	var s teamsops.Store
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		s, err = sqlite.Open(ctx, path)
	} else {
		s, err = postgres.Open(ctx, dsn, postgres.Options{})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates a database on the server of TEAMSOPS_TEST_POSTGRES
// and returns its DSN; the database is dropped when the test ends. It
// skips the test when no server is set or reachable.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	server := Server(t)
	name := "teamsops_test_" + strings.ToLower(rand.Text())
	// UTF8 and the C locale whatever the server's default: what the store
	// expects of a database an operator creates (docs/operating.md).
	admin(t, server, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`)
	t.Cleanup(func() { admin(t, server, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Server returns the DSN of TEAMSOPS_TEST_POSTGRES once it answers, or
// skips the test (fails it under TEAMSOPS_TEST_POSTGRES_REQUIRED=1).
func Server(t testing.TB) string {
	t.Helper()
	server := os.Getenv(PostgresEnv)
	if server == "" {
		unavailable(t, "no server given")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		unavailable(t, err.Error())
	}
	c.Close(ctx)
	return server
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := fmt.Sprintf("set %s=postgres://… to run the PostgreSQL tests (%s)", PostgresEnv, why)
	if os.Getenv(RequiredEnv) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// admin runs one statement on the server's own database.
func admin(t testing.TB, server, stmt string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
