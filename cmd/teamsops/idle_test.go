package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Memory is returned once the server is idle and has allocated enough
// since it last was, and not while requests come; health checks and
// scrapes do not count as requests.
func TestIdleRelease(t *testing.T) {
	var released atomic.Int32
	var alloc atomic.Uint64
	const after = 300 * time.Millisecond // far longer than the gap between two requests below
	r := &idleRelease{after: after, garbage: 100, allocated: alloc.Load,
		release: func() { released.Add(1) }}
	h := r.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	get := func(path string) { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil)) }
	go r.run(t.Context(), 5*time.Millisecond, slog.New(slog.DiscardHandler))
	waitReleases := func(n int32) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); released.Load() < n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d releases, want %d", released.Load(), n)
			}
		}
	}
	stillAt := func(n int32, why string) {
		t.Helper()
		time.Sleep(after + 100*time.Millisecond)
		if got := released.Load(); got != n {
			t.Fatalf("%s: %d releases, want %d", why, got, n)
		}
	}
	stillAt(0, "nothing allocated")
	// Requests keep coming while garbage piles up: nothing is released.
	alloc.Add(1000)
	for range 20 {
		get("/v1.0/chats")
		time.Sleep(5 * time.Millisecond)
	}
	if released.Load() != 0 {
		t.Fatal("released while requests came")
	}
	waitReleases(1) // idle now
	stillAt(1, "idle, nothing more allocated")
	// Scrapes and health checks while idle: allocation releases again.
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		get(p)
	}
	alloc.Add(1000)
	waitReleases(2)
	stillAt(2, "idle, nothing more allocated")
}
