package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"

	"modernc.org/sqlite"

	"github.com/teamsops/teamsops/internal/sqlcount"
)

// stmtCacheSize is how many prepared statements each connection keeps:
// more than the store and River together run.
const stmtCacheSize = 256

// cachingConnector opens connections that keep their prepared statements,
// as pgx does on PostgreSQL, and that queue their write transactions on a
// gate of the process's own. SQLite's parser was most of the engine's CPU
// time: every statement run inside a transaction, the store's and River's
// alike, was parsed anew. And writers that met SQLite's write lock slept
// in its busy handler — a millisecond or more each time — while the lock
// was long free again; waiting on the gate, the next writer goes at once
// (docs/performance.md). Other processes on the same file still meet the
// lock and the busy timeout.
type cachingConnector struct {
	driver.Connector
	gate chan struct{} // holds one token while a write transaction runs
}

func newCachingConnector(dsn string) (driver.Connector, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return cachingConnector{Connector: base, gate: make(chan struct{}, 1)}, nil
}

// Connect opens a connection wrapped in a statement cache.
func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{inner: conn, gate: c.gate, byQuery: map[string]*list.Element{}, lru: list.New(),
		count: sqlcount.Enabled()}, nil
}

// innerConn is what a modernc.org/sqlite connection implements; the
// wrapper forwards all of it, as the driver's NewConnector asks.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is a connection whose ExecContext and QueryContext reuse a
// prepared statement per query text. database/sql uses a connection from
// one goroutine at a time, so it needs no lock; a statement whose rows are
// still open is busy, and the same query meanwhile runs unprepared.
type cachingConn struct {
	inner   driver.Conn
	gate    chan struct{}
	byQuery map[string]*list.Element
	lru     *list.List // of *cachedStmt, most recently used first
	// count says to count statements and transactions (package
	// sqlcount); inTx, whether a transaction is open.
	count, inTx bool
}

type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool
}

func (c *cachingConn) full() innerConn { return c.inner.(innerConn) }

// Unwrap returns the driver's own connection.
func (c *cachingConn) Unwrap() driver.Conn { return c.inner }

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }
func (c *cachingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx begins a transaction; one that may write (BEGIN IMMEDIATE, the
// store's DSN says) first waits its turn at the gate, until it ends.
func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly {
		tx, err := c.full().BeginTx(ctx, opts)
		if err != nil {
			return nil, err
		}
		c.begun()
		return &gatedTx{Tx: tx, conn: c}, nil
	}
	select {
	case c.gate <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := c.full().BeginTx(ctx, opts)
	if err != nil {
		<-c.gate
		return nil, err
	}
	c.begun()
	return &gatedTx{Tx: tx, gate: c.gate, conn: c}, nil
}

// begun notes a transaction begun on c.
func (c *cachingConn) begun() {
	c.inTx = true
	if c.count {
		sqlcount.Begin()
	}
}

// counted counts a statement run on c.
func (c *cachingConn) counted() {
	if c.count {
		sqlcount.Statement(c.inTx)
	}
}

// gatedTx gives the gate back when it ends; a read-only one has no gate.
type gatedTx struct {
	driver.Tx
	gate chan struct{}
	conn *cachingConn
	done bool
}

func (t *gatedTx) Commit() error   { defer t.release(); return t.Tx.Commit() }
func (t *gatedTx) Rollback() error { defer t.release(); return t.Tx.Rollback() }

func (t *gatedTx) release() {
	if !t.done {
		t.done = true
		t.conn.inTx = false
		if t.gate != nil {
			<-t.gate
		}
	}
}
func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.full().PrepareContext(ctx, query)
	if err != nil || !c.count {
		return st, err
	}
	return countedStmt{Stmt: st, conn: c}, nil
}

// countedStmt is a statement a caller prepared itself (database/sql's
// Stmt), counted at each run.
type countedStmt struct {
	driver.Stmt
	conn *cachingConn
}

func (s countedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.conn.counted()
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s countedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.conn.counted()
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.full().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.full().ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.full().IsValid() }

// Close closes every cached statement, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	return errors.Join(append(errs, c.inner.Close())...)
}

// ExecContext runs query through its cached statement.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.counted()
	cs, err := c.statement(ctx, query)
	if err != nil || cs == nil {
		if err == nil {
			return c.full().ExecContext(ctx, query, args)
		}
		return nil, err
	}
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs query through its cached statement, which stays busy
// until its rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.counted()
	cs, err := c.statement(ctx, query)
	if err != nil || cs == nil {
		if err == nil {
			return c.full().QueryContext(ctx, query, args)
		}
		return nil, err
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, cs: cs}, nil
}

// statement returns the cached statement of query, preparing it the
// first time; nil when that statement is busy. (A script of several
// statements caches nothing useful — the driver parses it statement by
// statement at each run — but does no harm either.)
func (c *cachingConn) statement(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		return cs, nil
	}
	stmt, err := c.full().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, stmt: stmt}
	c.byQuery[query] = c.lru.PushFront(cs)
	if c.lru.Len() > stmtCacheSize {
		c.evict(c.lru.Back())
	}
	return cs, nil
}

// evict drops a statement from the cache; a busy one is closed by its
// rows when they close.
func (c *cachingConn) evict(e *list.Element) {
	cs := c.lru.Remove(e).(*cachedStmt)
	delete(c.byQuery, cs.query)
	if !cs.busy {
		cs.stmt.Close()
	} else {
		cs.query = "" // marks it evicted
	}
}

// cachedRows frees its statement when closed.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	if r.cs.query == "" {
		err = errors.Join(err, r.cs.stmt.Close())
	}
	return err
}

// The column type methods of the driver's rows, which database/sql uses
// when they exist.

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}
