package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

// The sign-in directory: users with passwords, and apps of every kind.
const (
	ana         = "a0a0a0a0-0000-4000-8000-000000000001" // signs in
	ben         = "b0b0b0b0-0000-4000-8000-000000000002" // disabled
	lockedUser  = "c0c0c0c0-0000-4000-8000-000000000003" // guesses wrong
	noPassword  = "d0d0d0d0-0000-4000-8000-000000000004"
	anaPassword = "ana's password"
	cliApp      = "c8a1e3b2-5d4f-4e6a-9b7c-2f1e0d3c4b5a" // public client
	webApp      = "e1e1e1e1-0000-4000-8000-000000000011" // web app with a secret
	webSecret   = "web-secret"
	spaApp      = "e2e2e2e2-0000-4000-8000-000000000012"
	certApp     = "e3e3e3e3-0000-4000-8000-000000000013" // authenticates with a certificate
	apiApp      = "e4e4e4e4-0000-4000-8000-000000000014" // an API that calls Graph on behalf of users
	apiSecret   = "api-secret"
	webRedirect = "https://app.contoso.example/signin"
	spaRedirect = "https://spa.contoso.example/"
)

func signInUsers(hash func(string) string) map[string]*teamsops.User {
	users := map[string]*teamsops.User{}
	for _, u := range []*teamsops.User{
		{ID: ana, DisplayName: "Ana", UserPrincipalName: "ana@contoso.example", PasswordHash: hash(anaPassword)},
		{ID: ben, DisplayName: "Ben", UserPrincipalName: "ben@contoso.example", PasswordHash: hash("ben"), AccountDisabled: true},
		{ID: lockedUser, UserPrincipalName: "guess@contoso.example", PasswordHash: hash("right")},
		{ID: noPassword, UserPrincipalName: "nopass@contoso.example"},
	} {
		u.TenantID = tenantA
		users[tenantA+"/"+u.ID] = u
	}
	return users
}

func signInApps(hash func(string) string) []*teamsops.AppRegistration {
	graph := []string{"User.Read", "Chat.Read", "Team.ReadBasic.All"}
	return []*teamsops.AppRegistration{
		{ClientID: cliApp, TenantID: tenantA, DisplayName: "cli", PublicClient: true, DelegatedScopes: graph,
			RedirectURIs: []string{"http://localhost"}},
		{ClientID: webApp, TenantID: tenantA, DisplayName: "web", SecretHashes: []string{hash(webSecret)}, DelegatedScopes: graph,
			RedirectURIs: []string{webRedirect}},
		{ClientID: spaApp, TenantID: tenantA, DisplayName: "spa", DelegatedScopes: graph, SPARedirectURIs: []string{spaRedirect}},
		{ClientID: certApp, TenantID: tenantA, DisplayName: "daemon", Roles: []string{"Chat.Read.All"},
			Certificates: []string{testCertificate().pem}},
		{ClientID: apiApp, TenantID: tenantA, DisplayName: "api", SecretHashes: []string{hash(apiSecret)},
			DelegatedScopes: []string{"Chat.Read"}, IdentifierURIs: []string{"api://" + apiApp}, ExposedScopes: []string{"access_as_user"}},
	}
}

type testCert struct {
	key *rsa.PrivateKey
	der []byte
	pem string
}

var (
	certOnce sync.Once
	certVal  testCert
)

// testCertificate is a self-signed certificate for the daemon app.
func testCertificate() testCert {
	certOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "daemon"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		certVal = testCert{key: key, der: der, pem: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
	})
	return certVal
}

