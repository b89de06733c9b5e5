package main

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// idleAfter is how long without a request makes the server idle: then it
// collects its garbage and gives the free memory back to the operating
// system, once per idle spell. Under load the collector keeps what it
// freed for the next allocations, as it should; once the load is gone,
// Go's scavenger would return it only slowly (a few megabytes a second at
// most, and nothing it expects to need under its heap goal), and an idle
// server would hold for minutes memory it no longer uses
// (docs/performance.md, "Memory").
const idleAfter = 15 * time.Second

// idleRelease counts requests, and when none came for idleAfter after
// some did, frees what the last burst of work left behind.
type idleRelease struct {
	requests atomic.Uint64
	after    time.Duration // idleAfter
	release  func()        // debug.FreeOSMemory
}

func newIdleRelease() *idleRelease {
	return &idleRelease{after: idleAfter, release: debug.FreeOSMemory}
}

// track counts the requests h serves.
func (r *idleRelease) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		h.ServeHTTP(w, req)
	})
}

// run watches the count every check until ctx ends.
func (r *idleRelease) run(ctx context.Context, check time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(check)
	defer tick.Stop()
	seen, released := r.requests.Load(), r.requests.Load()
	quiet := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n := r.requests.Load()
		if n != seen {
			seen, quiet = n, 0
			continue
		}
		if quiet += check; quiet >= r.after && n != released {
			released = n
			began := time.Now()
			r.release()
			logger.Debug("idle: memory returned to the operating system", "took", time.Since(began))
		}
	}
}
