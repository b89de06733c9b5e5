package identity

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func TestSignInPageMessages(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	p, _ := codeRequest(cliApp, "http://localhost:3", nil)
	for _, tc := range []struct {
		name, user, password string
		field                string // the page shown again
		message              string
	}{
		{"wrong password", "ana@contoso.example", "nope", "passwd", "Your account or password is incorrect."},
		{"unknown user", "zoe@contoso.example", "", "loginfmt", "This username may be incorrect."},
		{"disabled user", "ben@contoso.example", "ben", "passwd", "Your account has been disabled."},
		{"no password", "ana@contoso.example", "", "passwd", "Please enter your password."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, h)
			r := b.submit(b.get(authorizePath(tenantA, p)), map[string]string{"loginfmt": tc.user}, "idSIButton9")
			if r.has(t, "passwd") {
				r = b.submit(r, map[string]string{"passwd": tc.password}, "idSIButton9")
			}
			if r.status != 200 || !r.has(t, tc.field) || !strings.Contains(r.body, escaped(tc.message)) {
				t.Errorf("want the %s page again with %q: %d %s", tc.field, tc.message, r.status, r.body)
			}
			if c := cookieOf(b, sessionCookie); c != "" && tc.name != "no password" {
				t.Errorf("a failed sign-in left a session: %s", c)
			}
		})
	}
	// A login hint skips the first page.
	hinted := url.Values{}
	for k := range p {
		hinted.Set(k, p.Get(k))
	}
	hinted.Set("login_hint", "ana@contoso.example")
	if r := newBrowser(t, h).get(authorizePath(tenantA, hinted)); !r.has(t, "passwd") || !strings.Contains(r.body, "ana@contoso.example") {
		t.Errorf("login_hint: %s", r.body)
	}
}

func escaped(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// cookieOf returns the value of the browser's cookie of that name.
func cookieOf(b *browser, name string) string {
	u, _ := url.Parse(publicURL + "/" + tenantA + "/oauth2/v2.0/authorize")
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// TestAntiForgery: every form posted from a page must carry the token of
// the browser's cookie.
func TestAntiForgery(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	p, _ := codeRequest(cliApp, "http://localhost:3", nil)
	b := newBrowser(t, h)
	page := b.get(authorizePath(tenantA, p))
	f := page.form(t)
	f.fields.Set("loginfmt", "ana@contoso.example")
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		other  bool // from another browser, whose cookie differs
		status int
	}{
		{name: "the page's own form", status: 200},
		{name: "token changed", change: func(v url.Values) { v.Set(canaryField, strings.Repeat("A", canaryLen)) }, status: 400},
		{name: "token left out", change: func(v url.Values) { v.Del(canaryField) }, status: 400},
		{name: "posted from another browser", other: true, status: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{}
			for k := range f.fields {
				v.Set(k, f.fields.Get(k))
			}
			if tc.change != nil {
				tc.change(v)
			}
			from := b
			if tc.other {
				from = newBrowser(t, h)
				from.get(authorizePath(tenantA, p))
			}
			r := from.do("POST", f.action, v)
			if r.status != tc.status || tc.status == 400 && !strings.Contains(r.body, "AADSTS90023") {
				t.Errorf("%d %s", r.status, r.body)
			}
		})
	}
	// An authorization request sent as a form is no page's form: it
	// starts a flow, as a GET does.
	if r := newBrowser(t, h).do("POST", "/"+tenantA+"/oauth2/v2.0/authorize", p); r.status != 200 || !r.has(t, "loginfmt") {
		t.Errorf("authorization request by POST: %d %s", r.status, r.body)
	}
}

