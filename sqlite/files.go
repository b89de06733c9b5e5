package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// private is the mode of the database's files. The database holds the
// key that signs every token the server issues, and client secrets'
// hashes: no other local user may read it.
const private fs.FileMode = 0o600

// File is the file a DSN of Open names — a path, or a file: URI — or ""
// for a database that has none (in memory, or a temporary one): what a
// caller that must not create a database checks exists first.
func File(dsn string) string { return dbFile(dsn) }

// dbFile is the file dsn names — a path, or a file: URI — or "" for a
// database that has none (in memory, or a temporary one).
func dbFile(dsn string) string {
	path, query, _ := strings.Cut(dsn, "?")
	if strings.Contains(query, "vfs=memdb") || strings.Contains(query, "mode=memory") {
		return ""
	}
	if rest, ok := strings.CutPrefix(path, "file:"); ok {
		if rest, ok = strings.CutPrefix(rest, "//"); ok {
			rest = strings.TrimPrefix(rest, "localhost")
		}
		if unescaped, err := url.PathUnescape(rest); err == nil {
			rest = unescaped
		}
		path = rest
	}
	if path == "" || path == ":memory:" {
		return ""
	}
	return path
}

// secureFiles makes the database at path and its -wal and -shm files
// private before SQLite opens them, and returns the files whose looser
// modes it narrowed.
//
// A database that does not exist yet is created empty, with mode 0600
// whatever the umask (SQLite takes an empty file for a new database).
// SQLite creates the -wal and -shm files with the database file's mode
// (its Unix VFS sets it explicitly, past the umask), so they are private
// too. Files left with a looser mode by an earlier version are narrowed
// to 0600, keeping any bit already stricter.
func secureFiles(path string) (narrowed []string, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, private)
	switch {
	case err == nil:
		f.Close()
		// The umask may have taken bits from 0600; set it exactly.
		if err := os.Chmod(path, private); err != nil {
			return nil, err
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return narrowed, err
		}
		if perm := fi.Mode().Perm(); perm&^private != 0 {
			if err := os.Chmod(p, perm&private); err != nil {
				return narrowed, fmt.Errorf("narrow the mode of %s: %w", p, err)
			}
			narrowed = append(narrowed, p)
		}
	}
	return narrowed, nil
}

// Narrowed lists the files of the database whose modes Open narrowed to
// 0600 (an earlier version created them readable by every local user),
// for the caller to warn about once.
func (s *Store) Narrowed() []string { return s.narrowed }
