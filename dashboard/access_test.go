package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

const adminToken = "s3cret-admin-token"

// newDashboard is the dashboard on a new database of the back end under
// test, holding the demo tenant.
func newDashboard(t testing.TB, cfg dashboard.Config) (*dashboard.Handler, teamsops.Store) {
	t.Helper()
	store := testdb.New(t)
	if err := demo.Load(t.Context(), store); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Directory = store, &service.Tenants{Store: store}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1:8080"
	}
	h, err := dashboard.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Drain)
	return h, store
}

// request is a request to the dashboard, as a browser on the same site
// sends it unless headers say otherwise (name/value pairs; "Host" sets
// the host).
func request(method, path, body string, headers ...string) *http.Request {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.Host = "127.0.0.1:8080"
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			r.Host = headers[i+1]
		} else {
			r.Header.Add(headers[i], headers[i+1])
		}
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestOffWithoutTokenOrLoopback: without an admin token, a server that
// listens beyond loopback serves no page of the dashboard at all.
func TestOffWithoutTokenOrLoopback(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{})
	for _, path := range []string{"/_teamsops/ui/", "/_teamsops/ui", "/_teamsops/ui/events", "/_teamsops/ui/login",
		"/_teamsops/ui/static/dashboard.css", "/_teamsops/ui/tenants", "/_teamsops/ui/operations/" + demo.TenantID + "/" + demo.TeamOperation} {
		if w := serve(h, request("GET", path, "")); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, w.Code)
		}
	}
	if w := serve(h, request("POST", "/_teamsops/ui/login", "token=x")); w.Code != http.StatusNotFound {
		t.Errorf("POST login: %d, want 404", w.Code)
	}
}

// TestLoopbackWithoutToken: on a loopback listener without an admin
// token every page is open, to requests that name a loopback address or
// localhost; another host name (a DNS rebinding page, a reverse proxy's
// public name) gets nothing.
func TestLoopbackWithoutToken(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{Loopback: true, PublicURL: "http://teamsops.test:8080"})
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:8080", http.StatusOK},
		{"127.0.0.2", http.StatusOK},
		{"localhost:8080", http.StatusOK},
		{"LOCALHOST", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"teamsops.test:8080", http.StatusNotFound}, // the public URL's: a proxy may pass it on
		{"attacker.example:8080", http.StatusNotFound},
		{"10.0.0.1:8080", http.StatusNotFound},
		{"localhost.attacker.example", http.StatusNotFound},
		{"", http.StatusNotFound},
	}
	for _, tt := range tests {
		if w := serve(h, request("GET", "/_teamsops/ui/", "", "Host", tt.host)); w.Code != tt.want {
			t.Errorf("Host %q: %d, want %d", tt.host, w.Code, tt.want)
		}
	}
	// No login to ask for: the form leads to the table.
	if w := serve(h, request("GET", "/_teamsops/ui/login", "")); w.Code != http.StatusSeeOther {
		t.Errorf("login without a token: %d, want 303", w.Code)
	}
	w := serve(h, request("GET", "/_teamsops/ui", ""))
	if w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/_teamsops/ui/" {
		t.Errorf("/_teamsops/ui: %d %s", w.Code, w.Header().Get("Location"))
	}
}

// TestLoginRequired: with an admin token every page and the event
// stream need the session; neither a Graph token nor the admin token in
// an Authorization header opens them.
func TestLoginRequired(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	iss, err := identity.NewIssuer(t.Context(), store, "http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	graph, err := iss.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: []string{"Chat.Read.All"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/_teamsops/ui/", "/_teamsops/ui/tenants", "/_teamsops/ui/tenants/" + demo.TenantID,
		"/_teamsops/ui/operations/" + demo.TenantID + "/" + demo.TeamOperation, "/_teamsops/ui/nothing-here"}
	for _, auth := range []string{"", "Bearer " + graph, "Bearer " + adminToken} {
		for _, path := range pages {
			w := serve(h, request("GET", path, "", "Authorization", auth))
			if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/_teamsops/ui/login?next=") {
				t.Errorf("GET %s with %.10q: %d %s, want 303 to the login", path, auth, w.Code, w.Header().Get("Location"))
			}
		}
		if w := serve(h, request("GET", "/_teamsops/ui/events", "", "Authorization", auth)); w.Code != http.StatusUnauthorized {
			t.Errorf("events with %.10q: %d, want 401", auth, w.Code)
		}
	}
	// The login form and the assets need no session.
	for _, path := range []string{"/_teamsops/ui/login", "/_teamsops/ui/static/dashboard.css", "/_teamsops/ui/static/dashboard.js"} {
		if w := serve(h, request("GET", path, "")); w.Code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, w.Code)
		}
	}
}

// login signs in and returns the session cookie.
func login(t *testing.T, h http.Handler) *http.Cookie {
	t.Helper()
	w := serve(h, request("POST", "/_teamsops/ui/login", "token="+adminToken+"&next=%2F_teamsops%2Fui%2Ftenants",
		"Origin", "http://127.0.0.1:8080", "Sec-Fetch-Site", "same-origin"))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/_teamsops/ui/tenants" {
		t.Fatalf("login: %d %s", w.Code, w.Header().Get("Location"))
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("login set %d cookies", len(cookies))
	}
	return cookies[0]
}

