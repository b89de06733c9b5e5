package notification

import (
	"testing"
	"time"
)

// TestReceivers: a receiver gets limit POSTs at once; past Graph's share
// of slow answers it is flagged slow (one POST at a time), then dropped;
// a new window forgives it.
func TestReceivers(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	rs := newReceivers(2, 2900*time.Millisecond, func() time.Time { return now })
	a, b := receiverKey("https://A.example:443/x"), receiverKey("https://a.example/y")
	if a != b {
		t.Fatalf("keys %q and %q name the same receiver", a, b)
	}
	if ok, _ := rs.acquire(a); !ok {
		t.Fatal("first slot refused")
	}
	if ok, _ := rs.acquire(a); !ok {
		t.Fatal("second slot refused")
	}
	if ok, wait := rs.acquire(a); ok || wait <= 0 {
		t.Fatalf("third slot: ok %v, wait %v", ok, wait)
	}
	if ok, _ := rs.acquire(receiverKey("https://other.example/")); !ok {
		t.Fatal("another receiver waits for a busy one")
	}
	rs.release(a, time.Second)
	rs.release(a, time.Second)
	post := func(took time.Duration) {
		if ok, _ := rs.acquire(a); !ok {
			t.Fatal("slot refused")
		}
		rs.release(a, took)
	}
	for range 88 {
		post(100 * time.Millisecond) // 90 fast ones in all
	}
	for range 10 {
		post(3 * time.Second) // 10% slow
	}
	if st := rs.state(a); st != receiverSlow {
		t.Fatalf("state after 10%% slow = %v, want slow", st)
	}
	if ok, _ := rs.acquire(a); !ok {
		t.Fatal("a slow receiver gets one slot")
	}
	if ok, _ := rs.acquire(a); ok {
		t.Fatal("a slow receiver gets a second slot")
	}
	rs.release(a, 3*time.Second)
	for range 6 {
		post(3 * time.Second)
	}
	if st := rs.state(a); st != receiverDropped {
		t.Fatalf("state after %d%% slow = %v, want dropped", 17*100/107, st)
	}
	now = now.Add(slowWindow)
	if st := rs.state(a); st != receiverFine {
		t.Fatalf("state in a new window = %v, want fine", st)
	}
}
