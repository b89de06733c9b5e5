package identity

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const msalScope = "https://graph.microsoft.com/Chat.Read openid profile offline_access"

// codeRequest is an authorization request of app with PKCE (S256).
func codeRequest(app, redirect string, change func(url.Values)) (url.Values, string) {
	verifier, challenge := pkcePair("k")
	p := url.Values{"client_id": {app}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {msalScope},
		"state": {"st-1"}, "nonce": {"n-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	if change != nil {
		change(p)
	}
	return p, verifier
}

// redeemCode redeems a code at the token endpoint as the app would.
func redeemCode(t *testing.T, h http.Handler, p url.Values, code, verifier string, change func(url.Values), header ...string) (int, map[string]any) {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "client_id": {p.Get("client_id")}, "code": {code},
		"redirect_uri": {p.Get("redirect_uri")}, "code_verifier": {verifier}, "scope": {p.Get("scope")}}
	if change != nil {
		change(f)
	}
	status, body, _ := post(t, h, tokenPath(tenantA), f, header...)
	return status, body
}

func TestAuthorizationCodeFlow(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	secret := func(f url.Values) { f.Set("client_secret", webSecret) }
	spaOrigin := []string{"Origin", "https://spa.contoso.example"}
	for _, tc := range []struct {
		name     string
		tenant   string
		app      string
		redirect string
		mode     string
		redeem   func(url.Values)
		header   []string
	}{
		{name: "public client on a loopback port", app: cliApp, redirect: "http://localhost:51234"},
		{name: "public client, loopback path", app: cliApp, redirect: "http://localhost:8400/"},
		{name: "public client by the tenant's domain", tenant: "contoso.example", app: cliApp, redirect: "http://localhost:1"},
		{name: "public client through organizations", tenant: "organizations", app: cliApp, redirect: "http://localhost:2"},
		{name: "web app", app: webApp, redirect: webRedirect, redeem: secret},
		{name: "web app, fragment", app: webApp, redirect: webRedirect, mode: "fragment", redeem: secret},
		{name: "web app, form_post", app: webApp, redirect: webRedirect, mode: "form_post", redeem: secret},
		{name: "single-page app", app: spaApp, redirect: spaRedirect, header: spaOrigin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := tc.tenant
			if tenant == "" {
				tenant = tenantA
			}
			p, verifier := codeRequest(tc.app, tc.redirect, func(p url.Values) {
				if tc.mode != "" {
					p.Set("response_mode", tc.mode)
				}
			})
			b := newBrowser(t, h)
			r := b.signIn(b.get(authorizePath(tenant, p)), "ana@contoso.example", anaPassword, false)
			if tc.mode != "form_post" && !strings.HasPrefix(r.header.Get("Location"), tc.redirect) {
				t.Fatalf("answer: %d %v", r.status, r.header)
			}
			a := r.answer(t)
			if a.Get("state") != "st-1" || a.Get("code") == "" {
				t.Fatalf("answer = %v", a)
			}
			status, body := redeemCode(t, h, p, a.Get("code"), verifier, tc.redeem, tc.header...)
			if status != 200 {
				t.Fatalf("redeem: %d %v", status, body)
			}
			pr, err := v.Validate(t.Context(), body["access_token"].(string))
			if err != nil || pr.UserID != ana || pr.AppID != tc.app {
				t.Errorf("access token: %+v %v", pr, err)
			}
			id := claimsOf(t, body["id_token"])
			if id["nonce"] != "n-1" || id["aud"] != tc.app || id["auth_time"] == nil {
				t.Errorf("ID token: %v", id)
			}
			// A code is single use; a second redemption says so.
			status, body = redeemCode(t, h, p, a.Get("code"), verifier, tc.redeem, tc.header...)
			wantError(t, status, body, 400, "invalid_grant", 54005)
		})
	}
}

