package authlimit

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"
)

// TestLimiter: five failures within the window refuse the address, and
// only it, until the first of them is a window old.
func TestLimiter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	l := New(5, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 5 {
		if _, ok := l.Allow("192.0.2.1"); !ok {
			t.Fatalf("refused after %d failures", i)
		}
		l.Fail("192.0.2.1")
		now = now.Add(time.Second)
	}
	wait, ok := l.Allow("192.0.2.1")
	if ok || wait != 55*time.Second || RetryAfter(wait) != 55 {
		t.Errorf("after five failures: %v %v, want refused for 55s", ok, wait)
	}
	if _, ok := l.Allow("192.0.2.2"); !ok {
		t.Error("another address is refused")
	}
	now = now.Add(55 * time.Second)
	if _, ok := l.Allow("192.0.2.1"); !ok {
		t.Error("still refused once the first failure left the window")
	}
	l.Fail("192.0.2.1")
	if _, ok := l.Allow("192.0.2.1"); ok {
		t.Error("one more failure within the window is not refused")
	}
}

// TestLimiterFull: past maxClients addresses, new ones share one count
// rather than grow the map, and old counts make room.
func TestLimiterFull(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	l := New(2, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range maxClients {
		l.Fail(fmt.Sprint(i))
	}
	l.Fail("new-1")
	l.Fail("new-2")
	if len(l.clients) != maxClients+1 {
		t.Errorf("%d counts", len(l.clients))
	}
	if _, ok := l.Allow("new-3"); ok {
		t.Error("the shared count of the overflow does not limit")
	}
	now = now.Add(time.Minute)
	l.Fail("new-4")
	if _, ok := l.clients["new-4"]; !ok || len(l.clients) != 1 {
		t.Errorf("old counts were not dropped: %d", len(l.clients))
	}
}

func TestClientAddress(t *testing.T) {
	for remote, want := range map[string]string{
		"192.0.2.7:5000":          "192.0.2.7",
		"[2001:db8:1:2:3::4]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.9]:80":   "192.0.2.9",
		"not an address":          "not an address",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		if got := ClientAddress(r); got != want {
			t.Errorf("%s: %s, want %s", remote, got, want)
		}
	}
}