// signedIn returns a browser in which Ana signed in to the CLI and chose
// to stay signed in, the CLI's request, and that request with a parameter
// changed.
func signedIn(t *testing.T, h http.Handler) (*browser, url.Values, func(k, v string) url.Values) {
	t.Helper()
	b := newBrowser(t, h)
	p, _ := codeRequest(cliApp, "http://localhost:3", nil)
	with := func(k, v string) url.Values {
		q := url.Values{}
		for key := range p {
			q.Set(key, p.Get(key))
		}
		q.Set(k, v)
		return q
	}
	first := b.signIn(b.get(authorizePath(tenantA, p)), "ana@contoso.example", anaPassword, true)
	if first.answer(t).Get("code") == "" || !strings.Contains(first.header.Get("Set-Cookie"), "Max-Age=") {
		t.Fatalf("stay signed in: %v", first.header)
	}
	return b, p, with
}

func TestSingleSignOn(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	b, p, with := signedIn(t, iss.Handler(demoDirectory(t)))
	// The session signs Ana in again, whatever the tenant path.
	for _, tenant := range []string{tenantA, "contoso.example", "organizations"} {
		if a := b.get(authorizePath(tenant, p)).answer(t); a.Get("code") == "" {
			t.Errorf("single sign-on at %s: %v", tenant, a)
		}
	}
	if a := b.get(authorizePath(tenantA, with("prompt", "none"))).answer(t); a.Get("code") == "" {
		t.Errorf("prompt=none: %v", a)
	}
	if a := b.get(authorizePath(tenantA, with("login_hint", "ben@contoso.example"))); !a.has(t, "passwd") {
		t.Errorf("a hint for another user asks for their password: %s", a.body)
	}
	if r := b.get(authorizePath(tenantA, with("prompt", "login"))); !r.has(t, "loginfmt") || r.has(t, "passwd") {
		t.Errorf("prompt=login asks who: %s", r.body)
	}
	hinted := with("prompt", "login")
	hinted.Set("login_hint", "ana@contoso.example")
	if r := b.get(authorizePath(tenantA, hinted)); !r.has(t, "passwd") {
		t.Errorf("prompt=login with a hint asks for the password: %s", r.body)
	}
	// A maximum age the sign-in exceeds asks for the password again.
	iss.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if r := b.get(authorizePath(tenantA, with("max_age", "60"))); !r.has(t, "passwd") {
		t.Errorf("max_age: %s", r.body)
	}
	silent := with("max_age", "60")
	silent.Set("prompt", "none")
	if a := b.get(authorizePath(tenantA, silent)).answer(t); a.Get("error") != "login_required" {
		t.Errorf("max_age, silent: %v", a)
	}
}

func TestAccountPicker(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	b, p, with := signedIn(t, iss.Handler(demoDirectory(t)))
	// select_account shows the picker; another account joins the session.
	picker := b.get(authorizePath(tenantA, with("prompt", "select_account")))
	if !strings.Contains(picker.body, "Pick an account") {
		t.Fatalf("select_account: %s", picker.body)
	}
	if a := b.submit(picker, nil, "ana@contoso.example").answer(t); a.Get("code") == "" {
		t.Errorf("picking Ana: %v", a)
	}
	picker = b.get(authorizePath(tenantA, with("prompt", "select_account")))
	second := b.signIn(b.submit(picker, nil, "otherTile"), "guess@contoso.example", "right", false)
	if second.answer(t).Get("code") == "" {
		t.Fatalf("second account: %d %s", second.status, second.body)
	}
	picker = b.get(authorizePath(tenantA, p))
	if !strings.Contains(picker.body, `data-test-id="ana@contoso.example"`) || !strings.Contains(picker.body, `data-test-id="guess@contoso.example"`) {
		t.Errorf("two accounts, the picker: %s", picker.body)
	}
	if a := b.get(authorizePath(tenantA, with("prompt", "none"))).answer(t); a.Get("error") != "interaction_required" {
		t.Errorf("prompt=none with two accounts: %v", a)
	}
	silent := with("prompt", "none")
	silent.Set("login_hint", "guess@contoso.example")
	if a := b.get(authorizePath(tenantA, silent)).answer(t); a.Get("code") == "" {
		t.Errorf("prompt=none with a hint: %v", a)
	}
	silent.Set("login_hint", "ben@contoso.example")
	if a := b.get(authorizePath(tenantA, silent)).answer(t); a.Get("error") != "login_required" {
		t.Errorf("prompt=none with a hint of no account: %v", a)
	}

	// Signing out ends the session: the next request asks who.
	out := b.get("/" + tenantA + "/oauth2/v2.0/logout")
	if out.status != 200 || !strings.Contains(out.body, "You signed out of your account") || !strings.Contains(out.header.Get("Set-Cookie"), sessionCookie+"=;") {
		t.Errorf("sign-out: %d %v %s", out.status, out.header, out.body)
	}
	if r := b.get(authorizePath(tenantA, p)); !r.has(t, "loginfmt") {
		t.Errorf("after sign-out: %s", r.body)
	}
	if a := b.get(authorizePath(tenantA, with("prompt", "none"))).answer(t); a.Get("error") != "login_required" {
		t.Errorf("prompt=none after sign-out: %v", a)
	}
}

