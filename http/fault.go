package http

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teamsops/teamsops"
)

// FaultHeader makes a request, or the operation it starts, fail on
// purpose, so that a client can test how it handles throttling, outages,
// slowness and failed operations — which Graph never lets it provoke. Its
// value is one or more words separated by ';' (or ',', as HTTP joins a
// header sent twice), case-insensitive:
//
//	transient=N     the first N attempts of the operation fail transiently
//	                (N from 0 to 1000); later ones run
//	fail            every attempt of the operation fails: once the engine
//	                gives up, the operation is failed
//	throttle        the request is answered 429 TooManyRequests
//	throttle=N      the first N requests that carry this same header value
//	                from this app are answered 429, the next one goes
//	                through, and the cycle starts again: a client whose
//	                retry handler resends the request recovers
//	unavailable     the request is answered 503 ServiceUnavailable
//	unavailable=N   as throttle=N, with 503
//	retry-after=S   the Retry-After of those 429s and 503s, in seconds
//	                (0 to 3600; default 1)
//	latency=D       the answer is delayed by D, a Go duration such as 250ms
//	                or 2s, at most 30s
//
// transient and fail act on the operation a request starts and are
// ignored on requests that start none; the others act on any request.
// Unknown words, repeated words, fail with transient and throttle with
// unavailable are a 400, and nothing is done.
const FaultHeader = "X-Teamsops-Fault"

// Bounds of the fault header's numbers.
const (
	maxTransientFaults = 1000
	maxRefusals        = 1000
	maxRetryAfter      = 3600
	maxLatency         = 30 * time.Second
	maxFaultHeader     = 512
)

// faults is a parsed FaultHeader.
type faults struct {
	// op is the fault of the operation the request starts (nil: none).
	op *teamsops.Fault
	// refuse is the status every refused request gets: 429, 503, or 0.
	refuse int
	// times is N of throttle=N or unavailable=N; 0 refuses every request.
	times int
	// retryAfter is the Retry-After of a refusal, in seconds.
	retryAfter int
	latency    time.Duration
	// key is the header's canonical form, which throttle=N counts by.
	key string
}

// badFault is the 400 of a fault header that does not parse.
func badFault(format string, args ...any) error {
	return teamsops.Errorf(teamsops.EINVALID, "The "+FaultHeader+" header is not valid: "+format+
		" (see docs/faults-and-throttling.md: transient=N, fail, throttle[=N], unavailable[=N], retry-after=S, latency=D, separated by ';').", args...)
}

// parseFaults reads the FaultHeader's values.
func parseFaults(values []string) (faults, error) {
	f := faults{retryAfter: 1}
	if len(values) == 0 {
		return f, nil
	}
	raw := strings.Join(values, ",")
	if len(raw) > maxFaultHeader {
		return faults{}, badFault("it is longer than %d bytes", maxFaultHeader)
	}
	seen := map[string]bool{}
	for item := range strings.SplitSeq(strings.ReplaceAll(raw, ",", ";"), ";") {
		if err := f.set(item, seen); err != nil {
			return faults{}, err
		}
	}
	switch {
	case seen["fail"] && seen["transient"]:
		return faults{}, badFault("'fail' and 'transient' exclude each other")
	case seen["throttle"] && seen["unavailable"]:
		return faults{}, badFault("'throttle' and 'unavailable' exclude each other")
	case seen["retry-after"] && f.refuse == 0:
		return faults{}, badFault("'retry-after' needs 'throttle' or 'unavailable'")
	}
	f.key = canonicalFaults(seen, f)
	return f, nil
}

// set parses one word of the header into f.
func (f *faults) set(item string, seen map[string]bool) error {
	name, value, hasValue := strings.Cut(strings.TrimSpace(item), "=")
	name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
	if name == "" {
		return badFault("it has an empty word")
	}
	if seen[name] {
		return badFault("'%s' is given twice", teamsops.Clip(name))
	}
	seen[name] = true
	var err error
	switch {
	case name == "fail" && !hasValue:
		f.op = &teamsops.Fault{FailAttempts: math.MaxInt32}
	case name == "transient" && hasValue:
		var n int
		if n, err = faultNumber(name, value, 0, maxTransientFaults); err == nil && n > 0 {
			f.op = &teamsops.Fault{FailAttempts: n}
		}
	case name == "throttle" || name == "unavailable":
		f.refuse = 429
		if name == "unavailable" {
			f.refuse = 503
		}
		if hasValue {
			f.times, err = faultNumber(name, value, 1, maxRefusals)
		}
	case name == "retry-after" && hasValue:
		f.retryAfter, err = faultNumber(name, value, 0, maxRetryAfter)
	case name == "latency" && hasValue:
		f.latency, err = time.ParseDuration(value)
		if err != nil || f.latency <= 0 || f.latency > maxLatency {
			err = badFault("'latency' must be a duration such as 250ms or 2s, above 0 and at most %s", maxLatency)
		}
	default:
		return badFault("'%s' is not a fault word, or lacks or has a value it should not", teamsops.Clip(strings.TrimSpace(item)))
	}
	return err
}

// faultNumber reads a decimal number from lo to hi, digits only.
func faultNumber(name, value string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < lo || n > hi || value != strconv.Itoa(n) {
		return 0, badFault("'%s' takes a number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// canonicalFaults writes f in one spelling, so that two requests with
// the same faults written differently count as the same for throttle=N.
func canonicalFaults(seen map[string]bool, f faults) string {
	var b strings.Builder
	for _, name := range []string{"fail", "transient", "throttle", "unavailable", "retry-after", "latency"} {
		if seen[name] {
			b.WriteString(name + ";")
		}
	}
	b.WriteString(strconv.Itoa(f.times) + ";" + strconv.Itoa(f.retryAfter) + ";" + f.latency.String())
	if f.op != nil {
		b.WriteString(";" + strconv.Itoa(f.op.FailAttempts))
	}
	return b.String()
}

// maxFaultCounters bounds the counters of throttle=N and unavailable=N;
// past it they start again from nothing.
const maxFaultCounters = 10000

// faultCounters counts, per tenant, app and fault header, the requests of
// throttle=N and unavailable=N. They live in the process, like the
// throttle's buckets.
type faultCounters struct {
	mu     sync.Mutex
	counts map[string]int
}

// refused reports whether this request carrying f from p is one of the
// refused ones: the first f.times of each cycle of f.times+1.
func (c *faultCounters) refused(p teamsops.Principal, f faults) bool {
	if f.times == 0 {
		return true
	}
	key := p.TenantID + "\x00" + p.AppID + "\x00" + f.key
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil || len(c.counts) >= maxFaultCounters {
		c.counts = make(map[string]int)
	}
	n := c.counts[key]
	if n >= f.times {
		delete(c.counts, key) // this one passes; the cycle starts again
		return false
	}
	c.counts[key] = n + 1
	return true
}
