package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/storetest"
)

func TestStore(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) teamsops.Store {
			return open(t, filepath.Join(t.TempDir(), "teamsops.db"))
		})
	})
	t.Run("Memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) teamsops.Store { return open(t, ":memory:") })
	})
}

// open opens a store the caller closes.
func open(t *testing.T, dsn string) *Store {
	t.Helper()
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openClosed opens a store that closes when the test ends.
func openClosed(t *testing.T, dsn string) *Store {
	t.Helper()
	s := open(t, dsn)
	t.Cleanup(func() { s.Close() })
	return s
}

func appliedMigrations(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.DB().QueryContext(t.Context(), "SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	applied := map[int]int64{}
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		applied[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return applied
}

func TestMigrationsAppliedOnce(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations = %+v, want 0001 first", ms)
	}
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := open(t, path)
	first := appliedMigrations(t, s)
	if len(first) != len(ms) {
		t.Fatalf("recorded %d migrations, want %d", len(first), len(ms))
	}
	for _, m := range ms {
		if first[m.Version] == 0 {
			t.Errorf("migration %s not recorded", m.Name)
		}
	}
	s.Close()

	again := appliedMigrations(t, openClosed(t, path))
	if len(again) != len(first) {
		t.Fatalf("after reopening: %d migrations recorded, want %d", len(again), len(first))
	}
	for v, at := range first {
		if again[v] != at {
			t.Errorf("migration %d re-applied: applied_at %d, then %d", v, at, again[v])
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := open(t, path)
	if _, err := s.DB().ExecContext(t.Context(), "INSERT INTO schema_migrations VALUES (9999, 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("opened a database of a newer schema")
	}
}

// TestMissedMigrationApplied: a database migrated past a version it never
// applied — 0005 landed before 0004, each from its own branch — gets
// the missing one at its next start.
func TestMissedMigrationApplied(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := open(t, path)
	for _, stmt := range []string{"DROP TABLE fault_rules", "DELETE FROM schema_migrations WHERE version = 4"} {
		if _, err := s.DB().ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s = openClosed(t, path)
	if _, err := s.FaultRules(t.Context(), "tenant", ""); err != nil {
		t.Errorf("fault rules after reopening: %v", err)
	}
	if got := appliedMigrations(t, s); got[4] == 0 {
		t.Errorf("migration 4 not recorded: %v", got)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := open(t, path)
	want := &teamsops.Tenant{ID: "tenant-1", DisplayName: "Contoso"}
	if err := s.CreateTenant(ctx, want); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := openClosed(t, path).Tenant(ctx, want.ID)
	if err != nil || *got != *want {
		t.Fatalf("after reopening: %+v, %v; want %+v", got, err, want)
	}
}

func TestPragmas(t *testing.T) {
	s := openClosed(t, filepath.Join(t.TempDir(), "teamsops.db"))
	s.DB().SetMaxOpenConns(3) // every pooled connection must be set up alike
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { checkPragmas(t, s) })
	}
	wg.Wait()
}

func checkPragmas(t *testing.T, s *Store) {
	ctx := context.Background()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1"}
	for pragma, value := range want {
		var got string
		if err := conn.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Error(err)
		} else if got != value {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, value)
		}
	}
}

func TestConcurrentOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	const n = 4
	stores := make([]*Store, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), path) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("open %d: %v", i, errs[i])
		}
		defer stores[i].Close()
	}
	ms, _ := migrations()
	if got := appliedMigrations(t, stores[0]); len(got) != len(ms) {
		t.Errorf("recorded %d migrations, want %d", len(got), len(ms))
	}

	// Replicas starting together each offer a key; one wins for all.
	keys := make([]*teamsops.SigningKey, n)
	for i := range n {
		wg.Go(func() {
			k := &teamsops.SigningKey{ID: fmt.Sprint("key-", i), PEM: []byte("pem"), CreatedAt: time.Now()}
			keys[i], errs[i] = stores[i].EnsureSigningKey(t.Context(), k)
		})
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("store %d: %v", i, errs[i])
		}
		if keys[i].ID != keys[0].ID {
			t.Errorf("store %d got key %s, store 0 got %s", i, keys[i].ID, keys[0].ID)
		}
	}
}

func TestMemory(t *testing.T) {
	ctx := t.Context()
	a, b := openClosed(t, ":memory:"), openClosed(t, ":memory:")
	if err := a.CreateTenant(ctx, &teamsops.Tenant{ID: "tenant-1"}); err != nil {
		t.Fatal(err)
	}
	// Idle connections are dropped; the database lives on while the store is open.
	a.DB().SetMaxIdleConns(0)
	for range 3 {
		if _, err := a.Tenant(ctx, "tenant-1"); err != nil {
			t.Fatalf("in-memory database lost its data: %v", err)
		}
	}
	if _, err := b.Tenant(ctx, "tenant-1"); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Fatalf("a second in-memory store sees the first one's tenant: %v", err)
	}
}

// Constraint violations are the caller's mistakes and carry codes, so the
// HTTP edge answers 400 or 409 rather than 500.
func TestConstraintErrors(t *testing.T) {
	ctx := t.Context()
	s := openClosed(t, ":memory:")
	if err := s.CreateTenant(ctx, &teamsops.Tenant{ID: "t"}); err != nil {
		t.Fatal(err)
	}
	chat := &teamsops.Chat{ID: "c", TenantID: "t", ChatType: "group", Members: []teamsops.Member{{UserID: "nobody"}}}
	app := &teamsops.TeamsApp{ID: "app", TenantID: "t"}
	chatRef := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "c"}
	tests := []struct {
		name string
		do   func() error
		code string
	}{
		{"unknown tenant", func() error { return s.CreateUser(ctx, &teamsops.User{ID: "u", TenantID: "nope"}) }, teamsops.EINVALID},
		{"unknown member", func() error { return s.CreateChat(ctx, chat) }, teamsops.EINVALID},
		{"unknown resource kind", func() error {
			return s.CreatePermissionGrant(ctx, &teamsops.PermissionGrant{ID: "g", TenantID: "t",
				Resource: teamsops.ResourceRef{Kind: "channels"}, PermissionType: "Application"})
		}, teamsops.EINVALID},
		{"time out of range", func() error {
			return s.CreateOperation(ctx, &teamsops.Operation{ID: "o", TenantID: "t", Resource: chatRef,
				CreatedDateTime: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)})
		}, teamsops.EINVALID},
		{"app installed twice", func() error {
			if err := s.CreateTeamsApp(ctx, app); err != nil {
				return err
			}
			inst := &teamsops.AppInstallation{ID: "i1", TenantID: "t", Resource: chatRef, TeamsAppID: "app"}
			if err := s.CreateAppInstallation(ctx, inst); err != nil {
				return err
			}
			inst.ID = "i2"
			return s.CreateAppInstallation(ctx, inst)
		}, teamsops.ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := teamsops.ErrorCode(tt.do()); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
	// A failed create leaves nothing behind.
	if _, err := s.Chat(ctx, "t", "c"); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("chat of a failed create: %v", err)
	}
}

// Two stores on one file stand for two processes: what one commits, the
// other reports.
func TestReplicas(t *testing.T) {
	storetest.Replicas(t, func(t *testing.T) (teamsops.Store, teamsops.Store) {
		path := filepath.Join(t.TempDir(), "teamsops.db")
		return open(t, path), open(t, path)
	})
}
