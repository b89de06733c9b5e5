package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/teamsops/teamsops"
)

// A change log that cannot be read because another process holds the
// database past the busy timeout fails Sync as every other read of a
// busy database fails: EUNAVAILABLE (a 503 with Retry-After), never an
// internal error.
func TestSyncOfBusyLogIsUnavailable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "log.db")
	// A rollback journal, where a writer shuts readers out, and a short
	// busy timeout.
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(50)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE changes (seq INTEGER PRIMARY KEY, at INTEGER, kind TEXT,
		tenant_id TEXT, resource_kind TEXT, resource_id TEXT, operation_id TEXT, status TEXT)`); err != nil {
		t.Fatal(err)
	}
	l := newChangeLog(db, false, path)
	defer l.close()
	defer l.Watch(func(teamsops.Change) {})()

	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	c, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, q := range []string{"PRAGMA locking_mode=EXCLUSIVE", "BEGIN EXCLUSIVE", "INSERT INTO changes (at, kind) VALUES (1, 'operation')"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err = l.sync(ctx)
	if code := teamsops.ErrorCode(err); code != teamsops.EUNAVAILABLE {
		t.Errorf("Sync of a log another process holds: %v (code %s), want %s", err, code, teamsops.EUNAVAILABLE)
	}
}
