// Package sqlite implements teamsops.Store on embedded SQLite, the default
// back end: one file, or a throwaway in-memory database. It uses the pure-Go
// driver modernc.org/sqlite, so teamsops builds without cgo.
//
// The store's statements are package sqlstore's; this package holds what
// SQLite does differently (its Dialect), the connection and its statement
// cache, migrations, the group commit of write transactions, and the
// change log that other processes on the same file read.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is a teamsops.Store on one SQLite database.
type Store struct {
	// Conn is the store's methods (package sqlstore) on db.
	sqlstore.Conn
	db *sql.DB
	// keep holds an in-memory database open: it vanishes with its last
	// connection, and database/sql may close idle ones at any time.
	keep *sql.Conn
	// changes reports committed changes to watchers.
	changes *changeLog
	// group commits concurrent write transactions together.
	group groupCommit
	// narrowed are the files whose modes Open narrowed (files.go).
	narrowed []string
}

var _ teamsops.Store = (*Store)(nil)

// Every connection waits up to 5s for a lock instead of failing at once,
// enforces foreign keys, and begins write transactions with BEGIN IMMEDIATE
// so two writers queue on the lock rather than fail upgrading a read lock.
const commonParams = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate"

// WAL lets readers run beside the writer. With WAL, synchronous NORMAL
// never corrupts the file and only risks the last commits on power loss:
// SQLite's recommended pairing.
const fileParams = commonParams + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"

// maxConns bounds the pool: readers run side by side under WAL, and
// writers queue on SQLite's one write lock whatever their number.
const maxConns = 16

// Open opens (creating if needed) the database dsn and brings its schema up
// to date. dsn is a file path, or ":memory:" for a private in-memory
// database that lives until Close.
func Open(ctx context.Context, dsn string) (*Store, error) {
	memory := dsn == ":memory:"
	path, _, _ := strings.Cut(dsn, "?")
	var narrowed []string
	if file := dbFile(dsn); !memory && file != "" {
		var err error
		if narrowed, err = secureFiles(file); err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
		}
	}
	connector, err := newCachingConnector(driverDSN(dsn))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", dsn, err)
	}
	db := sql.OpenDB(connector)
	// Keep as many connections idle as may be open: database/sql keeps 2
	// by default, so under concurrency connections were opened, set up,
	// had their statements prepared and were closed, request after
	// request.
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	s := &Store{db: db, changes: newChangeLog(db, memory, path), narrowed: narrowed}
	s.Conn = sqlstore.NewConn(sqlQuerier{db}, dialect{}, s.atomically)
	if memory {
		if s.keep, err = db.Conn(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("sqlite: open in-memory database: %w", err)
		}
	}
	if err := migrate(ctx, db); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// driverDSN adds the connection settings to dsn. ":memory:" becomes a
// uniquely named database of SQLite's memdb VFS: unlike a plain ":memory:",
// all pooled connections share it, and unlike shared cache it locks like a
// file, so busy_timeout applies.
func driverDSN(dsn string) string {
	if dsn == ":memory:" {
		return "file:/teamsops-" + rand.Text() + "?vfs=memdb&" + commonParams
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + fileParams
}

// DB returns the underlying database, for components that keep their own
// tables beside the store's (such as a job queue).
func (s *Store) DB() *sql.DB { return s.db }

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes the database; an in-memory database is discarded.
func (s *Store) Close() error {
	s.changes.close()
	var err error
	if s.keep != nil {
		err = s.keep.Close()
	}
	return errors.Join(err, s.db.Close())
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE, from the DSN).
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return storeError(what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return storeError(what, err)
	}
	return nil
}

// storeError wraps a driver error with what the store was doing. A
// constraint violation is the caller's mistake rather than a failure, so it
// also carries a teamsops code.
func storeError(what string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	var app *teamsops.Error
	if se.Code()&0xff == sqlite3.SQLITE_BUSY {
		// The write lock stayed taken past the busy timeout: the database
		// is overloaded, which passes, rather than broken.
		app = teamsops.Errorf(teamsops.EUNAVAILABLE, "The database is busy; retry later.")
		return fmt.Errorf("sqlite: %s: %w: %w", what, app, err)
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		app = teamsops.Errorf(teamsops.EINVALID, "Cannot %s: it refers to something that does not exist.", what)
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		app = teamsops.Errorf(teamsops.ECONFLICT, "Cannot %s: it conflicts with an existing one.", what)
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		app = teamsops.Errorf(teamsops.EINVALID, "Cannot %s: a value is not valid.", what)
	default:
		return fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return fmt.Errorf("sqlite: %s: %w: %w", what, app, err)
}
