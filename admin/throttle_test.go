package admin_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// TestWrongTokensThrottled: after five wrong admin tokens from one address
// within a minute, the admin API answers that address 429 with
// Retry-After in Graph's error envelope, for the right token too; the
// right token from another address still works. Requests without a
// token, or with a Graph token, are no guesses and count for nothing.
func TestWrongTokensThrottled(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	get := func(addr, auth string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/_teamsops/tenants/"+demo.TenantID, nil)
		r.RemoteAddr = addr
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		e.srv.Handler.ServeHTTP(w, r)
		return w
	}
	for _, auth := range []string{"", "Bearer a.b.c", "Bearer ", ""} {
		if w := get("192.0.2.1:1000", auth); w.Code != http.StatusUnauthorized {
			t.Fatalf("%q: %d", auth, w.Code)
		}
	}
	for i := range 5 {
		if w := get("192.0.2.1:1000", "Bearer guess-"+string(rune('a'+i))); w.Code != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d, want 401", i+1, w.Code)
		}
	}
	for _, auth := range []string{"Bearer guess-f", "Bearer " + adminToken} {
		w := get("192.0.2.1:2000", auth)
		code, msg, inner := graphError(t, w.Body.Bytes())
		if w.Code != http.StatusTooManyRequests || code != "TooManyRequests" || w.Header().Get("Retry-After") == "" ||
			!strings.Contains(msg, "retry after") || inner["request-id"] == "" {
			t.Errorf("%.20s after five wrong tokens: %d %s, Retry-After %q", auth, w.Code, w.Body, w.Header().Get("Retry-After"))
		}
	}
	if w := get("192.0.2.2:1000", "Bearer "+adminToken); w.Code != http.StatusOK {
		t.Errorf("the right token from another address: %d %s", w.Code, w.Body)
	}
}

// TestThrottleShared: the admin API and the dashboard's login share one
// count per address, so that a guesser cannot take five of each.
func TestThrottleShared(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	const addr = "[2001:db8::1]:1000"
	for i := range 3 {
		r := httptest.NewRequest("GET", "/_teamsops/tenants/"+demo.TenantID, nil)
		r.RemoteAddr, r.Header["Authorization"] = addr, []string{"Bearer wrong-" + string(rune('a'+i))}
		e.srv.Handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	login := func(addr, token string) int {
		r := httptest.NewRequest("POST", "/_teamsops/ui/login", strings.NewReader("token="+url.QueryEscape(token)))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.RemoteAddr = addr
		w := httptest.NewRecorder()
		e.srv.Handler.ServeHTTP(w, r)
		return w.Code
	}
	for i := range 2 {
		if code := login(addr, "wrong-login-"+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("wrong login %d: %d", i+1, code)
		}
	}
	// The same /64 is the same client.
	if code := login("[2001:db8::2]:1000", adminToken); code != http.StatusTooManyRequests {
		t.Errorf("the sixth attempt, at the login: %d, want 429", code)
	}
	if code := login("[2001:db8:0:1::2]:1000", adminToken); code != http.StatusSeeOther {
		t.Errorf("another /64: %d, want 303", code)
	}
}
