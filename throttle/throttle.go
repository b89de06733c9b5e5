// Package throttle applies Microsoft Graph's published Teams service
// limits (concepts/throttling-limits.md) to the requests of each app, as
// token buckets: one per app per tenant and one per app across all
// tenants for each request type of the page's table, the global limit
// per app, and, for a request on a team, channel or chat, the page's limit
// per app on that resource (ResourceLimits). A request takes a token from
// each of its buckets, or from none; when one is empty it is refused, with
// the time until that bucket holds a token again (a 429's Retry-After).
//
// Buckets live in the process: with several replicas, each enforces the
// full limits on the requests it sees (docs/operating.md).
package throttle

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scope names the limit that refused a request.
type Scope string

// The scopes of the limits.
const (
	ScopeAppTenant Scope = "app+tenant" // the row's limit per app per tenant
	ScopeApp       Scope = "app"        // the row's limit per app across all tenants
	ScopeGlobal    Scope = "global"     // GlobalPerApp
	ScopeResource  Scope = "resource"   // a ResourceLimit, on one team, channel, chat or user
)

// Resource is a team, channel or chat a request is issued on, or the user
// who issues it; its zero value is none.
type Resource struct {
	Kind ResourceKind
	ID   string
}

// resourceLimit returns the limit counted on resources of kind k.
func resourceLimit(k ResourceKind) (ResourceLimit, bool) {
	for _, l := range ResourceLimits {
		for _, kind := range l.Kinds {
			if kind == k {
				return l, true
			}
		}
	}
	return ResourceLimit{}, false
}

// Recorder is told of every refused request, so that metrics can count
// them (a Prometheus counter by request type and scope, say). Its method
// is called with the throttler's lock held: it must be quick and must not
// call the throttler.
type Recorder interface {
	Throttled(rt RequestType, scope Scope)
}

// Throttler holds the buckets of one process. Its zero value is not
// usable; call New. It is safe for concurrent use.
type Throttler struct {
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Recorder, if set, hears of every refusal.
	Recorder Recorder

	scale   float64
	mu      sync.Mutex
	buckets map[key]*bucket
	calls   int
}

// New returns a throttler whose every limit is the page's multiplied by
// scale (1 is Graph's limits; 0.01 lets a test reach them with a handful
// of requests). scale must be positive.
func New(scale float64) *Throttler {
	return &Throttler{scale: scale, buckets: make(map[key]*bucket)}
}

// Scale returns the factor the limits are multiplied by.
func (t *Throttler) Scale() float64 { return t.scale }

// ParseMode reads the --throttle setting: "off" (scale 0: no throttling),
// "graph" (scale 1) or "scale=F" with F a positive number.
func ParseMode(s string) (float64, error) {
	switch v := strings.TrimSpace(strings.ToLower(s)); {
	case v == "off" || v == "":
		return 0, nil
	case v == "graph":
		return 1, nil
	case strings.HasPrefix(v, "scale="):
		f, err := strconv.ParseFloat(strings.TrimPrefix(v, "scale="), 64)
		if err != nil || !(f > 0) || math.IsInf(f, 0) || f > 1e6 {
			return 0, fmt.Errorf("throttle: %q: the scale must be a positive number up to 1e6", s)
		}
		return f, nil
	}
	return 0, fmt.Errorf("throttle: %q: want off, graph or scale=F", s)
}

// key names one bucket; an empty tenant is "across all tenants", an
// empty request type the global limit or a resource's.
type key struct {
	scope    Scope
	tenant   string
	app      string
	rtype    string
	resource Resource
}

// bucket is a token bucket: it holds at most capacity tokens and gains
// rate tokens a second.
type bucket struct {
	tokens   float64
	rate     float64
	capacity float64
	last     time.Time
}

// fill adds the tokens earned since the last look.
func (b *bucket) fill(now time.Time) {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+elapsed*b.rate)
	}
	b.last = now
}

// wait is how long until the bucket holds a whole token.
func (b *bucket) wait() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// sweepEvery is how many calls pass between sweeps of full buckets, which
// would grant the same as new ones and so can be forgotten.
const sweepEvery = 4096

// Allow takes a token for one request of appID in tenantID of type rt
// from each of its buckets. It reports whether the request may go on and,
// if not, how long until it would be admitted.
func (t *Throttler) Allow(tenantID, appID string, rt RequestType) (time.Duration, bool) {
	return t.AllowOn(tenantID, appID, rt)
}

// AllowOn is Allow for a request issued on resources: after the buckets
// of its row and the global one, it takes a token from the bucket of appID
// on each resource whose kind the page limits (or, for a limit of all
// apps, the bucket of the resource alone). Team, channel and chat ids and
// users are the tenant's, so the buckets are also the tenant's.
func (t *Throttler) AllowOn(tenantID, appID string, rt RequestType, resources ...Resource) (time.Duration, bool) {
	now := time.Now()
	if t.Now != nil {
		now = t.Now()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.calls%sweepEvery == 0 {
		t.sweep(now)
	}
	type limit struct {
		k    key
		rate float64
	}
	limits := make([]limit, 3, 3+len(resources))
	limits[0] = limit{key{ScopeAppTenant, tenantID, appID, rt.Name, Resource{}}, rt.PerAppPerTenant}
	limits[1] = limit{key{ScopeApp, "", appID, rt.Name, Resource{}}, rt.PerApp}
	limits[2] = limit{key{ScopeGlobal, "", appID, "", Resource{}}, GlobalPerApp}
	for _, res := range resources {
		rl, ok := resourceLimit(res.Kind)
		if !ok || res.ID == "" {
			continue
		}
		app := appID
		if rl.AllApps {
			app = ""
		}
		limits = append(limits, limit{key{ScopeResource, tenantID, app, "", res}, rl.PerApp})
	}
	taken := make([]*bucket, len(limits))
	var longest time.Duration
	var refusedBy Scope
	for i, l := range limits {
		b := t.bucket(l.k, l.rate*t.scale, now)
		if w := b.wait(); w > longest {
			longest, refusedBy = w, l.k.scope
		}
		taken[i] = b
	}
	if longest > 0 {
		if t.Recorder != nil {
			t.Recorder.Throttled(rt, refusedBy)
		}
		return longest, false
	}
	for _, b := range taken {
		b.tokens--
	}
	return 0, true
}

// bucket returns the bucket of k, filled up to now; a new one starts
// full. A bucket holds one second's worth of requests, and at least one.
func (t *Throttler) bucket(k key, rate float64, now time.Time) *bucket {
	b, ok := t.buckets[k]
	if !ok {
		capacity := math.Max(1, rate)
		b = &bucket{tokens: capacity, rate: rate, capacity: capacity, last: now}
		t.buckets[k] = b
	}
	b.fill(now)
	return b
}

// sweep forgets the buckets that are full.
func (t *Throttler) sweep(now time.Time) {
	for k, b := range t.buckets {
		if b.fill(now); b.tokens >= b.capacity {
			delete(t.buckets, k)
		}
	}
}

// RetryAfter renders a wait as a Retry-After value: whole seconds, rounded
// up, at least 1 (RFC 9110, 10.2.3: delay-seconds is a non-negative integer).
func RetryAfter(wait time.Duration) string {
	s := int64(math.Ceil(wait.Seconds()))
	return strconv.FormatInt(max(s, 1), 10)
}
