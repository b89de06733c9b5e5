package sqlite

import (
	"path/filepath"
	"testing"
	"time"
)

// The change log keeps what is younger than its retention, and the
// newest change whatever its age, so that a process starting later still
// reads on from the right place.
func TestChangeLogRetention(t *testing.T) {
	s := openClosed(t, filepath.Join(t.TempDir(), "teamsops.db"))
	s.SetChangeRetention(time.Minute)
	ctx := t.Context()
	now := time.Now()
	for _, age := range []time.Duration{3 * time.Hour, 2 * time.Minute, 61 * time.Second, 30 * time.Second, time.Second} {
		if _, err := s.DB().ExecContext(ctx, `INSERT INTO changes (at, kind) VALUES (?, 'operation')`,
			now.Add(-age).UnixNano()); err != nil {
			t.Fatal(err)
		}
	}
	count := func() (n int) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT count(*) FROM changes`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	n, err := s.changes.prune(ctx, now)
	if err != nil || n != 3 || count() != before-3 {
		t.Errorf("prune = %d, %v, %d rows left of %d; want the 3 older than a minute deleted", n, err, count(), before)
	}
	// Everything past the retention: the newest row stays.
	if _, err := s.changes.prune(ctx, now.Add(time.Hour)); err != nil || count() != 1 {
		t.Errorf("prune of everything: %v, %d rows left; want the newest kept", err, count())
	}
}