// assertion signs a client assertion with the daemon's certificate.
func assertion(t testing.TB, alg jose.SignatureAlgorithm, s256 bool, change func(map[string]any)) string {
	t.Helper()
	c := testCertificate()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if s256 {
		sum := sha256.Sum256(c.der)
		opts = opts.WithHeader("x5t#S256", base64.RawURLEncoding.EncodeToString(sum[:]))
	} else {
		sum := sha1.Sum(c.der)
		opts = opts.WithHeader("x5t", base64.StdEncoding.EncodeToString(sum[:]))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: c.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var jti [8]byte
	rand.Read(jti[:])
	claims := map[string]any{"aud": publicURL + "/" + tenantA + "/oauth2/v2.0/token", "iss": certApp, "sub": certApp,
		"jti": base64.RawURLEncoding.EncodeToString(jti[:]), "exp": time.Now().Add(10 * time.Minute).Unix(), "nbf": time.Now().Unix()}
	if change != nil {
		change(claims)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// post sends a token request and returns the status and the JSON answer.
func post(t testing.TB, h http.Handler, path string, form url.Values, header ...string) (int, map[string]any, http.Header) {
	t.Helper()
	return postFrom(t, h, "", path, form, header...)
}

// postFrom is post from the address remoteAddr (host:port), or from
// httptest's own when it is empty.
func postFrom(t testing.TB, h http.Handler, remoteAddr, path string, form url.Values, header ...string) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if remoteAddr != "" {
		req.RemoteAddr = remoteAddr
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	json.Unmarshal(rec.Body.Bytes(), &body)
	return rec.Code, body, rec.Header()
}

func tokenPath(tenant string) string { return "/" + tenant + "/oauth2/v2.0/token" }

// claimsOf returns a JWT's payload.
func claimsOf(t *testing.T, tok any) map[string]any {
	t.Helper()
	s, _ := tok.(string)
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %v", tok)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}

func wantError(t *testing.T, status int, body map[string]any, wantStatus int, code string, aadsts int) {
	t.Helper()
	codes, _ := body["error_codes"].([]any)
	if status != wantStatus || body["error"] != code || len(codes) != 1 || codes[0] != float64(aadsts) {
		t.Errorf("got %d %v %v, want %d %s AADSTS%d (%v)", status, body["error"], codes, wantStatus, code, aadsts, body["error_description"])
	}
}

func TestPasswordGrant(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	form := func(user, password, scope string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {cliApp}, "username": {user}, "password": {password},
			"scope": {scope}, "client_info": {"1"}}
	}
	msal := "https://graph.microsoft.com/Chat.Read openid profile offline_access"

	status, body, _ := post(t, h, tokenPath(tenantA), form("ANA@contoso.example", anaPassword, msal))
	if status != 200 {
		t.Fatalf("sign in: %d %v", status, body)
	}
	p, err := v.Validate(t.Context(), body["access_token"].(string))
	if err != nil || p.UserID != ana || p.AppID != cliApp || strings.Join(p.Scopes, " ") != "Chat.Read" {
		t.Fatalf("access token: %+v, %v", p, err)
	}
	at := claimsOf(t, body["access_token"])
	if at["upn"] != "ana@contoso.example" || at["name"] != "Ana" || at["idtyp"] != "user" {
		t.Errorf("access token claims: %v", at)
	}
	id := claimsOf(t, body["id_token"])
	if id["aud"] != cliApp || id["oid"] != ana || id["tid"] != tenantA || id["preferred_username"] != "ana@contoso.example" ||
		id["iss"] != publicURL+"/"+tenantA+"/v2.0" || id["ver"] != "2.0" || id["sub"] == "" || id["sub"] == ana {
		t.Errorf("ID token claims: %v", id)
	}
	if body["refresh_token"] == nil || body["scope"] != "https://graph.microsoft.com/Chat.Read openid profile offline_access" {
		t.Errorf("refresh token %v, scope %v", body["refresh_token"], body["scope"])
	}
	info, _ := base64.RawURLEncoding.DecodeString(body["client_info"].(string))
	if string(info) != `{"uid":"`+ana+`","utid":"`+tenantA+`"}` {
		t.Errorf("client_info = %s", info)
	}

	// Without openid and offline_access: only the access token.
	_, body, _ = post(t, h, tokenPath(tenantA), form("ana@contoso.example", anaPassword, "Chat.Read"))
	if body["id_token"] != nil || body["refresh_token"] != nil || body["access_token"] == nil {
		t.Errorf("bare scope: %v", body)
	}
	// .default: every delegated permission declared for the app.
	_, body, _ = post(t, h, tokenPath(tenantA), form("ana@contoso.example", anaPassword, "https://graph.microsoft.com/.default"))
	if scp := claimsOf(t, body["access_token"])["scp"]; scp != "User.Read Chat.Read Team.ReadBasic.All" {
		t.Errorf(".default scp = %v", scp)
	}
	// organizations finds the tenant by the user's domain.
	if status, body, _ := post(t, h, tokenPath("organizations"), form("ana@contoso.example", anaPassword, msal)); status != 200 {
		t.Errorf("organizations: %d %v", status, body)
	}
	if status, body, _ := post(t, h, tokenPath("contoso.example"), form("ana@contoso.example", anaPassword, msal)); status != 200 {
		t.Errorf("tenant by domain: %d %v", status, body)
	}

	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		status int
		code   string
		aadsts int
	}{
		{"wrong password", tokenPath(tenantA), form("ana@contoso.example", "nope", msal), 400, "invalid_grant", 50126},
		{"unknown user", tokenPath(tenantA), form("zoe@contoso.example", "x", msal), 400, "invalid_grant", 50034},
		{"disabled user", tokenPath(tenantA), form("ben@contoso.example", "ben", msal), 400, "invalid_grant", 50057},
		{"user without a password", tokenPath(tenantA), form("nopass@contoso.example", "x", msal), 400, "invalid_grant", 50126},
		{"scope not consented", tokenPath(tenantA), form("ana@contoso.example", anaPassword, "https://graph.microsoft.com/Chat.ReadWrite"), 400, "invalid_grant", 65001},
		{"unknown domain", tokenPath("organizations"), form("ana@fabrikam.example", anaPassword, msal), 400, "invalid_tenant", 90002},
		{"confidential app without its secret", tokenPath(tenantA), func() url.Values {
			f := form("ana@contoso.example", anaPassword, msal)
			f.Set("client_id", webApp)
			return f
		}(), 401, "invalid_client", 7000218},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := post(t, h, tc.path, tc.form)
			wantError(t, status, body, tc.status, tc.code, tc.aadsts)
		})
	}
	// A confidential app may use the grant with its secret.
	f := form("ana@contoso.example", anaPassword, msal)
	f.Set("client_id", webApp)
	f.Set("client_secret", webSecret)
	if status, body, _ := post(t, h, tokenPath(tenantA), f); status != 200 {
		t.Errorf("confidential ROPC: %d %v", status, body)
	}
}

