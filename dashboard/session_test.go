package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/dashboard"
)

// withCookie is r carrying c.
func withCookie(r *http.Request, c *http.Cookie) *http.Request {
	r.AddCookie(c)
	return r
}

// TestLogoutEndsSession: once signed out, the old cookie opens nothing —
// not a page, not the event stream — even sent again by a browser that
// kept it; another session goes on.
func TestLogoutEndsSession(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	c, other := login(t, h), login(t, h)
	r := withCookie(request("POST", "/_teamsops/ui/logout", "csrf="+url.QueryEscape(csrfOf(t, h, c)), "Sec-Fetch-Site", "same-origin"), c)
	if w := serve(h, r); w.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", w.Code)
	}
	w := serve(h, withCookie(request("GET", "/_teamsops/ui/tenants", ""), c))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/_teamsops/ui/login") {
		t.Errorf("the old cookie after sign-out: %d %s, want 303 to the login", w.Code, w.Header().Get("Location"))
	}
	if w := serve(h, withCookie(request("GET", "/_teamsops/ui/events", ""), c)); w.Code != http.StatusUnauthorized {
		t.Errorf("events with the old cookie: %d, want 401", w.Code)
	}
	if w := serve(h, withCookie(request("GET", "/_teamsops/ui/login", ""), c)); w.Code != http.StatusOK {
		t.Errorf("login form with the old cookie: %d, want the form", w.Code)
	}
	if w := serve(h, withCookie(request("GET", "/_teamsops/ui/tenants", ""), other)); w.Code != http.StatusOK {
		t.Errorf("another session after a sign-out: %d", w.Code)
	}
}

// TestTokenChangeEndsSessions: a session begun under one admin token
// opens nothing on a server started with another, nor on a restart.
func TestTokenChangeEndsSessions(t *testing.T) {
	a, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	c := login(t, a)
	b, _ := newDashboard(t, dashboard.Config{AdminToken: "another-admin-token"})
	again, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	for name, h := range map[string]http.Handler{"another token": b, "a restart": again} {
		if w := serve(h, withCookie(request("GET", "/_teamsops/ui/", ""), c)); w.Code != http.StatusSeeOther {
			t.Errorf("%s: %d, want 303 to the login", name, w.Code)
		}
	}
	if w := serve(a, withCookie(request("GET", "/_teamsops/ui/", ""), c)); w.Code != http.StatusOK {
		t.Errorf("the session on its own server: %d", w.Code)
	}
}

// TestLoginThrottled: after five wrong tokens from one address within a
// minute, the login form answers 429 with Retry-After and says why, to
// the right token too; another address still signs in.
func TestLoginThrottled(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	post := func(addr, token string) *http.Response {
		r := request("POST", "/_teamsops/ui/login", "token="+url.QueryEscape(token), "Sec-Fetch-Site", "same-origin")
		r.RemoteAddr = addr
		return serve(h, r).Result()
	}
	// An empty form is no guess.
	for range 3 {
		if res := post("192.0.2.1:1000", ""); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("empty token: %d", res.StatusCode)
		}
	}
	for i := range 5 {
		if res := post("192.0.2.1:1000", "guess"+string(rune('a'+i))); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong token %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	for _, token := range []string{"guess-f", adminToken} {
		res := post("192.0.2.1:2000", token)
		body := new(strings.Builder)
		res.Write(body)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" ||
			!strings.Contains(body.String(), "Too many wrong tokens") || len(res.Cookies()) != 0 {
			t.Errorf("token %q after five wrong ones: %d, Retry-After %q", token, res.StatusCode, res.Header.Get("Retry-After"))
		}
	}
	if res := post("192.0.2.2:1000", adminToken); res.StatusCode != http.StatusSeeOther || len(res.Cookies()) != 1 {
		t.Errorf("the right token from another address: %d", res.StatusCode)
	}
}
