package sqlite

import "context"

// idleConns is how many pooled connections ReleaseMemory leaves open: an
// idle server still polls for jobs and delivers notifications, and one
// connection serves them without opening another each time.
const idleConns = 1

// ReleaseMemory gives back the memory the pool's idle connections hold
// outside Go's heap: each keeps a page cache (up to 2 MB by SQLite's
// default cache_size) and its prepared statements: after a soak, about
// 28 MB of an idle server's 75 MB resident (docs/performance.md,
// "Memory"). It closes the idle connections but one, whose cache it then
// empties; the pool opens connections again as the next load needs them.
// Call it when the server is idle: under load it costs every request a
// new connection and fresh statements.
func (s *Store) ReleaseMemory(ctx context.Context) error {
	// Lowering the bound closes the idle connections above it at once;
	// raising it again keeps the pool as large as before for the next load.
	s.db.SetMaxIdleConns(idleConns)
	s.db.SetMaxIdleConns(maxConns)
	_, err := s.db.ExecContext(ctx, "PRAGMA shrink_memory")
	return err
}