func TestSmartLockout(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	now := time.Now()
	iss.Now = func() time.Time { return now }
	h := iss.Handler(demoDirectory(t))
	form := func(password string) url.Values {
		return url.Values{"grant_type": {"password"}, "client_id": {cliApp}, "username": {"guess@contoso.example"},
			"password": {password}, "scope": {"User.Read"}}
	}
	for i := range lockoutThreshold {
		status, body, _ := post(t, h, tokenPath(tenantA), form("wrong"))
		wantError(t, status, body, 400, "invalid_grant", 50126)
		_ = i
	}
	// Locked: even the right password is refused until the lockout ends.
	status, body, _ := post(t, h, tokenPath(tenantA), form("right"))
	wantError(t, status, body, 400, "invalid_grant", 50053)
	now = now.Add(lockoutDuration + time.Second)
	if status, body, _ := post(t, h, tokenPath(tenantA), form("right")); status != 200 {
		t.Errorf("after the lockout: %d %v", status, body)
	}
}

func TestRefreshTokens(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	dir := demoDirectory(t)
	h := iss.Handler(dir)
	_, body, _ := post(t, h, tokenPath(tenantA), url.Values{"grant_type": {"password"}, "client_id": {cliApp},
		"username": {"ana@contoso.example"}, "password": {anaPassword}, "scope": {"Chat.Read offline_access"}})
	rt, _ := body["refresh_token"].(string)
	if rt == "" {
		t.Fatalf("no refresh token: %v", body)
	}
	refresh := func(rt string, change func(url.Values)) (int, map[string]any) {
		f := url.Values{"grant_type": {"refresh_token"}, "client_id": {cliApp}, "refresh_token": {rt}}
		if change != nil {
			change(f)
		}
		status, body, _ := post(t, h, tokenPath(tenantA), f)
		return status, body
	}
	status, body := refresh(rt, nil)
	if status != 200 || body["refresh_token"] == nil || body["refresh_token"] == rt {
		t.Fatalf("refresh: %d %v", status, body)
	}
	next := body["refresh_token"].(string)
	// Rotated: the old one is spent.
	status, body = refresh(rt, nil)
	wantError(t, status, body, 400, "invalid_grant", 70008)
	// Another client cannot redeem it.
	status, body = refresh(next, func(f url.Values) { f.Set("client_id", webApp); f.Set("client_secret", webSecret) })
	wantError(t, status, body, 400, "invalid_grant", 70000)
	// Spent by that attempt? No: the token is taken only by its client.
	// A change of password revokes it.
	_, body, _ = post(t, h, tokenPath(tenantA), url.Values{"grant_type": {"password"}, "client_id": {cliApp},
		"username": {"ana@contoso.example"}, "password": {anaPassword}, "scope": {"Chat.Read offline_access"}})
	rt = body["refresh_token"].(string)
	dir.mu.Lock()
	old := dir.users[tenantA+"/"+ana]
	changed := *old
	changed.PasswordHash, _ = HashSecret("new password")
	dir.users[tenantA+"/"+ana] = &changed
	dir.mu.Unlock()
	defer func() { dir.mu.Lock(); dir.users[tenantA+"/"+ana] = old; dir.mu.Unlock() }()
	status, body = refresh(rt, nil)
	wantError(t, status, body, 400, "invalid_grant", 50173)
}

