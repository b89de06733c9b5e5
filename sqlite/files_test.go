//go:build unix

package sqlite

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// wantPrivate fails the test unless each file exists with mode 0600.
func wantPrivate(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fs.FileMode(got))
		}
	}
}

// A new database and the -wal and -shm files SQLite creates beside it
// are readable by their owner only, even under a permissive umask.
func TestNewDatabaseFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o002)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := openClosed(t, path)
	// A write, so that the WAL has content and is not a leftover.
	if _, err := s.DB().ExecContext(t.Context(), "CREATE TABLE mode_probe (x)"); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, path, path+"-wal", path+"-shm")
	if n := s.Narrowed(); len(n) != 0 {
		t.Errorf("Narrowed() = %v for a new database", n)
	}
}

// A database whose files an earlier version left readable by everyone
// is narrowed to 0600 when opened, and says which files were.
func TestLooseDatabaseFilesNarrowed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	s := open(t, path)
	if _, err := s.DB().ExecContext(t.Context(), "CREATE TABLE mode_probe (x)"); err != nil {
		t.Fatal(err)
	}
	// As an earlier version left them (and SQLite keeps -wal and -shm
	// while a connection is open): loose, with the store still open so
	// that all three exist.
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again := openClosed(t, path)
	s.Close()
	wantPrivate(t, path, path+"-wal", path+"-shm")
	want := []string{path, path + "-wal", path + "-shm"}
	if got := again.Narrowed(); !slices.Equal(got, want) {
		t.Errorf("Narrowed() = %v, want %v", got, want)
	}
	// A stricter mode is kept.
	again.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := secureFiles(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o400 {
		t.Errorf("a 0400 database became %v", fi.Mode().Perm())
	}
}

func TestDBFile(t *testing.T) {
	for dsn, want := range map[string]string{
		"teamsops.db":                "teamsops.db",
		"/var/lib/teamsops.db?_x=1":  "/var/lib/teamsops.db",
		"file:teamsops.db":           "teamsops.db",
		"file:///srv/a%20b.db":       "/srv/a b.db",
		"file://localhost/srv/t.db":  "/srv/t.db",
		":memory:":                   "",
		"file:/teamsops-x?vfs=memdb": "",
		"file:shared?mode=memory":    "",
		"":                           "",
	} {
		if got := dbFile(dsn); got != want {
			t.Errorf("dbFile(%q) = %q, want %q", dsn, got, want)
		}
	}
}