func TestCodeVerifier(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	for _, tc := range []struct {
		name     string
		method   string
		verifier func(v string) string
		status   int
		error    string
		aadsts   int
	}{
		{name: "wrong verifier", method: "S256", verifier: func(string) string { return strings.Repeat("x", 43) }, status: 400, error: "invalid_grant", aadsts: 501481},
		{name: "no verifier", method: "S256", verifier: func(string) string { return "" }, status: 400, error: "invalid_request", aadsts: 90014},
		{name: "plain, the default", method: "", verifier: func(v string) string { return v }, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, verifier := codeRequest(cliApp, "http://localhost:9", func(p url.Values) {
				if tc.method == "" {
					p.Del("code_challenge_method")
					p.Set("code_challenge", strings.Repeat("p", 50))
				}
			})
			if tc.method == "" {
				verifier = strings.Repeat("p", 50)
			}
			b := newBrowser(t, h)
			a := b.signIn(b.get(authorizePath(tenantA, p)), "ana@contoso.example", anaPassword, false).answer(t)
			status, body := redeemCode(t, h, p, a.Get("code"), tc.verifier(verifier), nil)
			if tc.status == 200 {
				if status != 200 {
					t.Errorf("%d %v", status, body)
				}
				return
			}
			wantError(t, status, body, tc.status, tc.error, tc.aadsts)
		})
	}
}

// TestAuthorizeRefusals: before the redirect URI is known to be the app's,
// an error page; after, an error response to it.
func TestAuthorizeRefusals(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	for _, tc := range []struct {
		name   string
		tenant string
		change func(url.Values)
		page   int    // the status of an error page; 0 for an error response
		error  string // the error response's
		aadsts int
	}{
		{name: "unregistered redirect URI", change: func(p url.Values) { p.Set("redirect_uri", "https://evil.example/cb") }, page: 400, aadsts: 50011},
		{name: "loopback of a confidential app", change: func(p url.Values) {
			p.Set("client_id", webApp)
			p.Set("redirect_uri", "http://localhost:5000")
		}, page: 400, aadsts: 50011},
		{name: "loopback with another path", change: func(p url.Values) { p.Set("redirect_uri", "http://localhost:80/cb") }, page: 400, aadsts: 50011},
		{name: "loopback of another host", change: func(p url.Values) { p.Set("redirect_uri", "http://127.0.0.1:80") }, page: 400, aadsts: 50011},
		{name: "unknown app", change: func(p url.Values) { p.Set("client_id", userA) }, page: 400, aadsts: 700016},
		{name: "no client_id", change: func(p url.Values) { p.Del("client_id") }, page: 400, aadsts: 900144},
		{name: "unknown tenant", tenant: "fabrikam.example", page: 400, aadsts: 90002},
		{name: "organizations, silent, tenant unknown", tenant: "organizations", change: func(p url.Values) { p.Set("prompt", "none") }, page: 400, aadsts: 50059},
		{name: "implicit flow", change: func(p url.Values) { p.Set("response_type", "token") }, error: "unsupported_response_type", aadsts: 700051},
		{name: "hybrid flow", change: func(p url.Values) { p.Set("response_type", "code id_token") }, error: "unsupported_response_type", aadsts: 700054},
		{name: "no response_type", change: func(p url.Values) { p.Del("response_type") }, error: "invalid_request", aadsts: 900144},
		{name: "no scope", change: func(p url.Values) { p.Del("scope") }, error: "invalid_request", aadsts: 900144},
		{name: "scope not consented", change: func(p url.Values) { p.Set("scope", "Chat.ReadWrite openid") }, error: "consent_required", aadsts: 65001},
		{name: "two resources", change: func(p url.Values) { p.Set("scope", "Chat.Read api://"+apiApp+"/access_as_user") }, error: "invalid_scope", aadsts: 28000},
		{name: "SPA without PKCE", change: func(p url.Values) {
			p.Set("client_id", spaApp)
			p.Set("redirect_uri", spaRedirect)
			p.Del("code_challenge")
		}, error: "invalid_request", aadsts: 9002325},
		{name: "unknown challenge method", change: func(p url.Values) { p.Set("code_challenge_method", "S512") }, error: "invalid_request", aadsts: 50149},
		{name: "padded S256 challenge", change: func(p url.Values) { p.Set("code_challenge", p.Get("code_challenge")+"=") }, error: "invalid_request", aadsts: 501491},
		{name: "unknown prompt", change: func(p url.Values) { p.Set("prompt", "always") }, error: "invalid_request", aadsts: 90023},
		{name: "unknown response mode", change: func(p url.Values) { p.Set("response_mode", "web_message") }, error: "invalid_request", aadsts: 90023},
		{name: "silent without a session", change: func(p url.Values) { p.Set("prompt", "none") }, error: "login_required", aadsts: 50058},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tenant := tc.tenant
			if tenant == "" {
				tenant = tenantA
			}
			p, _ := codeRequest(cliApp, "http://localhost:7", tc.change)
			r := newBrowser(t, h).get(authorizePath(tenant, p))
			if tc.page != 0 {
				if r.status != tc.page || r.header.Get("Location") != "" || !strings.Contains(r.body, "AADSTS"+jsonString(tc.aadsts)+":") {
					t.Errorf("want an error page AADSTS%d, got %d %v %s", tc.aadsts, r.status, r.header.Get("Location"), r.body)
				}
				return
			}
			if !strings.HasPrefix(r.header.Get("Location"), p.Get("redirect_uri")+"?") {
				t.Fatalf("want a redirect, got %d %s", r.status, r.body)
			}
			a := r.answer(t)
			if a.Get("error") != tc.error || !strings.HasPrefix(a.Get("error_description"), "AADSTS"+jsonString(tc.aadsts)+": ") || a.Get("state") != "st-1" {
				t.Errorf("answer = %v, want %s AADSTS%d", a, tc.error, tc.aadsts)
			}
		})
	}
}

