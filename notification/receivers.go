package notification

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Fair delivery. One receiver's slowness must delay only its own
// subscriptions: each receiver — a notification URL's scheme, host and
// port — gets at most a few POSTs at once in this process (receivers.limit),
// whatever the number of its subscriptions. A delivery whose receiver is
// busy does not wait on a worker: it gives the worker back and its job is
// snoozed (River's JobSnooze) for about as long as a POST there takes, so
// that the deliveries of other receivers, behind it in the queue, run
// meanwhile.
//
// Receivers that answer slowly are also treated as Graph treats them
// (concepts/change-notifications-delivery-webhooks.md, "Throttling"): a
// POST that takes more than 2900 ms of its 3 s is slow; once a receiver
// has been sent 100 notifications within the current 10-minute window, a
// share of slow answers of 10% flags it slow — its notifications are
// delayed by 10 minutes and sent one POST at a time — and of 15% drops
// them (the subscriber hears "missed"). The window starts over every 10
// minutes.
const (
	slowWindow       = 10 * time.Minute
	slowMinimum      = 100 // POSTs in the window before the share counts
	slowPercent      = 10
	dropPercent      = 15
	defaultThrottled = 10 * time.Minute
)

// receiverState is what is known of one receiver.
type receiverState int

const (
	receiverFine receiverState = iota
	receiverSlow
	receiverDropped
)

// receivers limits and watches the POSTs to each receiver.
type receivers struct {
	limit     int           // POSTs at once to one receiver
	slowAfter time.Duration // a POST longer than this is slow
	now       func() time.Time

	mu sync.Mutex
	m  map[string]*receiver
}

type receiver struct {
	running     int
	windowStart time.Time
	posts, slow int
	latency     time.Duration // a moving average of its POSTs
}

func newReceivers(limit int, slowAfter time.Duration, now func() time.Time) *receivers {
	return &receivers{limit: max(limit, 1), slowAfter: slowAfter, now: now, m: map[string]*receiver{}}
}

// receiverKey names the receiver of a URL: its scheme, host and port.
func receiverKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// get returns the receiver's record, its window started over when due.
// The caller holds mu.
func (rs *receivers) get(key string) *receiver {
	r := rs.m[key]
	now := rs.now()
	if r == nil {
		r = &receiver{windowStart: now}
		rs.m[key] = r
	}
	if now.Sub(r.windowStart) >= slowWindow {
		r.windowStart, r.posts, r.slow = now, 0, 0
		if r.running == 0 {
			// Forgotten receivers cost nothing: the map keeps only those
			// heard from in the last window.
			rs.forgetIdle(now)
		}
	}
	return r
}

// forgetIdle drops the records of receivers idle for a whole window.
func (rs *receivers) forgetIdle(now time.Time) {
	for k, r := range rs.m {
		if r.running == 0 && now.Sub(r.windowStart) >= 2*slowWindow {
			delete(rs.m, k)
		}
	}
}

// state is the receiver's standing, as Graph judges it.
func (rs *receivers) state(key string) receiverState {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.get(key).state()
}

func (r *receiver) state() receiverState {
	switch {
	case r.posts < slowMinimum:
		return receiverFine
	case r.slow*100 >= dropPercent*r.posts:
		return receiverDropped
	case r.slow*100 >= slowPercent*r.posts:
		return receiverSlow
	}
	return receiverFine
}

// acquire takes one of the receiver's slots for a POST; release gives it
// back. When none is free, ok is false and wait is how long the delivery
// should snooze before it tries again.
func (rs *receivers) acquire(key string) (ok bool, wait time.Duration) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.get(key)
	if !rs.free(r) {
		return false, rs.wait(r)
	}
	r.running++
	return true, 0
}

// free reports whether r has a slot free: only one while it is not
// fine, so a struggling receiver gets one POST at a time. The caller
// holds mu.
func (rs *receivers) free(r *receiver) bool {
	limit := rs.limit
	if r.state() != receiverFine {
		limit = 1
	}
	return r.running < limit
}

// wait is about one POST's time at r, spread so that the deliveries
// waiting for it do not all come back at once. The caller holds mu.
func (rs *receivers) wait(r *receiver) time.Duration {
	base := min(max(r.latency, 100*time.Millisecond), rs.slowAfter)
	return base/2 + rand.N(base)
}

// release gives back a slot and records how long the POST took.
func (rs *receivers) release(key string, took time.Duration) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.get(key)
	r.running = max(r.running-1, 0)
	r.posts++
	if took > rs.slowAfter {
		r.slow++
	}
	if r.latency == 0 {
		r.latency = took
	} else {
		r.latency = (3*r.latency + took) / 4
	}
}

// busy reports whether every slot of the receiver is taken, and how long
// to wait then.
func (rs *receivers) busy(key string) (time.Duration, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.get(key)
	if rs.free(r) {
		return 0, false
	}
	return rs.wait(r), true
}