func TestClientAssertion(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	form := func(a string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {certApp}, "scope": {"https://graph.microsoft.com/.default"},
			"client_assertion_type": {clientAssertionType}, "client_assertion": {a}}
	}
	for _, tc := range []struct {
		name string
		alg  jose.SignatureAlgorithm
		s256 bool
	}{{"RS256 with x5t", jose.RS256, false}, {"PS256 with x5t#S256", jose.PS256, true}} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := post(t, h, tokenPath(tenantA), form(assertion(t, tc.alg, tc.s256, nil)))
			if status != 200 {
				t.Fatalf("%d %v", status, body)
			}
			p, err := v.Validate(t.Context(), body["access_token"].(string))
			if err != nil || p.AppID != certApp || !p.HasRole("Chat.Read.All") {
				t.Errorf("token: %+v %v", p, err)
			}
		})
	}
	replayed := assertion(t, jose.RS256, false, nil)
	post(t, h, tokenPath(tenantA), form(replayed))
	other := testCertificate()
	_ = other
	for _, tc := range []struct {
		name   string
		a      string
		status int
		code   string
		aadsts int
	}{
		{"replayed jti", replayed, 401, "invalid_client", 700027},
		{"wrong audience", assertion(t, jose.RS256, false, func(c map[string]any) { c["aud"] = "https://elsewhere.example/token" }), 401, "invalid_client", 700212},
		{"expired", assertion(t, jose.RS256, false, func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }), 401, "invalid_client", 700024},
		{"not yet valid", assertion(t, jose.RS256, false, func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() }), 401, "invalid_client", 700024},
		{"issuer is another app", assertion(t, jose.RS256, false, func(c map[string]any) { c["iss"] = consoleID }), 401, "invalid_client", 700021},
		{"no jti", assertion(t, jose.RS256, false, func(c map[string]any) { delete(c, "jti") }), 401, "invalid_client", 700027},
		{"not a JWT", "abc", 400, "invalid_request", 50027},
		{"signed by another key", func() string {
			a := assertion(t, jose.RS256, false, nil)
			b := strings.Split(assertion(t, jose.RS256, false, func(c map[string]any) { c["sub"] = "x" }), ".")
			parts := strings.Split(a, ".")
			return parts[0] + "." + parts[1] + "." + b[2]
		}(), 401, "invalid_client", 700027},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body, _ := post(t, h, tokenPath(tenantA), form(tc.a))
			wantError(t, status, body, tc.status, tc.code, tc.aadsts)
		})
	}
	// The console has no certificate: its assertion finds no key.
	f := form(assertion(t, jose.RS256, false, func(c map[string]any) { c["iss"], c["sub"] = consoleID, consoleID }))
	f.Set("client_id", consoleID)
	status, body, _ := post(t, h, tokenPath(tenantA), f)
	wantError(t, status, body, 401, "invalid_client", 700027)
}

