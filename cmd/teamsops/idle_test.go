package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// Memory is returned once per idle spell that follows requests: not
// while nothing was asked at all, and not again until requests come back.
func TestIdleRelease(t *testing.T) {
	var released atomic.Int32
	r := &idleRelease{after: 20 * time.Millisecond, release: func() { released.Add(1) }}
	h := r.track(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	go r.run(t.Context(), 5*time.Millisecond, slog.New(slog.DiscardHandler))
	time.Sleep(100 * time.Millisecond) // idle from the start: nothing to release
	if n := released.Load(); n != 0 {
		t.Fatalf("released %d times before any request", n)
	}
	for spell := int32(1); spell <= 2; spell++ {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
		for deadline := time.Now().Add(10 * time.Second); released.Load() < spell; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("spell %d: not released after the requests stopped", spell)
			}
		}
		time.Sleep(100 * time.Millisecond) // still idle
		if n := released.Load(); n != spell {
			t.Fatalf("released %d times after %d idle spells", n, spell)
		}
	}
}
