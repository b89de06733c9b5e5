package engine

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
)

func TestProfileByName(t *testing.T) {
	for _, name := range []string{"instant", DefaultProfile, "realistic"} {
		p, err := ProfileByName(name)
		if err != nil || p.Name != name {
			t.Errorf("ProfileByName(%q) = %q, %v", name, p.Name, err)
		}
		if p.MaxAttempts < 1 || p.JobTimeout <= 0 || p.RetryMin <= 0 || p.RetryMax < p.RetryMin {
			t.Errorf("profile %s is incomplete: %+v", name, p)
		}
	}
	if _, err := ProfileByName("Fast"); err == nil {
		t.Error("ProfileByName(\"Fast\") found a profile")
	}
}

// Durations lie in the type's range, are the same for the same id, and
// spread over the range; the failure rate holds over many ids.
func TestProfileDraws(t *testing.T) {
	for _, p := range Profiles {
		for _, typ := range []teamsops.OperationType{teamsops.OperationTypeCreateChat, teamsops.OperationTypeCreateTeam, "somethingNew"} {
			r, ok := p.Durations[typ]
			if !ok {
				r = p.Default
			}
			const n = 10000
			var sum time.Duration
			failures := 0
			for i := range n {
				op := &teamsops.Operation{ID: fmt.Sprintf("op-%d", i), Type: typ}
				d := p.Duration(op)
				if d < r.Min || d > r.Max || d != p.Duration(op) {
					t.Fatalf("%s, %s: duration %s of %s outside %v or not reproducible", p.Name, typ, d, op.ID, r)
				}
				sum += d
				if p.FirstAttemptFails(op) {
					failures++
				}
			}
			if mean, mid := sum/n, (r.Min+r.Max)/2; (mean - mid).Abs() > (r.Max-r.Min)/20 {
				t.Errorf("%s, %s: mean duration %s, want about %s", p.Name, typ, mean, mid)
			}
			if rate := float64(failures) / n; math.Abs(rate-p.FailureRate) > 0.01 {
				t.Errorf("%s, %s: failure rate %.3f, want %.3f", p.Name, typ, rate, p.FailureRate)
			}
		}
	}
}

func TestRetryPolicy(t *testing.T) {
	policy := retryPolicy{min: 100 * time.Millisecond, max: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for errs, w := range want {
		job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, errs)}
		got := time.Until(policy.NextRetry(job))
		if w *= time.Millisecond; got > w || got < w-50*time.Millisecond {
			t.Errorf("after %d errors: retry in %s, want %s", errs, got, w)
		}
	}
	job := &rivertype.JobRow{Errors: make([]rivertype.AttemptError, 500)}
	if got := time.Until(policy.NextRetry(job)); got > time.Second {
		t.Errorf("after 500 errors: retry in %s, want at most 1s", got)
	}
}
