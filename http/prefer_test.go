package http

import (
	"net/http"
	"testing"
	"time"
)

func TestPreferences(t *testing.T) {
	tests := []struct {
		headers []string
		wait    time.Duration
		include bool
	}{
		{nil, 0, false},
		{[]string{"wait=10"}, 10 * time.Second, false},
		{[]string{" Wait = 7 "}, 7 * time.Second, false},
		{[]string{`wait="3"`}, 3 * time.Second, false},
		{[]string{"wait=3;foo=bar"}, 3 * time.Second, false},
		{[]string{"include-unknown-enum-members, wait=2"}, 2 * time.Second, true},
		{[]string{"include-unknown-enum-members", "wait=2"}, 2 * time.Second, true},
		{[]string{"wait=3600"}, maxWait, false},
		{[]string{"wait=9227000000"}, maxWait, false},          // would overflow as a Duration
		{[]string{"wait=2", "wait=5"}, 2 * time.Second, false}, // the first counts
		{[]string{"wait=abc", "wait=5"}, 0, false},             // the first counts, and is ignored
		{[]string{"wait=-1"}, 0, false},
		{[]string{"wait=+1"}, 0, false},
		{[]string{"wait=1.5"}, 0, false},
		{[]string{"wait=99999999999"}, 0, false},
		{[]string{"wait"}, 0, false},
		{[]string{",,,=,"}, 0, false},
	}
	for _, tt := range tests {
		h := http.Header{"Prefer": tt.headers}
		prefs := preferences(h)
		if got := waitPreference(prefs); got != tt.wait {
			t.Errorf("%q: wait %v, want %v", tt.headers, got, tt.wait)
		}
		if got := newView("v1.0", prefs).includeUnknown; got != tt.include {
			t.Errorf("%q: includeUnknown %v, want %v", tt.headers, got, tt.include)
		}
	}
}

// FuzzPreferences: any Prefer header parses, and a wait is never negative
// nor above the cap.
func FuzzPreferences(f *testing.F) {
	for _, s := range []string{"wait=10", "include-unknown-enum-members, wait=2", `wait="3";x=y`, "wait=-1", "wait=99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w := waitPreference(preferences(http.Header{"Prefer": {s}}))
		if w < 0 || w > maxWait {
			t.Fatalf("wait %v from %q", w, s)
		}
	})
}
