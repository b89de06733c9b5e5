package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/teamsops/teamsops"
)

// FuzzValidate feeds the validator arbitrary strings and valid tokens with
// one byte changed. Nothing may panic, every refusal must be EUNAUTHORIZED,
// and only the untouched valid tokens may validate.
func FuzzValidate(f *testing.F) {
	now := time.Now()
	iss, v := testSetup(f, now)
	priv, kid := privateKey(f)
	var valid []string
	for _, c := range []Claims{
		{TenantID: tenantA, AppID: consoleID, Roles: []string{"Chat.Read.All"}},
		{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read"}},
	} {
		tok, err := iss.Issue(c, 24*time.Hour)
		if err != nil {
			f.Fatal(err)
		}
		valid = append(valid, tok)
	}
	isValid := func(s string) bool { return s == valid[0] || s == valid[1] }

	for _, s := range []string{
		valid[0], valid[1], "", ".", "..", "a.b.c", "e30.e30.", "e30.e30.e30",
		strings.Split(valid[0], ".")[0] + ".e30." + strings.Split(valid[0], ".")[2],
		forge(f, map[string]any{"alg": "none", "kid": kid}, appClaims(now), nil),
		forge(f, map[string]any{"alg": "HS256", "kid": kid}, appClaims(now), []byte("secret")),
		signClaims(f, priv, kid, jose.RS384, appClaims(now)),
	} {
		f.Add(s, uint16(0), byte(0))
	}
	f.Add("", uint16(40), byte('A'))
	f.Add("", uint16(len(valid[0])-1), byte('B'))
	f.Add("x", uint16(len(valid[1])/2), byte('.'))

	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw string, pos uint16, b byte) {
		check := func(s string) {
			p, err := v.Validate(ctx, s)
			if err == nil {
				if !isValid(s) {
					t.Fatalf("a token that was not issued validates: %q -> %+v", s, p)
				}
				return
			}
			if teamsops.ErrorCode(err) != teamsops.EUNAUTHORIZED {
				t.Fatalf("Validate(%q) error = %v, want EUNAUTHORIZED", s, err)
			}
		}
		check(raw)
		// The valid token with the byte at pos replaced by b.
		tok := valid[int(pos)%2]
		i := int(pos) % len(tok)
		check(tok[:i] + string([]byte{b}) + tok[i+1:])
	})
}

func BenchmarkValidateCached(b *testing.B) {
	iss, v := testSetup(b, time.Now())
	tok, err := iss.Issue(Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read"}}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := v.Validate(ctx, tok); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateUncached(b *testing.B) {
	iss, v := testSetup(b, time.Now())
	v.cache = nil
	tok, err := iss.Issue(Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read"}}, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Validate(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}

// fuzzDirectory is the sign-in directory with cheap password and secret
// hashes (bcrypt's minimum cost), so that fuzzing runs thousands of
// requests a second, and grants of its own.
func fuzzDirectory(tb testing.TB) *memDir {
	tb.Helper()
	hash := func(s string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.MinCost)
		if err != nil {
			tb.Fatal(err)
		}
		return string(h)
	}
	d := &memDir{grants: map[string]teamsops.SignInGrant{}, users: signInUsers(hash),
		tenants: map[string]*teamsops.Tenant{tenantA: {ID: tenantA, DisplayName: "Contoso", VerifiedDomain: "contoso.example"}},
		apps: map[string]*teamsops.AppRegistration{tenantA + "/" + consoleID: {ClientID: consoleID, TenantID: tenantA,
			SecretHashes: []string{hash(consoleSecret)}, Roles: []string{"Chat.Read.All"}}}}
	for _, a := range signInApps(hash) {
		d.apps[a.TenantID+"/"+a.ClientID] = a
	}
	return d
}

// FuzzTokenEndpoint posts arbitrary forms, with or without Basic
// credentials, to the token endpoint of a tenant, organizations or a
// domain. Nothing may panic or answer 5xx; every answer is Entra's JSON:
// a token response or an error with its AADSTS code.
func FuzzTokenEndpoint(f *testing.F) {
	iss, _ := testSetup(f, time.Now())
	h := iss.Handler(fuzzDirectory(f))
	for _, s := range []string{
		"grant_type=client_credentials&client_id=" + consoleID + "&client_secret=" + consoleSecret + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default+openid",
		"grant_type=password&client_id=" + cliApp + "&username=ana%40contoso.example&password=" + url.QueryEscape(anaPassword) + "&scope=User.Read+offline_access+openid&client_info=1",
		"grant_type=refresh_token&client_id=" + cliApp + "&refresh_token=" + tenantA + ".abc",
		"grant_type=authorization_code&client_id=" + webApp + "&client_secret=" + webSecret + "&code=" + tenantA + ".x&redirect_uri=" + url.QueryEscape(webRedirect) + "&code_verifier=v",
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=" + cliApp + "&device_code=" + tenantA + ".d",
		"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&requested_token_use=on_behalf_of&client_id=" + apiApp + "&client_secret=" + apiSecret + "&assertion=a.b.c&scope=User.Read",
		"grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=e30.e30.e30&scope=api%3A%2F%2F" + apiApp + "%2F.default",
		"scope=a+b+c%2F.default+d%2Fe&grant_type=client_credentials&client_id=x",
		"%zz", "grant_type=password&grant_type=password", "",
	} {
		f.Add(tenantA, s, "")
		f.Add("organizations", s, consoleID+":"+consoleSecret)
	}
	f.Add("contoso.example", "grant_type=password", "a%zz:b")
	f.Fuzz(func(t *testing.T, tenant, body, basic string) {
		if strings.Trim(tenant, ".") == "" || strings.Contains(tenant, "/") {
			// "/./" and "/../" are the mux's to redirect, and an escaped
			// slash is no path the token endpoint's route matches.
			tenant = tenantA
		}
		req := httptest.NewRequest("POST", "/"+url.PathEscape(tenant)+"/oauth2/v2.0/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if id, secret, ok := strings.Cut(basic, ":"); ok {
			req.SetBasicAuth(id, secret)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var res map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
			t.Fatalf("%d, not JSON: %s", rec.Code, rec.Body)
		}
		switch {
		case rec.Code >= 500:
			t.Fatalf("%d: %s", rec.Code, rec.Body)
		case rec.Code == 200 && res["access_token"] == nil:
			t.Fatalf("200 without a token: %s", rec.Body)
		case rec.Code != 200 && (res["error"] == nil || res["error_codes"] == nil):
			t.Fatalf("%d without Entra's error: %s", rec.Code, rec.Body)
		}
	})
}

// FuzzClientAssertion authenticates with arbitrary client assertions and
// with a valid one with one byte changed, after the valid one was used:
// none of them may authenticate, and nothing may panic or answer 5xx.
func FuzzClientAssertion(f *testing.F) {
	iss, _ := testSetup(f, time.Now())
	h := iss.Handler(fuzzDirectory(f))
	valid := assertion(f, jose.PS256, true, nil)
	form := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {certApp}, "scope": {"https://graph.microsoft.com/.default"},
			"client_assertion_type": {clientAssertionType}, "client_assertion": {a}}
	}
	if status, body, _ := post(f, h, tokenPath(tenantA), form(valid)); status != 200 {
		f.Fatalf("the valid assertion: %d %v", status, body)
	}
	for _, s := range []string{valid, "", "a.b.c", "e30.e30.e30", assertion(f, jose.RS256, false, func(c map[string]any) { c["exp"] = "soon" })} {
		f.Add(s, uint16(0), byte(0))
	}
	f.Add("", uint16(10), byte('A'))
	f.Add("", uint16(len(valid)-2), byte('x'))
	f.Fuzz(func(t *testing.T, raw string, pos uint16, b byte) {
		i := int(pos) % len(valid)
		for _, a := range []string{raw, valid[:i] + string([]byte{b}) + valid[i+1:]} {
			status, body, _ := post(t, h, tokenPath(tenantA), form(a))
			if status == 200 || status >= 500 {
				t.Fatalf("assertion %q: %d %v", a, status, body)
			}
		}
	})
}

