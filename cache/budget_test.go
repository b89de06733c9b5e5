package cache_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/sqlite"
)

func statsOf(c *cache.Store, name string) cache.Stats {
	for _, s := range c.Stats() {
		if s.Name == name {
			return s
		}
	}
	return cache.Stats{}
}

// Each cache stays within its budget of bytes however many answers pass
// through it, keeps serving what it holds, and counts hits and misses.
func TestBudget(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "teamsops.db"))
	must(t, err)
	const budget = 32 << 10
	f := &feedless{Store: s} // the test says what changed
	c := cache.New(f, budget)
	t.Cleanup(func() { c.Close() })
	seed(t, c, teamsops.OperationStatusSucceeded)
	ctx := t.Context()
	const n = 1000
	for i := range n {
		must(t, s.CreateOperation(ctx, &teamsops.Operation{ID: fmt.Sprintf("op-%04d", i), TenantID: tenant,
			Resource: chat, Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusSucceeded,
			CreatedDateTime: time.Unix(1, 0).UTC(), LastActionDateTime: time.Unix(2, 0).UTC()}))
	}
	for i := range n {
		id := fmt.Sprintf("op-%04d", i)
		op, err := c.Operation(ctx, tenant, chat, id)
		must(t, err)
		if op.ID != id {
			t.Fatalf("asked for %s, got %s", id, op.ID)
		}
		if st := statsOf(c, cache.OperationCache); st.Bytes > budget || st.Bytes < 0 {
			t.Fatalf("after %d operations the cache holds %d bytes, budget %d", i+1, st.Bytes, budget)
		}
	}
	st := statsOf(c, cache.OperationCache)
	if st.Entries == 0 || st.Entries >= n || st.MaxBytes != budget {
		t.Errorf("%+v: want some but not all of %d operations kept, within %d bytes", st, n, budget)
	}
	if st.Misses != n || st.Hits != 0 {
		t.Errorf("%d hits, %d misses; want 0 and %d", st.Hits, st.Misses, n)
	}
	// The last one read is still held: a hit.
	if _, err := c.Operation(ctx, tenant, chat, fmt.Sprintf("op-%04d", n-1)); err != nil {
		t.Fatal(err)
	}
	if st := statsOf(c, cache.OperationCache); st.Hits != 1 {
		t.Errorf("%d hits after reading the last operation again, want 1", st.Hits)
	}
	member(t, c, alex)
	member(t, c, alex)
	if a := statsOf(c, cache.AccessCache); a.Entries != 1 || a.Bytes <= 0 || a.Hits != 1 || a.Misses != 1 {
		t.Errorf("access cache %+v: want 1 entry of some bytes, 1 hit, 1 miss", a)
	}
	// A tenant's change forgets all of it, and its bytes.
	f.send(teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: tenant})
	for _, st := range c.Stats() {
		if st.Entries != 0 || st.Bytes != 0 {
			t.Errorf("%s after the tenant changed: %d entries, %d bytes; want none", st.Name, st.Entries, st.Bytes)
		}
	}
}

// Forget empties both caches and their accounting; reads go on.
func TestForget(t *testing.T) {
	c, raw, syncs := newCached(t)
	if !syncs {
		t.Skip("nothing is kept over a store that cannot Sync")
	}
	seed(t, c, teamsops.OperationStatusSucceeded)
	member(t, c, alex)
	if _, err := c.Operation(t.Context(), tenant, chat, opID); err != nil {
		t.Fatal(err)
	}
	c.Forget()
	for _, st := range c.Stats() {
		if st.Entries != 0 || st.Bytes != 0 {
			t.Errorf("%s after Forget: %d entries, %d bytes", st.Name, st.Entries, st.Bytes)
		}
	}
	before := raw.access.Load()
	if !member(t, c, alex) || raw.access.Load() != before+1 {
		t.Error("after Forget, the answer was not read again from the store")
	}
}

// An answer kept when the cache is over its budget is kept in a map that
// survives the eviction it causes. Eviction deletes the maps it empties;
// when it deleted the map just made for the new answer, the answer went
// into a nil map: a panic, which the Graph edge answered with a 500 on the
// GET of an operation (seen in a soak with thousands of chats).
func TestEvictionKeepsTheNewAnswersMap(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "teamsops.db"))
	must(t, err)
	const budget = 2 << 10
	c := cache.New(&feedless{Store: s}, budget)
	t.Cleanup(func() { c.Close() })
	seed(t, c, teamsops.OperationStatusSucceeded)
	for i := range 3000 {
		ref := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: fmt.Sprintf("19:%04d@thread.v2", i)}
		if _, err := c.Access(t.Context(), tenant, ref, alex, ""); err != nil {
			t.Fatal(err)
		}
	}
	if st := statsOf(c, cache.AccessCache); st.Entries == 0 || st.Bytes > budget {
		t.Errorf("access cache %+v: want some answers kept within %d bytes", st, budget)
	}
}