func TestUserRealm(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	for path, want := range map[string]string{
		"/common/UserRealm/ana@contoso.example?api-version=1.0":  "Managed",
		"/common/userrealm/ANA@CONTOSO.EXAMPLE?api-version=1.0":  "Managed",
		"/common/UserRealm/ana@fabrikam.example?api-version=1.0": "Unknown",
		"/common/UserRealm/no-domain?api-version=1.0":            "Unknown",
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		var realm map[string]any
		json.Unmarshal(rec.Body.Bytes(), &realm)
		if rec.Code != 200 || realm["account_type"] != want || realm["cloud_instance_name"] != "teamsops.test" ||
			realm["cloud_audience_urn"] != "urn:federation:MicrosoftOnline" {
			t.Errorf("%s: %d %v", path, rec.Code, realm)
		}
	}
}

func TestSecretCache(t *testing.T) {
	c := newSecretCache()
	c.max = 2
	if c.known("h1", "s") {
		t.Fatal("known before remembered")
	}
	c.remember("h1", "s")
	if !c.known("h1", "s") || c.known("h1", "other") || c.known("h2", "s") {
		t.Error("a match stands for its hash and secret only")
	}
	c.remember("h2", "s")
	c.remember("h3", "s") // full: starts afresh
	if c.known("h1", "s") || !c.known("h3", "s") || len(c.matched) != 1 {
		t.Errorf("after the cache filled: %d entries", len(c.matched))
	}
}

func TestGuardThrottlesFailures(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	now := time.Now()
	iss.Now = func() time.Time { return now }
	h := iss.Handler(fuzzDirectory(t)) // cheap hashes, grants of its own
	ask := func(addr, secret string) (int, map[string]any, http.Header) {
		return postFrom(t, h, addr+":40000", tokenPath(tenantA), consoleForm(func(f url.Values) { f.Set("client_secret", secret) }))
	}
	// The right secret, once, from another address: remembered.
	if status, body, _ := ask("192.0.2.9", consoleSecret); status != 200 {
		t.Fatalf("right secret: %d %v", status, body)
	}
	for range maxFailures {
		status, body, _ := ask("192.0.2.1", "wrong")
		wantError(t, status, body, 401, "invalid_client", 7000215)
	}
	status, body, header := ask("192.0.2.1", "wrong")
	wantError(t, status, body, 429, "temporarily_unavailable", 50196)
	if ra := header.Get("Retry-After"); ra != "61" && ra != "60" {
		t.Errorf("Retry-After = %q", ra)
	}
	// The client id is throttled too, from anywhere — but a secret that
	// matched before is still answered: flooding an app's id with wrong
	// secrets does not lock the app itself out.
	status, body, _ = ask("192.0.2.2", "wrong again")
	wantError(t, status, body, 429, "temporarily_unavailable", 50196)
	if status, body, _ := ask("192.0.2.2", consoleSecret); status != 200 {
		t.Errorf("a remembered secret while the app's id is throttled: %d %v", status, body)
	}
	// The window ends.
	now = now.Add(failureWindow)
	status, body, _ = ask("192.0.2.1", "wrong")
	wantError(t, status, body, 401, "invalid_client", 7000215)

	// Passwords count against the address too, beside the user's lockout.
	// Spread over users, each below its own lockout.
	users := []string{"ana@contoso.example", "guess@contoso.example", "nopass@contoso.example"}
	tries := 0
	pw := func(addr string) (int, map[string]any) {
		tries++
		status, body, _ := postFrom(t, h, addr+":1", tokenPath(tenantA), url.Values{"grant_type": {"password"},
			"client_id": {cliApp}, "username": {users[tries%len(users)]}, "password": {"x"}, "scope": {"User.Read"}})
		return status, body
	}
	for range maxFailures {
		pw("198.51.100.7")
	}
	status, body = pw("198.51.100.7")
	wantError(t, status, body, 429, "temporarily_unavailable", 50196)
}

