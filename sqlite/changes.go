package sqlite

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/feed"
)

// Change log settings: how often another process's changes are looked
// for, and how many changes of one transaction are logged one by one
// before they are coalesced (feed.Coalesce).
const (
	tailInterval   = 20 * time.Millisecond
	maxTxChanges   = 64
	tailBatch      = 1000
	pruneEveryTick = 500
)

// DefaultChangeRetention is how long a logged change is kept unless
// SetChangeRetention says otherwise. Other processes on the same file read
// the log within tailInterval; a process that stops reading it for longer
// than this (suspended, stopped in a debugger) misses the changes pruned
// meanwhile, so the margin is wide: minutes of changes are a few megabytes
// even under sustained load.
const DefaultChangeRetention = 10 * time.Minute

// SetChangeRetention sets how long the change log keeps a change; call it
// before the store is used. 0 or less keeps DefaultChangeRetention.
func (s *Store) SetChangeRetention(d time.Duration) {
	if d > 0 {
		s.changes.retention.Store(int64(d))
	}
}

// changeLog reports committed changes (teamsops.Store.Watch): this
// process's right after they commit, other processes' (read from the
// changes table) within tailInterval.
type changeLog struct {
	feed.Feed
	db     *sql.DB
	memory bool   // an in-memory database has no other process
	path   string // the database file: Sync looks at it and its WAL

	readMu sync.Mutex // one reader of the log at a time: the tail or a Sync
	wal    walStamp   // the write-ahead log as the last Sync found it
	readAt int64      // when that Sync began to read the change log

	retention atomic.Int64 // how long a change is kept, a time.Duration

	mu   sync.Mutex
	own  map[int64]bool // sequence numbers this process logged and published
	last int64          // the highest sequence number read by the tail

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newChangeLog(db *sql.DB, memory bool, path string) *changeLog {
	l := &changeLog{db: db, memory: memory, path: path, own: map[int64]bool{}}
	l.retention.Store(int64(DefaultChangeRetention))
	l.OnFirstWatch(l.startTail)
	return l
}

// Watch implements teamsops.Store.Watch.
func (s *Store) Watch(fn func(teamsops.Change)) (cancel func()) { return s.changes.Watch(fn) }

// log writes changes into the change log inside tx and returns their
// sequence numbers.
func (l *changeLog) log(ctx context.Context, tx *sql.Tx, changes []teamsops.Change) ([]int64, error) {
	if len(changes) == 0 || l.memory {
		return nil, nil
	}
	at := time.Now().UnixNano()
	var seqs []int64
	for len(changes) > 0 {
		n := min(len(changes), maxLogInsert)
		var values []string
		var args []any
		for _, c := range changes[:n] {
			values = append(values, "(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, at, string(c.Kind), c.TenantID, string(c.Resource.Kind), c.Resource.ID, c.OperationID, string(c.Status))
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO changes
			(at, kind, tenant_id, resource_kind, resource_id, operation_id, status)
			VALUES `+strings.Join(values, ", ")+` RETURNING seq`, args...)
		if err != nil {
			return nil, storeError("log changes", err)
		}
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				rows.Close()
				return nil, storeError("log changes", err)
			}
			seqs = append(seqs, seq)
		}
		if err := rows.Close(); err != nil {
			return nil, storeError("log changes", err)
		}
		if err := rows.Err(); err != nil {
			return nil, storeError("log changes", err)
		}
		changes = changes[n:]
	}
	return seqs, nil
}

// maxLogInsert is the most changes one insert logs: 7 parameters each,
// well below SQLite's limit.
const maxLogInsert = 1000

// published records that this process published the changes of seqs
// itself, after their commit, so the tail does not publish them again.
func (l *changeLog) published(seqs []int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stop == nil {
		return // nothing tails the log
	}
	for _, seq := range seqs {
		if seq > l.last {
			l.own[seq] = true
		}
	}
}

// startTail starts reading other processes' changes, from now on.
func (l *changeLog) startTail() {
	if l.memory {
		return
	}
	ctx := context.Background()
	var last sql.NullInt64
	if err := l.db.QueryRowContext(ctx, `SELECT max(seq) FROM changes`).Scan(&last); err != nil {
		l.Publish(teamsops.Change{Kind: teamsops.ChangeReset, Live: true})
	}
	l.mu.Lock()
	l.last = last.Int64
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	l.mu.Unlock()
	go l.tail()
}

// tail reads the change log until close.
func (l *changeLog) tail() {
	defer close(l.done)
	ticker := time.NewTicker(tailInterval)
	defer ticker.Stop()
	healthy := true
	for tick := 1; ; tick++ {
		select {
		case <-l.stop:
			return
		case <-ticker.C:
		}
		l.readMu.Lock()
		err := l.readOthers(context.Background())
		l.readMu.Unlock()
		if err != nil && healthy {
			// Changes may be missed while the log cannot be read.
			l.Publish(teamsops.Change{Kind: teamsops.ChangeReset})
		} else if err == nil && !healthy {
			l.Publish(teamsops.Change{Kind: teamsops.ChangeReset, Live: true})
		}
		healthy = err == nil
		if tick%pruneEveryTick == 0 {
			l.prune(context.Background(), time.Now())
		}
	}
}

// prune deletes the changes logged longer than the retention before now.
// The log is in the order of seq, and at grows with it: what goes is
// every row before the first one young enough, found by walking from the
// oldest, so no scan of the whole table is needed. The newest row is
// always kept.
func (l *changeLog) prune(ctx context.Context, now time.Time) (int64, error) {
	cutoff := now.Add(-time.Duration(l.retention.Load())).UnixNano()
	res, err := l.db.ExecContext(ctx, `DELETE FROM changes WHERE seq < coalesce(
			(SELECT seq FROM changes WHERE at >= ? ORDER BY seq LIMIT 1),
			(SELECT max(seq) FROM changes))`, cutoff)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// readOthers publishes the logged changes after the last one read that
// this process did not publish itself.
func (l *changeLog) readOthers(ctx context.Context) error {
	l.mu.Lock()
	last := l.last
	l.mu.Unlock()
	rows, err := l.db.QueryContext(ctx, `SELECT seq, kind, tenant_id, resource_kind, resource_id,
			operation_id, status FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, last, tailBatch)
	if err != nil {
		return err
	}
	defer rows.Close()
	var found []teamsops.Change
	var seqs []int64
	for rows.Next() {
		var seq int64
		var c teamsops.Change
		var kind, rkind, status string
		if err := rows.Scan(&seq, &kind, &c.TenantID, &rkind, &c.Resource.ID, &c.OperationID, &status); err != nil {
			return err
		}
		c.Kind, c.Resource.Kind, c.Status = teamsops.ChangeKind(kind), teamsops.ResourceKind(rkind), teamsops.OperationStatus(status)
		if c.Kind == teamsops.ChangeReset {
			c.Live = true
		}
		found, seqs = append(found, c), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var others []teamsops.Change
	l.mu.Lock()
	for i, seq := range seqs {
		if l.own[seq] {
			delete(l.own, seq)
		} else {
			others = append(others, found[i])
		}
		l.last = seq
	}
	l.mu.Unlock()
	l.Publish(others...)
	return nil
}

// Sync implements what package cache asks of a store whose change feed it
// must not trust blindly: once it returns, every change committed before
// it was called, by any process, has been reported. In WAL mode every
// commit writes the write-ahead log, so when the log file's size and
// modification time are as the last look found them (one stat, no query)
// nothing was committed since; otherwise the change log is read now.
//
// File times come from a coarse clock: two commits within one tick leave
// the same time. So an unchanged stamp is trusted only when its time is
// well before the last read of the change log, which then saw every
// commit of that tick; a commit after it would show a later time.
func (s *Store) Sync(ctx context.Context) error { return s.changes.sync(ctx) }

// coarseClock bounds the granularity of file modification times.
const coarseClock = 50 * time.Millisecond

func (l *changeLog) sync(ctx context.Context) error {
	if l.memory {
		return nil
	}
	now, ok := stampWAL(l.path)
	l.readMu.Lock()
	defer l.readMu.Unlock()
	if ok && now == l.wal && now.mod < l.readAt-int64(coarseClock) {
		return nil
	}
	l.mu.Lock()
	tailing := l.stop != nil
	l.mu.Unlock()
	if !tailing {
		return nil // no one watches, so there is no one to tell
	}
	began := time.Now().UnixNano()
	if err := l.readOthers(ctx); err != nil {
		// Sync runs on every cached read's path: a busy database must be
		// a 503 to retry there too, as on the store's own reads.
		return storeError("read the change log", err)
	}
	if ok {
		l.wal, l.readAt = now, began
	}
	return nil
}

// walStamp is what a commit changes in the write-ahead log file.
type walStamp struct{ size, mod int64 }

// stampWAL stats the database's write-ahead log.
func stampWAL(path string) (walStamp, bool) {
	wal, err := os.Stat(path + "-wal")
	if err != nil {
		return walStamp{}, false
	}
	return walStamp{wal.Size(), wal.ModTime().UnixNano()}, true
}

// close stops the tail.
func (l *changeLog) close() {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		stop, done := l.stop, l.done
		l.mu.Unlock()
		if stop != nil {
			close(stop)
			<-done
		}
	})
}

// accessChanged is the change to a chat's, team's or group's access facts.
func accessChanged(tenantID string, kind teamsops.ResourceKind, id string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenantID, Resource: teamsops.ResourceRef{Kind: kind, ID: id}}
}
