package identity

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// guard keeps password and secret checks from taking the server. A bcrypt
// comparison costs tens of milliseconds of CPU by design, so a stream of
// wrong secrets, sent without any credential, could otherwise keep every
// core busy and stall Graph requests. It runs comparisons on a small pool
// (half the cores), refuses at once when too many wait, and throttles
// whoever keeps failing: each client id and each client address gets
// maxFailures a failureWindow, then Entra's 429 with Retry-After, the
// answer MSAL expects when it asks too often ("Understanding client and
// server throttling in MSAL").
type guard struct {
	slots      chan struct{}
	waiting    atomic.Int32
	maxWaiting int32

	mu       sync.Mutex
	failures map[string]*failures
	swept    time.Time
}

// failures counts one key's failures in the window that began at start.
type failures struct {
	start time.Time
	n     int
}

const (
	failureWindow = time.Minute
	maxFailures   = 20
	// maxGuardKeys bounds the failure counts kept; past it, windows that
	// ended are dropped, and if none has, all are.
	maxGuardKeys = 100000
)

func newGuard() *guard {
	return &guard{slots: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2)), maxWaiting: 64,
		failures: make(map[string]*failures)}
}

// throttled reports whether any key has failed maxFailures times in its
// current window, and the seconds until that window ends.
func (g *guard) throttled(now time.Time, keys ...string) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	wait := 0
	for _, k := range keys {
		f, ok := g.failures[k]
		if !ok || now.Sub(f.start) >= failureWindow || f.n < maxFailures {
			continue
		}
		wait = max(wait, int(f.start.Add(failureWindow).Sub(now)/time.Second)+1)
	}
	return wait, wait > 0
}

// fail counts a failure against each key.
func (g *guard) fail(now time.Time, keys ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.failures) >= maxGuardKeys {
		for k, f := range g.failures {
			if now.Sub(f.start) >= failureWindow {
				delete(g.failures, k)
			}
		}
		if len(g.failures) >= maxGuardKeys {
			clear(g.failures)
		}
	}
	for _, k := range keys {
		f, ok := g.failures[k]
		if !ok || now.Sub(f.start) >= failureWindow {
			f = &failures{start: now}
			g.failures[k] = f
		}
		f.n++
	}
}

// acquire waits for a slot of the pool, and returns its release; when
// too many requests wait already, or ctx ends, it answers 429 instead.
func (g *guard) acquire(ctx context.Context) (func(), *oauthError) {
	if g.waiting.Add(1) > g.maxWaiting {
		g.waiting.Add(-1)
		return nil, throttledError(1)
	}
	defer g.waiting.Add(-1)
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-ctx.Done():
		return nil, throttledError(1)
	}
}

// throttledError is Entra's answer to a client that asks too often: 429
// with Retry-After.
func throttledError(retryAfter int) *oauthError {
	return &oauthError{status: http.StatusTooManyRequests, code: "temporarily_unavailable", aadsts: 50196,
		retryAfter: retryAfter,
		msg:        fmt.Sprintf("The server terminated an operation because it encountered a client request loop. Too many failed sign-ins from this client; retry after %d seconds.", retryAfter)}
}

// clientKey and addressKey name what the guard counts failures against.
func clientKey(tenantID, clientID string) string { return "client\x00" + tenantID + "\x00" + clientID }

func addressKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "address\x00" + host
}

// checkHashes reports whether secret matches one of hashes: at once when
// it matched one before (secretCache), else on the guard's pool, unless
// keys are throttled. A mismatch counts against keys. remember says
// whether a match is remembered (client secrets are; passwords are not).
func (e *endpoints) checkHashes(ctx context.Context, hashes []string, secret string, remember bool, keys ...string) (bool, *oauthError) {
	if remember {
		for _, h := range hashes {
			if e.secrets.known(h, secret) {
				return true, nil
			}
		}
	}
	now := e.iss.Now()
	if wait, ok := e.guard.throttled(now, keys...); ok {
		return false, throttledError(wait)
	}
	release, oerr := e.guard.acquire(ctx)
	if oerr != nil {
		return false, oerr
	}
	defer release()
	for _, h := range hashes {
		if CheckSecret(h, secret) {
			if remember {
				e.secrets.remember(h, secret)
			}
			return true, nil
		}
	}
	e.guard.fail(now, keys...)
	return false, nil
}

type addressContextKey struct{}

// clientAddress is the guard's key of the request's client address, which
// Handler puts in the request's context.
func clientAddress(ctx context.Context) string {
	k, _ := ctx.Value(addressContextKey{}).(string)
	return k
}
