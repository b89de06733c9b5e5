package lro

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of Options. Graph's resource page asks clients to wait more
// than 30 seconds between checks of a teamsAsyncOperation; the backoff
// reaches that after about a minute (1 s, 2 s, 4 s … 40 s, each jittered
// down by at most a quarter, never below MinDelay), while an operation
// that ends in a second — teamsops' instant and fast profiles — is seen at
// once. A server that says when to come back (Retry-After) or holds the
// request (Prefer: wait) is followed instead.
const (
	defaultMinDelay    = time.Second
	defaultMaxDelay    = 40 * time.Second
	defaultWait        = 20 * time.Second
	defaultMaxFailures = 8

	// maxRetryAfter bounds one wait a server asks for, so that a wrong
	// Retry-After cannot stall a caller for hours; the context bounds it
	// further.
	maxRetryAfter = 5 * time.Minute
)

// parseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): a number
// of seconds, or an HTTP-date taken relative to now (a date in the past is
// no wait). The result is at most maxRetryAfter. It reports false for
// anything else.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		if len(v) > 9 { // more seconds than any cap: do not overflow
			return maxRetryAfter, true
		}
		n, _ := strconv.Atoi(v)
		return min(time.Duration(n)*time.Second, maxRetryAfter), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, min(t.Sub(now), maxRetryAfter)), true
}

// retryAfter reads a response's Retry-After header.
func retryAfter(h http.Header) (time.Duration, bool) {
	return parseRetryAfter(h.Get("Retry-After"), time.Now())
}

// held reports whether the server applied "Prefer: wait", i.e. held the
// request until the operation changed or the wait ran out (RFC 7240 §3:
// Preference-Applied names the preferences a server honoured).
func held(h http.Header) bool {
	for _, v := range h.Values("Preference-Applied") {
		for _, p := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(name), "wait") {
				return true
			}
		}
	}
	return false
}

// backoff is the n-th delay (from 0) when the server says nothing:
// MinDelay doubled n times, at most MaxDelay, jittered down by up to a
// quarter so that clients started together spread out, and never below
// MinDelay.
func (o *Options) backoff(n int) time.Duration {
	d := o.MinDelay
	for i := 0; i < n && d < o.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, o.MaxDelay)
	lo := max(o.MinDelay, d-d/4)
	if d <= lo {
		return lo
	}
	return lo + rand.N(d-lo+1)
}

// asked is a wait the server asked for, never shorter than MinDelay: a
// Retry-After of 0 must not turn the poller into a busy loop.
func (o *Options) asked(d time.Duration) time.Duration {
	return max(d, o.MinDelay)
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