// FuzzAuthorize sends the authorization endpoint arbitrary parameters, in
// a query or in a form posted from a page with the browser's anti-forgery
// token. Nothing may panic or answer a server error, and nothing may be
// sent anywhere but a redirect URI an app registered.
func FuzzAuthorize(f *testing.F) {
	iss, _ := testSetup(f, time.Now())
	h := iss.Handler(demoDirectory(f))
	_, challenge := pkcePair("f")
	base := url.Values{"client_id": {cliApp}, "response_type": {"code"}, "redirect_uri": {"http://localhost:5"},
		"scope": {"openid Chat.Read"}, "state": {"s"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	seeds := []string{"", "client_id=", "%zz", "a;b", base.Encode()}
	for _, change := range []func(url.Values){
		func(p url.Values) { p.Set("prompt", "none") },
		func(p url.Values) { p.Set("response_mode", "form_post"); p.Set("login_hint", "ana@contoso.example") },
		func(p url.Values) {
			p.Set("client_id", spaApp)
			p.Set("redirect_uri", spaRedirect)
			p.Set("response_mode", "fragment")
		},
		func(p url.Values) { p.Set("redirect_uri", "http://[::1]:80/") },
		func(p url.Values) { p.Set("step", "username"); p.Set("loginfmt", "zoe@contoso.example") },
		// A user without a password: a wrong one costs no bcrypt.
		func(p url.Values) {
			p.Set("step", "password")
			p.Set("loginfmt", "nopass@contoso.example")
			p.Set("passwd", "x")
		},
		func(p url.Values) { p.Set("step", "pick"); p.Set("account", "ana@contoso.example") },
		func(p url.Values) { p.Set("step", "kmsi"); p.Set("uid", ana); p.Set("kmsi", "Yes") },
		func(p url.Values) { p.Set("max_age", "0"); p.Set("domain_hint", "contoso.example") },
	} {
		p := url.Values{}
		for k := range base {
			p.Set(k, base.Get(k))
		}
		change(p)
		seeds = append(seeds, p.Encode())
	}
	for i, s := range seeds {
		f.Add(s, i%2 == 0, uint8(i))
	}
	canary := strings.Repeat("c", canaryLen)
	tenants := []string{tenantA, "organizations", "contoso.example"}
	f.Fuzz(func(t *testing.T, query string, posted bool, tenant uint8) {
		path := "/" + tenants[int(tenant)%len(tenants)] + "/oauth2/v2.0/authorize"
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = query
		if posted {
			req = httptest.NewRequest("POST", path, strings.NewReader(query+"&"+canaryField+"="+canary))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: canaryCookie, Value: canary})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %q: %d %s", req.Method, query, w.Code, w.Body)
		}
		if loc := w.Header().Get("Location"); loc != "" && !registeredRedirect(loc) {
			t.Fatalf("%s %q: redirected to %s", req.Method, query, loc)
		}
	})
}

// registeredRedirect reports whether an answer goes to a redirect URI of
// the demo directory's apps.
func registeredRedirect(loc string) bool {
	u, err := url.Parse(loc)
	if err != nil {
		return false
	}
	// The public client's loopback on any port, its host in any case
	// (host names are case-insensitive, and the server compares them so).
	if u.Scheme == "http" && strings.EqualFold(u.Hostname(), "localhost") && u.User == nil {
		return true
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return u.String() == webRedirect || u.String() == spaRedirect
}