// TestSession: the token once, then a cookie that scripts cannot read,
// that other sites' requests do not carry, and that only the dashboard's
// paths receive; a tampered, expired or foreign cookie opens nothing.
func TestSession(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	w := serve(h, request("POST", "/_teamsops/ui/login", "token=wrong"))
	if w.Code != http.StatusUnauthorized || len(w.Result().Cookies()) != 0 || !strings.Contains(w.Body.String(), "not the admin token") {
		t.Errorf("a wrong token: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	c := login(t, h)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/_teamsops/ui/" || c.Secure || c.MaxAge <= 0 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path=/_teamsops/ui/, not Secure over http", c)
	}
	if strings.Contains(c.Value, adminToken) {
		t.Errorf("the cookie carries the admin token: %s", c.Value)
	}
	for _, path := range []string{"/_teamsops/ui/", "/_teamsops/ui/tenants/" + demo.TenantID} {
		r := request("GET", path, "")
		r.AddCookie(c)
		if w := serve(h, r); w.Code != http.StatusOK {
			t.Errorf("GET %s with the session: %d", path, w.Code)
		}
	}

	// Another server's token, a tampered id, the id alone, the signed form
	// of earlier versions.
	other, _ := newDashboard(t, dashboard.Config{AdminToken: "another-token"})
	for name, try := range map[string]struct {
		h     http.Handler
		value string
	}{
		"other token": {other, c.Value},
		"tampered":    {h, c.Value[:len(c.Value)-2] + "AA"},
		"id alone":    {h, strings.TrimPrefix(c.Value, "v2.")},
		"signed":      {h, "v1.99999999999.x.y"},
		"garbage":     {h, "v2."},
		"empty":       {h, ""},
	} {
		r := request("GET", "/_teamsops/ui/", "")
		r.AddCookie(&http.Cookie{Name: c.Name, Value: try.value})
		if w := serve(try.h, r); w.Code != http.StatusSeeOther {
			t.Errorf("%s cookie: %d, want 303 to the login", name, w.Code)
		}
	}

	// Over https, the cookie is Secure.
	secure, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken, PublicURL: "https://teamsops.example"})
	if c := login(t, secure); !c.Secure {
		t.Errorf("cookie over https: %+v, want Secure", c)
	}
}

// TestCrossSite: a form another site posts is refused — the login by the
// browser's Sec-Fetch-Site or Origin, the sign-out also by its CSRF token.
func TestCrossSite(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{AdminToken: adminToken})
	c := login(t, h)
	for name, headers := range map[string][]string{
		"Sec-Fetch-Site": {"Sec-Fetch-Site", "cross-site"},
		"Origin":         {"Origin", "https://attacker.example"},
	} {
		w := serve(h, request("POST", "/_teamsops/ui/login", "token="+adminToken, headers...))
		if w.Code != http.StatusForbidden || len(w.Result().Cookies()) != 0 {
			t.Errorf("cross-site login by %s: %d, cookies %v", name, w.Code, w.Result().Cookies())
		}
		r := request("POST", "/_teamsops/ui/logout", "csrf="+csrfOf(t, h, c), headers...)
		r.AddCookie(c)
		if w := serve(h, r); w.Code != http.StatusForbidden {
			t.Errorf("cross-site sign-out by %s: %d", name, w.Code)
		}
	}
	for name, form := range map[string]string{"no token": "", "wrong token": "csrf=AAAA"} {
		r := request("POST", "/_teamsops/ui/logout", form+"&x=1", "Sec-Fetch-Site", "same-origin")
		r.AddCookie(c)
		if w := serve(h, r); w.Code != http.StatusForbidden {
			t.Errorf("sign-out with %s: %d", name, w.Code)
		}
	}
	// The page's own form signs out.
	r := request("POST", "/_teamsops/ui/logout", "csrf="+url.QueryEscape(csrfOf(t, h, c)), "Sec-Fetch-Site", "same-origin")
	r.AddCookie(c)
	w := serve(h, r)
	if w.Code != http.StatusSeeOther || len(w.Result().Cookies()) != 1 || w.Result().Cookies()[0].MaxAge >= 0 {
		t.Errorf("sign-out: %d, cookies %v", w.Code, w.Result().Cookies())
	}
	// A login leads only to the dashboard's own pages.
	for _, next := range []string{"//attacker.example/", "https://attacker.example/", "/_teamsops/ui/\\x", "/v1.0/chats"} {
		w := serve(h, request("POST", "/_teamsops/ui/login", "token="+adminToken+"&next="+url.QueryEscape(next)))
		if got := w.Header().Get("Location"); got != "/_teamsops/ui/" {
			t.Errorf("login with next %q leads to %q", next, got)
		}
	}
}

// csrfOf reads the CSRF token from the sign-out form of a page.
func csrfOf(t *testing.T, h http.Handler, c *http.Cookie) string {
	t.Helper()
	r := request("GET", "/_teamsops/ui/tenants", "")
	r.AddCookie(c)
	body := serve(h, r).Body.String()
	_, rest, ok := strings.Cut(body, `name="csrf" value="`)
	token, _, _ := strings.Cut(rest, `"`)
	if !ok || token == "" {
		t.Fatalf("no CSRF token in the page:\n%s", body)
	}
	return token
}

// TestHeaders: every answer forbids framing, sniffing, caching and
// scripts from elsewhere.
func TestHeaders(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{Loopback: true})
	w := serve(h, request("GET", "/_teamsops/ui/", ""))
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'", "X-Frame-Options": "DENY",
		"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	} {
		if got := w.Header().Get(name); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
