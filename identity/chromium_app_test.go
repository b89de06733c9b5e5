package identity_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/browsertest"
	"github.com/teamsops/teamsops/teamsopstest"
)

// The sign-in pages in a real headless Chromium, driven as the login
// helpers of end-to-end tests written for login.microsoftonline.com drive
// Entra's (Playwright and Selenium scripts): by the names and ids of
// Entra's fields and buttons, waiting for each to appear.

const (
	adele     = "AdeleV@contoso.onmicrosoft.com"
	cliScope  = "https://graph.microsoft.com/User.Read openid profile offline_access"
	loginfmt  = `input[name="loginfmt"]`
	passwd    = `input[name="passwd"]`
	nextBtn   = "#idSIButton9" // Next, Sign in, Yes, Continue
	backBtn   = "#idBtn_Back"  // No, Cancel
	adeleTile = `[data-test-id="` + adele + `"]`
)

// app is the redirect URI of a native app that signs its user in with the
// system browser (RFC 8252): a listener on a loopback port that records
// what reaches it, by GET (query) or POST (form_post).
type app struct {
	URL string // http://localhost:PORT/

	mu  sync.Mutex
	got []appRequest
}

type appRequest struct {
	method string
	params url.Values
}

func newApp(t *testing.T) *app {
	a := &app{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.mu.Lock()
		a.got = append(a.got, appRequest{r.Method, r.Form})
		a.mu.Unlock()
		fmt.Fprint(w, `<!DOCTYPE html><title>app</title><link rel="icon" href="data:,"><p id="app">Signed in. You may close this window.</p>`)
	}))
	t.Cleanup(srv.Close)
	_, port, _ := strings.Cut(srv.Listener.Addr().String(), ":")
	a.URL = "http://localhost:" + port + "/"
	return a
}

// requests returns how many requests reached the app, and the last.
func (a *app) requests() (int, appRequest) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.got) == 0 {
		return 0, appRequest{}
	}
	return len(a.got), a.got[len(a.got)-1]
}

// authRequest is an authorization request of the demo's public client,
// with PKCE (S256), a state and a nonce of its own.
type authRequest struct {
	tenant   string
	params   url.Values
	verifier string
}

func newAuthRequest(tenant, redirect string, extra ...string) *authRequest {
	verifier := random()
	sum := sha256.Sum256([]byte(verifier))
	p := url.Values{"client_id": {demo.CLIApp}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {cliScope},
		"state": {random()}, "nonce": {random()}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	for i := 0; i+1 < len(extra); i += 2 {
		p.Set(extra[i], extra[i+1])
	}
	return &authRequest{tenant: tenant, params: p, verifier: verifier}
}

// random is 32 random bytes in base64url: a PKCE verifier, a state.
func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// path is the request's path and query on the server.
func (ar *authRequest) path() string {
	return "/" + ar.tenant + "/oauth2/v2.0/authorize?" + ar.params.Encode()
}

// url is the request's URL on srv.
func (ar *authRequest) url(srv *teamsopstest.Server) string { return srv.URL + ar.path() }

// enterCredentials answers the user name page and the password page.
func enterCredentials(t *testing.T, tb *browsertest.Tab, username, password string) {
	t.Helper()
	tb.Do(t, chromedp.WaitVisible(chromedp.CSS(loginfmt)), chromedp.SendKeys(chromedp.CSS(loginfmt), username),
		chromedp.Click(chromedp.CSS(nextBtn)),
		chromedp.WaitVisible(chromedp.CSS(passwd)), chromedp.SendKeys(chromedp.CSS(passwd), password),
		chromedp.Click(chromedp.CSS(nextBtn)))
}

// signIn goes through the sign-in pages: the user name, the password,
// and "Stay signed in?", answered with the button kmsi.
func signIn(t *testing.T, tb *browsertest.Tab, username, password, kmsi string) {
	t.Helper()
	enterCredentials(t, tb, username, password)
	tb.Do(t, chromedp.WaitVisible(chromedp.CSS(backBtn)))
	if h := browsertest.Eval[string](t, tb, `document.querySelector("h1").innerText`); h != "Stay signed in?" {
		t.Fatalf("after the password: %q", h)
	}
	tb.Do(t, chromedp.Click(chromedp.CSS(kmsi)))
}

// landed waits until the browser is on the app's redirect URI, and
// returns what the app received there, by the method given.
func landed(t *testing.T, tb *browsertest.Tab, a *app, ar *authRequest, method string) url.Values {
	t.Helper()
	browsertest.WaitFor(t, tb, "the app's redirect URI", fmt.Sprintf(`location.href.startsWith(%q) && !!document.getElementById("app")`, a.URL))
	n, got := a.requests()
	if n == 0 || got.method != method {
		t.Fatalf("the app received %d requests, the last by %s; want %s", n, got.method, method)
	}
	if got.params.Get("code") == "" || got.params.Get("state") != ar.params.Get("state") {
		t.Fatalf("the app received %v; want a code and state %s", got.params, ar.params.Get("state"))
	}
	if method == http.MethodGet {
		q := browsertest.Eval[string](t, tb, `location.search`)
		if v, _ := url.ParseQuery(strings.TrimPrefix(q, "?")); v.Get("code") != got.params.Get("code") {
			t.Errorf("the browser's location has %q", q)
		}
	}
	return got.params
}

// signedInAs redeems the code as the app does, with its PKCE verifier,
// and checks whom the access token acts for.
func signedInAs(t *testing.T, srv *teamsopstest.Server, ar *authRequest, got url.Values, user string) {
	t.Helper()
	body := tokenRequest(t, srv, ar.tenant, url.Values{"grant_type": {"authorization_code"}, "client_id": {demo.CLIApp},
		"code": {got.Get("code")}, "redirect_uri": {ar.params.Get("redirect_uri")}, "code_verifier": {ar.verifier},
		"scope": {cliScope}}, http.StatusOK)
	if body["id_token"] == nil || body["refresh_token"] == nil {
		t.Errorf("the token response lacks an ID or refresh token: %v", body)
	}
	if id := me(t, srv, body["access_token"]); id != user {
		t.Errorf("GET /me: %s, want %s", id, user)
	}
}

// tokenRequest posts to the token endpoint and returns its JSON answer,
// which must have the status given.
func tokenRequest(t *testing.T, srv *teamsopstest.Server, tenant string, form url.Values, status int) map[string]any {
	t.Helper()
	res, err := srv.Client().PostForm(srv.URL+"/"+tenant+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != status {
		t.Fatalf("token endpoint: %d %v (%v), want %d", res.StatusCode, body, err, status)
	}
	return body
}

// me returns the id of the user GET /v1.0/me answers for the token.
func me(t *testing.T, srv *teamsopstest.Server, token any) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1.0/me", nil)
	req.Header.Set("Authorization", fmt.Sprint("Bearer ", token))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var u struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&u); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /me: %d %v", res.StatusCode, err)
	}
	return u.ID
}

// documents records the pages a tab receives: their URLs, without
// query, and statuses. A redirect is not a page.
func documents(t *testing.T, tb *browsertest.Tab) func() []string {
	t.Helper()
	var mu sync.Mutex
	var docs []string
	err := chromedp.Listen(tb.Context(), func(ev any) {
		if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Type == network.ResourceTypeDocument {
			u, _, _ := strings.Cut(ev.Response.URL, "?")
			mu.Lock()
			docs = append(docs, fmt.Sprintf("%d %s", ev.Response.Status, u))
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), docs...)
	}
}

// privateTab is a tab with cookies of its own, as a new private window.
func privateTab(t *testing.T, browser context.Context) *browsertest.Tab {
	return browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
}
