package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// holdConns takes n connections from the pool at once and gives them back,
// leaving n idle.
func holdConns(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	var conns []*sql.Conn
	for range n {
		c, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestReleaseMemory(t *testing.T) {
	for name, dsn := range map[string]string{
		"File":   filepath.Join(t.TempDir(), "teamsops.db"),
		"Memory": ":memory:",
	} {
		t.Run(name, func(t *testing.T) {
			s := openClosed(t, dsn)
			ctx := t.Context()
			if _, err := s.DB().ExecContext(ctx, "CREATE TABLE kept (v INTEGER); INSERT INTO kept VALUES (7)"); err != nil {
				t.Fatal(err)
			}
			holdConns(t, s.DB(), 6)
			if idle := s.DB().Stats().Idle; idle != 6 {
				t.Fatalf("before: %d idle connections, want 6", idle)
			}
			if err := s.ReleaseMemory(ctx); err != nil {
				t.Fatal(err)
			}
			if idle := s.DB().Stats().Idle; idle != idleConns {
				t.Errorf("after ReleaseMemory: %d idle connections, want %d", idle, idleConns)
			}
			// The pool keeps as many again once a load returns.
			holdConns(t, s.DB(), 6)
			if idle := s.DB().Stats().Idle; idle != 6 {
				t.Errorf("after a new load: %d idle connections, want 6", idle)
			}
			// An in-memory database outlives the connections closed.
			wantKept(t, ctx, s)
		})
	}
}

func wantKept(t *testing.T, ctx context.Context, s *Store) {
	t.Helper()
	var v int
	if err := s.DB().QueryRowContext(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 7 {
		t.Errorf("kept row: %d, %v; want 7", v, err)
	}
}
