package cache_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/sqlite"
)

const (
	tenant = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	adele  = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	alex   = "82af01c5-f7cc-4a2e-a728-3a5df21afd9d"
	bot    = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10"
	chatID = "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
	opID   = "2432b57b-0abd-43db-aa7b-16eadd115d34"
)

var chat = teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: chatID}

// counting counts the reads that reach the database.
type counting struct {
	teamsops.Store
	access, ops atomic.Int64
}

func (c *counting) Access(ctx context.Context, t string, ref teamsops.ResourceRef, u, a string) (teamsops.ResourceAccess, error) {
	c.access.Add(1)
	return c.Store.Access(ctx, t, ref, u, a)
}

// countingSyncer is counting over a store that can Sync (SQLite's).
type countingSyncer struct {
	*counting
	syncer cache.Syncer
}

func (c countingSyncer) Sync(ctx context.Context) error { return c.syncer.Sync(ctx) }

func (c *counting) Operation(ctx context.Context, t string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	c.ops.Add(1)
	return c.Store.Operation(ctx, t, ref, id)
}

// seed writes a tenant, two users, a chat of both and an operation.
func seed(t *testing.T, s teamsops.Store, status teamsops.OperationStatus) {
	t.Helper()
	ctx := t.Context()
	must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant}))
	for _, u := range []string{adele, alex} {
		must(t, s.CreateUser(ctx, &teamsops.User{ID: u, TenantID: tenant}))
	}
	setMembers(t, s, adele, alex)
	must(t, s.CreateOperation(ctx, &teamsops.Operation{ID: opID, TenantID: tenant, Resource: chat,
		Type: teamsops.OperationTypeCreateChat, Status: status, CreatedDateTime: time.Unix(1, 0).UTC(),
		LastActionDateTime: time.Unix(2, 0).UTC()}))
}

func setMembers(t *testing.T, s teamsops.Store, users ...string) {
	t.Helper()
	c := &teamsops.Chat{ID: chatID, TenantID: tenant, ChatType: "group", CreatedDateTime: time.Unix(1, 0).UTC()}
	for _, u := range users {
		c.Members = append(c.Members, teamsops.Member{UserID: u})
	}
	must(t, s.CreateChat(t.Context(), c))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func member(t *testing.T, s teamsops.Store, user string) bool {
	t.Helper()
	a, err := s.Access(t.Context(), tenant, chat, user, "")
	must(t, err)
	return a.Member
}

func grants(t *testing.T, s teamsops.Store) []string {
	t.Helper()
	a, err := s.Access(t.Context(), tenant, chat, "", bot)
	must(t, err)
	return a.Grants
}

// newCached wraps a new store of the back end under test. Over a store
// that cannot Sync (PostgreSQL), access facts are not cached.
func newCached(t *testing.T) (c *cache.Store, raw *counting, syncs bool) {
	t.Helper()
	store := testdb.New(t)
	raw = &counting{Store: store}
	var wrapped teamsops.Store = raw
	syncer, syncs := store.(cache.Syncer)
	if syncs {
		wrapped = countingSyncer{raw, syncer}
	}
	c = cache.New(wrapped, 0)
	t.Cleanup(func() { c.Close() })
	return c, raw, syncs
}

// Answers are served from memory, and a change made through the store
// is seen by the very next read.
func TestAccessForgottenAtOnce(t *testing.T) {
	c, raw, syncs := newCached(t)
	seed(t, c, teamsops.OperationStatusSucceeded)
	if !member(t, c, alex) || !member(t, c, alex) {
		t.Fatal("alex is a member")
	}
	want := int64(2) // without Sync, access facts are always read
	if syncs {
		want = 1
	}
	if n := raw.access.Load(); n != want {
		t.Errorf("%d access reads reached the database, want %d", n, want)
	}
	setMembers(t, raw.Store, adele) // alex removed, through the store itself
	if member(t, c, alex) {
		t.Error("a member removed is still a member")
	}

	grant := &teamsops.PermissionGrant{ID: "g", TenantID: tenant, Resource: chat, ClientAppID: bot,
		PermissionType: "Application", Permission: "ChatSettings.Read.Chat"}
	if len(grants(t, c)) != 0 {
		t.Fatal("no grant yet")
	}
	must(t, raw.Store.CreatePermissionGrant(t.Context(), grant))
	if got := grants(t, c); len(got) != 1 {
		t.Errorf("grants %v after the grant", got)
	}
	grant.Resource = teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "19:other@thread.v2"} // moved away: revoked here
	must(t, raw.Store.CreatePermissionGrant(t.Context(), grant))
	if got := grants(t, c); len(got) != 0 {
		t.Errorf("grants %v after the grant moved to another chat", got)
	}
}