var scriptNonce = regexp.MustCompile(`<script nonce="([^"]+)">`)

// TestPageHeaders: no page may be framed, cached or leak its URL, and only
// form_post's page has a script, allowed by its nonce.
func TestPageHeaders(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	b := newBrowser(t, h)
	p, _ := codeRequest(webApp, webRedirect, nil)
	formPost, _ := codeRequest(webApp, webRedirect, func(p url.Values) { p.Set("response_mode", "form_post") })
	bad, _ := codeRequest(webApp, "https://evil.example/", nil)
	pages := map[string]func() *response{
		"sign-in page": func() *response { return b.get(authorizePath(tenantA, p)) },
		"error page":   func() *response { return b.get(authorizePath(tenantA, bad)) },
		"redirect": func() *response {
			return b.signIn(b.get(authorizePath(tenantA, p)), "ana@contoso.example", anaPassword, false)
		},
		"form_post":      func() *response { return b.get(authorizePath(tenantA, formPost)) },
		"device page":    func() *response { return b.get("/" + tenantA + "/oauth2/deviceauth") },
		"signed out":     func() *response { return b.get("/" + tenantA + "/oauth2/v2.0/logout") },
		"unknown tenant": func() *response { return b.get("/nope.example/oauth2/v2.0/authorize") },
	}
	for _, name := range []string{"sign-in page", "error page", "redirect", "form_post", "device page", "signed out", "unknown tenant"} {
		t.Run(name, func(t *testing.T) {
			r := pages[name]()
			csp := r.header.Get("Content-Security-Policy")
			if r.header.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") ||
				!strings.Contains(r.header.Get("Cache-Control"), "no-store") || r.header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("headers: %v", r.header)
			}
			m := scriptNonce.FindStringSubmatch(r.body)
			switch {
			case name == "form_post" && (m == nil || !strings.Contains(csp, "script-src 'nonce-"+m[1]+"'")):
				t.Errorf("form_post's script is not allowed by %q: %s", csp, r.body)
			case name != "form_post" && strings.Contains(r.body, "<script"):
				t.Errorf("a script: %s", r.body)
			}
		})
	}
}
