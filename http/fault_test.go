package http

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func TestParseFaults(t *testing.T) {
	every := &teamsops.Fault{FailAttempts: math.MaxInt32}
	tests := []struct {
		values                   []string
		op                       *teamsops.Fault
		refuse, times, retryWait int
		latency                  time.Duration
		ok                       bool
	}{
		{values: nil, retryWait: 1, ok: true},
		{values: []string{"fail"}, op: every, retryWait: 1, ok: true},
		{values: []string{" FAIL "}, op: every, retryWait: 1, ok: true},
		{values: []string{"transient=2"}, op: &teamsops.Fault{FailAttempts: 2}, retryWait: 1, ok: true},
		{values: []string{"Transient = 1000"}, op: &teamsops.Fault{FailAttempts: 1000}, retryWait: 1, ok: true},
		{values: []string{"transient=0"}, retryWait: 1, ok: true},
		{values: []string{"throttle"}, refuse: 429, retryWait: 1, ok: true},
		{values: []string{"throttle=3; retry-after=0"}, refuse: 429, times: 3, ok: true},
		{values: []string{"unavailable=1;retry-after=30"}, refuse: 503, times: 1, retryWait: 30, ok: true},
		{values: []string{"latency=250ms"}, retryWait: 1, latency: 250 * time.Millisecond, ok: true},
		{values: []string{"transient=1; throttle=2; latency=1s"}, op: &teamsops.Fault{FailAttempts: 1}, refuse: 429, times: 2, retryWait: 1, latency: time.Second, ok: true},
		{values: []string{"fail", "throttle"}, op: every, refuse: 429, retryWait: 1, ok: true}, // two header lines
		{values: []string{"fail,unavailable"}, op: every, refuse: 503, retryWait: 1, ok: true},
		{values: []string{"transient=1001"}},
		{values: []string{"transient=-1"}},
		{values: []string{"transient=+1"}},
		{values: []string{"transient=01"}},
		{values: []string{"transient="}},
		{values: []string{"transient"}},
		{values: []string{"fails"}},
		{values: []string{"fail=1"}},
		{values: []string{""}},
		{values: []string{"fail;"}},
		{values: []string{";fail"}},
		{values: []string{"fail", "fail"}},
		{values: []string{"fail;transient=2"}},
		{values: []string{"throttle;unavailable"}},
		{values: []string{"throttle=0"}},
		{values: []string{"throttle=1001"}},
		{values: []string{"retry-after=1"}},
		{values: []string{"throttle;retry-after=3601"}},
		{values: []string{"latency=0s"}},
		{values: []string{"latency=31s"}},
		{values: []string{"latency=-1s"}},
		{values: []string{"latency=soon"}},
		{values: []string{"latency"}},
		{values: []string{"explode"}},
		{values: []string{strings.Repeat("fail;", 200)}},
	}
	for _, tt := range tests {
		got, err := parseFaults(tt.values)
		if (err == nil) != tt.ok {
			t.Errorf("parseFaults(%q): %v, want ok %v", tt.values, err, tt.ok)
			continue
		}
		if err != nil {
			if teamsops.ErrorCode(err) != teamsops.EINVALID || !strings.Contains(teamsops.ErrorMessage(err), FaultHeader) {
				t.Errorf("parseFaults(%q): %v", tt.values, err)
			}
			continue
		}
		if !reflect.DeepEqual(got.op, tt.op) || got.refuse != tt.refuse || got.times != tt.times ||
			got.retryAfter != tt.retryWait || got.latency != tt.latency {
			t.Errorf("parseFaults(%q) = %+v", tt.values, got)
		}
	}
}

// TestFaultKeys: the same faults written differently count together for
// throttle=N; different faults do not.
func TestFaultKeys(t *testing.T) {
	a, _ := parseFaults([]string{"throttle=2; latency=1s"})
	b, _ := parseFaults([]string{"LATENCY = 1s,throttle=2"})
	c, _ := parseFaults([]string{"throttle=3; latency=1s"})
	if a.key != b.key || a.key == c.key {
		t.Errorf("keys %q %q %q", a.key, b.key, c.key)
	}
}

// TestFaultCycle: throttle=N refuses N requests, lets one through, and
// starts again, per tenant and app.
func TestFaultCycle(t *testing.T) {
	var c faultCounters
	f, _ := parseFaults([]string{"throttle=2"})
	p := teamsops.Principal{TenantID: "t", AppID: "a"}
	var got []bool
	for range 6 {
		got = append(got, c.refused(p, f))
	}
	if want := []bool{true, true, false, true, true, false}; !reflect.DeepEqual(got, want) {
		t.Errorf("refusals %v, want %v", got, want)
	}
	if !c.refused(teamsops.Principal{TenantID: "t", AppID: "other"}, f) {
		t.Error("another app's first request passed")
	}
	every, _ := parseFaults([]string{"unavailable"})
	for range 3 {
		if !c.refused(p, every) {
			t.Error("unavailable without N let a request through")
		}
	}
}

// FuzzParseFaults: any header value parses or is a 400, never a panic;
// what parses stays within the documented bounds.
func FuzzParseFaults(f *testing.F) {
	for _, s := range []string{"fail", "transient=3", "throttle=2;retry-after=0", "unavailable", "latency=250ms",
		"transient=1; throttle=2; latency=1s", "fail,,", "latency=1e9h", "throttle=9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseFaults([]string{v})
		if err != nil {
			if teamsops.ErrorCode(err) != teamsops.EINVALID {
				t.Fatalf("%q: %v", v, err)
			}
			return
		}
		if got.latency < 0 || got.latency > maxLatency || got.times < 0 || got.times > maxRefusals ||
			got.retryAfter < 0 || got.retryAfter > maxRetryAfter || got.op != nil && got.op.FailAttempts < 1 {
			t.Fatalf("%q parsed out of bounds: %+v", v, got)
		}
	})
}