func TestSignOutRedirect(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	logout := func(tenant string, q url.Values) *response {
		b := newBrowser(t, h)
		p, _ := codeRequest(webApp, webRedirect, nil)
		b.signIn(b.get(authorizePath(tenantA, p)), "ana@contoso.example", anaPassword, false)
		return b.get("/" + tenant + "/oauth2/v2.0/logout?" + q.Encode())
	}
	idToken, err := iss.IssueIDToken(IDClaims{TenantID: tenantA, ClientID: webApp, User: &teamsops.User{ID: ana, UserPrincipalName: "ana@contoso.example"}}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		tenant string
		q      url.Values
		want   string // the redirect; "" for the signed-out page
	}{
		{"registered, with client_id", tenantA, url.Values{"post_logout_redirect_uri": {webRedirect}, "client_id": {webApp}, "state": {"s"}}, webRedirect + "?state=s"},
		{"registered, with id_token_hint", "organizations", url.Values{"post_logout_redirect_uri": {webRedirect}, "id_token_hint": {idToken}}, webRedirect},
		{"registered, session's tenant", "common", url.Values{"post_logout_redirect_uri": {webRedirect}, "client_id": {webApp}}, webRedirect},
		{"not registered", tenantA, url.Values{"post_logout_redirect_uri": {"https://evil.example/"}, "client_id": {webApp}}, ""},
		{"another app's", tenantA, url.Values{"post_logout_redirect_uri": {spaRedirect}, "client_id": {webApp}}, ""},
		{"no app named", tenantA, url.Values{"post_logout_redirect_uri": {webRedirect}}, ""},
		{"forged hint", tenantA, url.Values{"post_logout_redirect_uri": {webRedirect}, "id_token_hint": {idToken + "x"}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := logout(tc.tenant, tc.q)
			if r.header.Get("Location") != tc.want || tc.want == "" && r.status != http.StatusOK {
				t.Errorf("%d Location %q, want %q", r.status, r.header.Get("Location"), tc.want)
			}
		})
	}
}

// TestSessionFixation: a session cookie planted in a browser before a
// sign-in does not get the account signed in.
func TestSessionFixation(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	p, _ := codeRequest(cliApp, "http://localhost:3", nil)
	attacker := newBrowser(t, h)
	attacker.signIn(attacker.get(authorizePath(tenantA, p)), "guess@contoso.example", "right", false)
	planted := cookieOf(attacker, sessionCookie)

	victim := newBrowser(t, h)
	u, _ := url.Parse(publicURL + "/")
	victim.jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: planted, Path: "/"}})
	choose := url.Values{}
	for k := range p {
		choose.Set(k, p.Get(k))
	}
	choose.Set("prompt", "select_account")
	picker := victim.get(authorizePath(tenantA, choose))
	victim.signIn(victim.submit(picker, nil, "otherTile"), "ana@contoso.example", anaPassword, false)
	if c := cookieOf(victim, sessionCookie); c == planted || c == "" {
		t.Errorf("the session cookie was not replaced: %q", c)
	}
	if r := attacker.get(authorizePath(tenantA, p)); !r.has(t, "loginfmt") {
		t.Errorf("the planted cookie still signs in: %d %s", r.status, r.body)
	}
}