func TestGuardPool(t *testing.T) {
	g := newGuard()
	g.maxWaiting = 1
	var releases []func()
	for range cap(g.slots) {
		release, oerr := g.acquire(t.Context())
		if oerr != nil {
			t.Fatal(oerr.msg)
		}
		releases = append(releases, release)
	}
	// The pool is busy: one may wait...
	waited := make(chan *oauthError)
	go func() {
		release, oerr := g.acquire(t.Context())
		if release != nil {
			release()
		}
		waited <- oerr
	}()
	for g.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	// ...and the next is refused at once.
	if _, oerr := g.acquire(t.Context()); oerr == nil || oerr.status != 429 {
		t.Errorf("past the waiting bound: %v", oerr)
	}
	for _, release := range releases {
		release()
	}
	if oerr := <-waited; oerr != nil {
		t.Errorf("the waiting one: %v", oerr.msg)
	}
}

func TestAppTokenReuse(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	now := time.Now()
	iss.Now = func() time.Time { return now }
	dir := demoDirectory(t)
	h := iss.Handler(dir)
	ask := func() map[string]any {
		t.Helper()
		status, body, _ := post(t, h, tokenPath(tenantA), consoleForm(func(url.Values) {}))
		if status != 200 {
			t.Fatalf("%d %v", status, body)
		}
		return body
	}
	first := ask()
	now = now.Add(10 * time.Second)
	again := ask()
	if again["access_token"] != first["access_token"] || again["expires_in"] != float64(3589) {
		t.Errorf("within the reuse window: a new token, or expires_in %v (want 3589)", again["expires_in"])
	}
	if _, err := v.Validate(t.Context(), again["access_token"].(string)); err != nil {
		t.Errorf("the token answered again: %v", err)
	}
	// Other roles are another token.
	app := dir.apps[tenantA+"/"+consoleID]
	changed := *app
	changed.Roles = []string{"Chat.Read.All"}
	dir.apps[tenantA+"/"+consoleID] = &changed
	if other := ask(); other["access_token"] == first["access_token"] {
		t.Error("a token with other roles was answered again")
	}
	dir.apps[tenantA+"/"+consoleID] = app
	now = now.Add(appTokenReuse)
	if later := ask(); later["access_token"] == first["access_token"] || later["expires_in"] != float64(3599) {
		t.Errorf("after the window: the same token, or expires_in %v", later["expires_in"])
	}
	// A user's tokens are signed afresh each time.
	form := url.Values{"grant_type": {"password"}, "client_id": {cliApp}, "username": {"ana@contoso.example"},
		"password": {anaPassword}, "scope": {"User.Read"}}
	_, a, _ := post(t, h, tokenPath(tenantA), form)
	_, b, _ := post(t, h, tokenPath(tenantA), form)
	if a["access_token"] == nil || a["access_token"] == b["access_token"] {
		t.Error("a user's token was answered again")
	}
}

func TestScopeBound(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	many := strings.Repeat("api://"+apiApp+"/access_as_user ", maxScopes+1)
	status, body, _ := post(t, h, tokenPath(tenantA), url.Values{"grant_type": {"password"}, "client_id": {cliApp},
		"username": {"ana@contoso.example"}, "password": {"x"}, "scope": {many}})
	wantError(t, status, body, 400, "invalid_scope", 70011)
	// At the bound, the API is found once and every name is its.
	atBound := strings.Repeat("api://"+apiApp+"/access_as_user ", maxScopes)
	status, body, _ = post(t, h, tokenPath(tenantA), url.Values{"grant_type": {"password"}, "client_id": {cliApp},
		"username": {"ana@contoso.example"}, "password": {anaPassword}, "scope": {atBound}})
	if status != 200 || claimsOf(t, body["access_token"])["aud"] != apiApp {
		t.Errorf("at the bound: %d %v", status, body)
	}
}