// Operations are kept once they have ended (over a store that can Sync),
// never before, and forgotten when they change.
func TestOperations(t *testing.T) {
	c, raw, syncs := newCached(t)
	seed(t, c, teamsops.OperationStatusInProgress)
	ctx := t.Context()
	for range 3 {
		if _, err := c.Operation(ctx, tenant, chat, opID); err != nil {
			t.Fatal(err)
		}
	}
	if n := raw.ops.Load(); n != 3 {
		t.Errorf("%d reads of a running operation reached the database, want 3", n)
	}
	op, err := raw.Store.Operation(ctx, tenant, chat, opID)
	must(t, err)
	op.Status = teamsops.OperationStatusSucceeded
	must(t, raw.Store.UpdateOperation(ctx, op))
	raw.ops.Store(0)
	for range 3 {
		got, err := c.Operation(ctx, tenant, chat, opID)
		must(t, err)
		if got.Status != teamsops.OperationStatusSucceeded {
			t.Fatalf("status %s", got.Status)
		}
		got.Status = "scribbled" // a caller's copy
	}
	want := int64(3) // nothing kept without Sync
	if syncs {
		want = 1
	}
	if n := raw.ops.Load(); n != want {
		t.Errorf("%d reads of an ended operation reached the database, want %d", n, want)
	}
	// Under another chat, the operation does not exist.
	if _, err := c.Operation(ctx, tenant, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "x"}, opID); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("under another chat: %v", err)
	}
	// Rewritten (a tenant file edited), it is read again.
	op.Status = teamsops.OperationStatusFailed
	op.Error = &teamsops.OperationError{Code: "c", Message: "m"}
	must(t, raw.Store.CreateOperation(ctx, op))
	got, err := c.Operation(ctx, tenant, chat, opID)
	must(t, err)
	if got.Status != teamsops.OperationStatusFailed {
		t.Errorf("status %s after the rewrite", got.Status)
	}
}

// While changes may be missed, nothing is served from memory.
func TestNotLive(t *testing.T) {
	s := testdb.New(t)
	f := &feedless{Store: s}
	c := cache.New(f, 0)
	seed(t, s, teamsops.OperationStatusSucceeded)
	member(t, c, alex)
	setMembers(t, s, adele) // unheard of: the cache still says alex is a member
	if !member(t, c, alex) {
		t.Fatal("not served from memory")
	}
	f.send(teamsops.Change{Kind: teamsops.ChangeReset}) // blind from now
	setMembers(t, s, adele)                             // a change the cache cannot hear of
	if member(t, c, alex) {
		t.Error("served from memory while blind")
	}
	f.send(teamsops.Change{Kind: teamsops.ChangeReset, Live: true})
	setMembers(t, s, adele, alex)
	if !member(t, c, alex) {
		t.Error("alex is a member again")
	}
}

// feedless is a store whose change feed the test drives; its Sync does
// nothing, so the cache trusts what the test says.
type feedless struct {
	teamsops.Store
	mu sync.Mutex
	fn func(teamsops.Change)
}

func (f *feedless) Watch(fn func(teamsops.Change)) func() {
	f.mu.Lock()
	f.fn = fn
	f.mu.Unlock()
	return func() {}
}

func (f *feedless) Sync(context.Context) error { return nil }

func (f *feedless) send(c teamsops.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fn(c)
}

// Readers racing writers never keep an answer the last write made
// stale: after each write, every read sees it.
func TestNoStaleAnswerUnderRace(t *testing.T) {
	c, raw, _ := newCached(t)
	seed(t, c, teamsops.OperationStatusSucceeded)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					c.Access(context.Background(), tenant, chat, alex, "")
				}
			}
		}()
	}
	for i := range 60 {
		in := i%2 == 0
		if in {
			setMembers(t, raw.Store, adele, alex)
		} else {
			setMembers(t, raw.Store, adele)
		}
		if got := member(t, c, alex); got != in {
			t.Fatalf("write %d: member %v, want %v", i, got, in)
		}
	}
	close(stop)
	wg.Wait()
}

// A change another process commits to the same SQLite file is seen by
// the very next read (Sync reads the change log when the files changed).
func TestOtherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "teamsops.db")
	a, err := sqlite.Open(t.Context(), path)
	must(t, err)
	b, err := sqlite.Open(t.Context(), path)
	must(t, err)
	t.Cleanup(func() { b.Close() })
	c := cache.New(a, 0)
	t.Cleanup(func() { c.Close() })
	seed(t, c, teamsops.OperationStatusSucceeded)
	if !member(t, c, alex) {
		t.Fatal("alex is a member")
	}
	for i := range 20 {
		in := i%2 == 1
		if in {
			setMembers(t, b, adele, alex)
		} else {
			setMembers(t, b, adele)
		}
		if member(t, c, alex) != in {
			t.Fatalf("change %d by the other process not seen at once", i)
		}
	}
}
