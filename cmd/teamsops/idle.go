package main

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// idleAfter is how long without a request makes the server idle, and
// idleGarbage how much it must have allocated since it last gave memory
// back for it to do so again. While idle, the server collects its garbage
// and returns the free memory to the operating system each time that much
// was allocated: under load the collector keeps what it freed for the
// next allocations, as it should, but once the load is gone Go's
// scavenger returns only what lies above the heap's goal — at GOGC=400,
// five times the live heap — and an idle server, still delivering
// notifications or answering scrapes, would hold for good memory it no
// longer uses (docs/performance.md, "Memory"). At 8 MiB, an idle
// server's RSS rose from 49 to 62 MB between two returns; at 4 MiB it
// returns every few seconds, each a collection of a heap of a few MB.
const (
	idleAfter   = 15 * time.Second
	idleGarbage = 4 << 20
)

// idleRelease counts requests, and when none came for a while returns
// free memory to the operating system.
type idleRelease struct {
	requests  atomic.Uint64
	after     time.Duration // idleAfter
	garbage   uint64        // idleGarbage
	allocated func() uint64 // bytes allocated so far
	release   func()        // debug.FreeOSMemory
}

// newIdleRelease returns an idleRelease that calls forget (which empties
// the read caches: what they hold is most of the live heap after a load;
// and closes SQLite's idle connections, which hold more outside it) before
// it returns memory.
func newIdleRelease(forget func()) *idleRelease {
	return &idleRelease{after: idleAfter, garbage: idleGarbage, allocated: allocated,
		release: func() { forget(); debug.FreeOSMemory() }}
}

// allocated reads the bytes the heap has allocated since the start.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// track counts the requests h serves, but for the operator's own —
// metrics scrapes and health checks — which come whether or not the
// server is in use.
func (r *idleRelease) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/metrics", "/healthz", "/readyz":
		default:
			r.requests.Add(1)
		}
		h.ServeHTTP(w, req)
	})
}

// run looks every check until ctx ends.
func (r *idleRelease) run(ctx context.Context, check time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(check)
	defer tick.Stop()
	seen, since := r.requests.Load(), r.allocated()
	quiet := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if n := r.requests.Load(); n != seen {
			seen, quiet = n, 0
			continue
		}
		quiet += check
		if quiet < r.after || r.allocated()-since < r.garbage {
			continue
		}
		began := time.Now()
		r.release()
		since = r.allocated()
		logger.Debug("idle: memory returned to the operating system", "took", time.Since(began))
	}
}
