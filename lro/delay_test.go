package lro

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"5", 5 * time.Second, true},
		{"0", 0, true},
		{" 7 ", 7 * time.Second, true},
		{"120", 2 * time.Minute, true},
		{"3600", maxRetryAfter, true},
		{"99999999999999999999999", maxRetryAfter, true},
		{"Sun, 01 Jun 2025 12:00:30 GMT", 30 * time.Second, true},  // IMF-fixdate
		{"Sunday, 01-Jun-25 12:00:10 GMT", 10 * time.Second, true}, // RFC 850
		{"Sun Jun  1 12:00:05 2025", 5 * time.Second, true},        // asctime
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0, true},                 // in the past
		{"Mon, 01 Jun 2026 12:00:00 GMT", maxRetryAfter, true},     // far ahead
		{"", 0, false},
		{"1.5", 0, false},
		{"-1", 0, false},
		{"+5", 0, false},
		{"5s", 0, false},
		{"soon", 0, false},
		{"2025-06-01T12:00:30Z", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.value, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

// TestBackoff checks every step of the backoff stays between the bounds:
// the doubled delay capped at MaxDelay, jittered down by at most a quarter,
// never under MinDelay.
func TestBackoff(t *testing.T) {
	for _, o := range []Options{
		(&Options{}).withDefaults(),
		(&Options{MinDelay: time.Millisecond, MaxDelay: 50 * time.Millisecond}).withDefaults(),
		(&Options{MinDelay: 30 * time.Second, MaxDelay: time.Second}).withDefaults(), // max raised to min
	} {
		for n := range 40 {
			ceiling := o.MinDelay
			for range n {
				ceiling = min(2*ceiling, o.MaxDelay)
			}
			floor := max(o.MinDelay, ceiling-ceiling/4)
			for range 50 {
				if d := o.backoff(n); d < floor || d > ceiling {
					t.Fatalf("%+v: backoff(%d) = %v, want within [%v, %v]", o, n, d, floor, ceiling)
				}
			}
		}
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		in   *Options
		want Options
	}{
		{nil, Options{MinDelay: time.Second, MaxDelay: 40 * time.Second, Wait: 20 * time.Second, MaxFailures: 8}},
		{&Options{MaxDelay: 10 * time.Millisecond}, Options{MinDelay: 10 * time.Millisecond, MaxDelay: 10 * time.Millisecond, Wait: 20 * time.Second, MaxFailures: 8}},
		{&Options{MinDelay: 2 * time.Second, Wait: -1, MaxFailures: 3}, Options{MinDelay: 2 * time.Second, MaxDelay: 40 * time.Second, Wait: -1, MaxFailures: 3}},
	}
	for _, tt := range tests {
		got := tt.in.withDefaults()
		if got.MinDelay != tt.want.MinDelay || got.MaxDelay != tt.want.MaxDelay || got.Wait != tt.want.Wait || got.MaxFailures != tt.want.MaxFailures {
			t.Errorf("%+v.withDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestHeld(t *testing.T) {
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"wait=20"}, true},
		{[]string{"WAIT=5"}, true},
		{[]string{"return=minimal, wait=10"}, true},
		{[]string{"return=minimal", " wait"}, true},
		{[]string{"include-unknown-enum-members"}, false},
		{[]string{"waiting=5"}, false},
	}
	for _, tt := range tests {
		h := http.Header{"Preference-Applied": tt.values}
		if got := held(h); got != tt.want {
			t.Errorf("held(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}
