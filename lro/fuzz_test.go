package lro

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// FuzzResume: Resume never panics on a token, and one it accepts names an
// absolute http(s) URL without user information that a new token names
// again.
func FuzzResume(f *testing.F) {
	u, _ := url.Parse("https://graph.microsoft.com/v1.0/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')/operations('2432b57b')")
	f.Add(encodeToken(u, StatusInProgress))
	f.Add(encodeToken(u, ""))
	f.Add("eyJ2IjoxLCJ1cmwiOiJodHRwOi8vMTI3LjAuMC4xOjgwODAvYmV0YS90ZWFtcygneCcpIn0")
	f.Add("")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, token string) {
		p, err := Resume(nil, token, nil)
		if err != nil {
			return
		}
		if (p.url.Scheme != "http" && p.url.Scheme != "https") || p.url.Host == "" || p.url.User != nil {
			t.Fatalf("accepted %q: URL %s", token, p.url)
		}
		again, err := Resume(nil, p.ResumeToken(), nil)
		if err != nil || again.url.String() != p.url.String() {
			t.Fatalf("token %q: URL %s, re-encoded: %v, %v", token, p.url, again, err)
		}
	})
}

// FuzzRetryAfter: any Retry-After value reads as a wait within the cap,
// or as none.
func FuzzRetryAfter(f *testing.F) {
	for _, v := range []string{"5", "0", "Sun, 01 Jun 2025 12:00:30 GMT", "Sunday, 01-Jun-25 12:00:10 GMT",
		"Sun Jun  1 12:00:05 2025", "99999999999999999999", "-1", "1.5", ""} {
		f.Add(v)
	}
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", v, d, ok)
		}
		h := http.Header{"Retry-After": {v}}
		retryAfter(h) // the header path, with the real clock
	})
}
