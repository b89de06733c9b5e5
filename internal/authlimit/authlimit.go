// Package authlimit throttles guesses of the admin token: it counts the
// failed attempts of each client address and, after a handful within a
// window, refuses that address every attempt, right or wrong, until the
// oldest failure leaves the window. A right token from another address
// still works.
//
// The count lives in the process. A client address is the connection's
// remote address — an IPv6 client by its /64, the block one host is
// usually given — never a forwarded header, which anyone may write; so
// behind a reverse proxy every client counts as the proxy.
package authlimit

import (
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// Defaults: five failures a minute, then 429 until a minute after the
// first of them.
const (
	DefaultMax    = 5
	DefaultWindow = time.Minute
)

// maxClients bounds the addresses counted one by one; past it, the
// addresses not yet counted share one count (overflowKey), so that a
// flood from many addresses neither grows memory nor escapes the limit.
const maxClients = 10000

const overflowKey = "*"

// Limiter counts failures per client address. Its zero value is not
// usable: call New.
type Limiter struct {
	max    int
	window time.Duration
	// Now is the clock; tests set it.
	Now func() time.Time

	mu      sync.Mutex
	clients map[string][]time.Time // the failures within the window, oldest first
}

// New returns a Limiter that refuses an address after max failures
// within window.
func New(max int, window time.Duration) *Limiter {
	return &Limiter{max: max, window: window, Now: time.Now, clients: map[string][]time.Time{}}
}

// Allow reports whether the client at addr may try now; when it may not,
// retryAfter is how long until it may.
func (l *Limiter) Allow(addr string) (retryAfter time.Duration, ok bool) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	key := l.key(addr, false)
	fails := l.recent(key, now)
	if len(fails) < l.max {
		return 0, true
	}
	return fails[len(fails)-l.max].Add(l.window).Sub(now), false
}

// Fail counts a failed attempt of the client at addr.
func (l *Limiter) Fail(addr string) {
	now := l.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	key := l.key(addr, true)
	fails := append(l.recent(key, now), now)
	if len(fails) > l.max {
		fails = fails[len(fails)-l.max:]
	}
	l.clients[key] = fails
}

// recent returns key's failures within the window, forgetting older ones.
func (l *Limiter) recent(key string, now time.Time) []time.Time {
	fails := l.clients[key]
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= l.window {
		i++
	}
	if i == len(fails) {
		delete(l.clients, key)
		return nil
	}
	fails = fails[i:]
	l.clients[key] = fails
	return fails
}

// key is the count addr falls in: its own, or the shared one when the
// map is full. adding says the caller is about to add a count, which may
// first make room by dropping addresses whose failures are all old.
func (l *Limiter) key(addr string, adding bool) string {
	if _, ok := l.clients[addr]; ok || len(l.clients) < maxClients {
		return addr
	}
	if adding {
		now := l.Now()
		for k := range l.clients {
			l.recent(k, now)
		}
		if len(l.clients) < maxClients {
			return addr
		}
	}
	return overflowKey
}

// ClientAddress is the address r's failures count against: the host of
// its connection's remote address, an IPv6 address cut to its /64.
func ClientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// RetryAfter renders d as a Retry-After value: whole seconds, at least 1.
func RetryAfter(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}
