package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/feed"
)

// changesChannel names the NOTIFY channel on which replicas tell each
// other of committed changes. Channels are database-wide, so teamsops
// installations in different schemas of one database (search_path) each
// get their own.
func changesChannel(schema string) string {
	if schema == "public" {
		return "teamsops_changes"
	}
	sum := sha256.Sum256([]byte(schema))
	return "teamsops_changes_" + hex.EncodeToString(sum[:8])
}

// maxTxChanges is how many changes of one transaction are sent one by one
// before they are coalesced (feed.Coalesce).
const maxTxChanges = 64

// changeFeed reports committed changes (teamsops.Store.Watch): this
// process's right after they commit; other replicas', which this process
// NOTIFYs right after its commits, as PostgreSQL delivers them to a
// connection that LISTENs. While that connection is down, changes may be
// missed: the feed says so with a ChangeReset, and again when it listens
// again.
//
// The NOTIFY is sent after the commit, not inside the transaction:
// PostgreSQL serializes the commits of every transaction that notifies
// (they take one lock, held through the commit's flush to disk), which
// held the whole engine to one commit at a time. A sender goroutine sends
// whatever has committed meanwhile in one statement. A replica that dies
// between a commit and its NOTIFY leaves the others to learn of that
// change late: held requests answer when their wait ends, and nothing on
// PostgreSQL is answered from a cache (package cache), so no answer is
// wrong for it.
type changeFeed struct {
	feed.Feed
	origin  string // this process, so that it ignores its own notifications
	channel string
	connect func(ctx context.Context) (*pgx.Conn, error)
	exec    func(ctx context.Context, sql string, args ...any) error

	outbox    chan []teamsops.Change // committed, to be notified
	sent      chan struct{}          // closed when the sender has stopped
	stop      chan struct{}
	closeOnce sync.Once

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// outboxSize bounds the batches waiting to be sent; past it, changes are
// dropped and the other replicas told to forget everything instead.
const outboxSize = 4096

func newChangeFeed(channel string, connect func(ctx context.Context) (*pgx.Conn, error),
	exec func(ctx context.Context, sql string, args ...any) error) *changeFeed {
	f := &changeFeed{origin: rand.Text(), channel: channel, connect: connect, exec: exec,
		outbox: make(chan []teamsops.Change, outboxSize), sent: make(chan struct{}), stop: make(chan struct{})}
	f.OnFirstWatch(f.startListening)
	go f.send()
	return f
}

// Watch implements teamsops.Store.Watch.
func (s *Store) Watch(fn func(teamsops.Change)) (cancel func()) { return s.changes.Watch(fn) }

// committed hands changes that have committed to the sender.
func (f *changeFeed) committed(changes []teamsops.Change) {
	if len(changes) == 0 {
		return
	}
	select {
	case f.outbox <- changes:
	default:
		// The sender is far behind (the database is slow or down): tell
		// the others they missed something rather than block commits.
		select {
		case f.outbox <- []teamsops.Change{{Kind: teamsops.ChangeReset, Live: true}}:
		default:
		}
	}
}

// send NOTIFYs the committed changes, everything queued meanwhile in one
// statement, until close.
func (f *changeFeed) send() {
	defer close(f.sent)
	for {
		var batch []teamsops.Change
		select {
		case batch = <-f.outbox:
		case <-f.stop:
			return
		}
	more:
		for len(batch) < 10_000 {
			select {
			case b := <-f.outbox:
				batch = append(batch, b...)
			default:
				break more
			}
		}
		payloads := make([]string, len(batch))
		for i, c := range batch {
			payloads[i] = feed.Encode(f.origin, c)
		}
		for try := 0; try < 3; try++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := f.exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) p`, f.channel, payloads)
			cancel()
			if err == nil {
				break
			}
			time.Sleep(time.Duration(try+1) * 100 * time.Millisecond)
		}
	}
}

// startListening LISTENs before the first watcher's Watch returns, so
// that no change another replica commits after it is missed.
func (f *changeFeed) startListening() {
	ctx, cancel := context.WithCancel(context.Background())
	f.mu.Lock()
	f.cancel, f.done = cancel, make(chan struct{})
	f.mu.Unlock()
	conn, err := f.open(ctx)
	if err != nil {
		f.Publish(teamsops.Change{Kind: teamsops.ChangeReset})
	}
	go f.listen(ctx, conn)
}

// open connects and LISTENs.
func (f *changeFeed) open(ctx context.Context) (*pgx.Conn, error) {
	conn, err := f.connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+f.channel); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return conn, nil
}

// listen receives on conn until ctx ends; when the connection breaks (or
// conn is nil), it says changes may be missed and connects again, with
// backoff.
func (f *changeFeed) listen(ctx context.Context, conn *pgx.Conn) {
	defer close(f.done)
	backoff := 50 * time.Millisecond
	for {
		if conn != nil {
			f.receive(ctx, conn)
			conn.Close(context.WithoutCancel(ctx))
			if ctx.Err() != nil {
				return
			}
			f.Publish(teamsops.Change{Kind: teamsops.ChangeReset})
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		var err error
		if conn, err = f.open(ctx); err != nil {
			conn, backoff = nil, min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		f.Publish(teamsops.Change{Kind: teamsops.ChangeReset, Live: true})
	}
}

// receive publishes the notifications of other processes until the
// connection fails or ctx ends.
func (f *changeFeed) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		origin, c, err := feed.Decode(n.Payload)
		if err != nil || origin == f.origin {
			continue
		}
		f.Publish(c)
	}
}

// close stops listening and sending; what is queued is sent first.
// Closing again does nothing.
func (f *changeFeed) close() {
	first := false
	f.closeOnce.Do(func() { first = true })
	if !first {
		return
	}
	close(f.stop)
	<-f.sent
	f.flush()
	f.mu.Lock()
	cancel, done := f.cancel, f.done
	f.cancel = nil
	f.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// accessChanged is the change to a chat's, team's or group's access facts.
func accessChanged(tenantID string, kind teamsops.ResourceKind, id string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenantID, Resource: teamsops.ResourceRef{Kind: kind, ID: id}}
}

// flush sends what close found still queued.
func (f *changeFeed) flush() {
	var batch []teamsops.Change
	for {
		select {
		case b := <-f.outbox:
			batch = append(batch, b...)
			continue
		default:
		}
		break
	}
	if len(batch) == 0 {
		return
	}
	payloads := make([]string, len(batch))
	for i, c := range batch {
		payloads[i] = feed.Encode(f.origin, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f.exec(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) p`, f.channel, payloads)
}
