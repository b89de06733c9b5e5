package identity

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

const (
	consoleSecret = "demo-console-secret"
	oddSecret     = "a+b/c=d%e:f" // needs form-encoding inside Basic credentials
)

var (
	// rotatedSecret is the console's second secret: either works.
	rotatedSecret = "rotated-console-secret"
	dirOnce       sync.Once
	testDir       *memDir
)

// demoDirectory is the demo tenant with its two app registrations, and an
// app whose secret has characters Basic authentication must encode.
func demoDirectory(t testing.TB) *memDir {
	t.Helper()
	dirOnce.Do(func() {
		hash := func(s string) string {
			h, err := HashSecret(s)
			if err != nil {
				panic(err)
			}
			return h
		}
		testDir = &memDir{
			grants: map[string]teamsops.SignInGrant{},
			users:  signInUsers(hash),
			tenants: map[string]*teamsops.Tenant{
				tenantA: {ID: tenantA, DisplayName: "Contoso", VerifiedDomain: "contoso.example"},
				tenantB: {ID: tenantB},
			},
			apps: map[string]*teamsops.AppRegistration{
				tenantA + "/" + consoleID: {ClientID: consoleID, TenantID: tenantA, SecretHashes: []string{hash(consoleSecret), hash(rotatedSecret)},
					Roles: []string{"Chat.Read.All", "Team.ReadBasic.All"}},
				tenantA + "/" + botApp: {ClientID: botApp, TenantID: tenantA, SecretHashes: []string{hash(oddSecret)}},
			},
		}
		for _, a := range signInApps(hash) {
			testDir.apps[a.TenantID+"/"+a.ClientID] = a
		}
	})
	return testDir
}

type tokenCase struct {
	name   string
	method string
	tenant string
	ctype  string
	form   url.Values
	basic  []string // client id and secret for HTTP Basic
	status int
	error  string // OAuth error code
	aadsts int
}

func consoleForm(change func(url.Values)) url.Values {
	f := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {consoleID},
		"client_secret": {consoleSecret},
		"scope":         {"https://graph.microsoft.com/.default"},
	}
	change(f)
	return f
}

func TestTokenEndpoint(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	same := func(url.Values) {}
	tests := []tokenCase{
		{name: "client secret in the body", form: consoleForm(same), status: 200},
		{name: "Graph app id scope", form: consoleForm(func(f url.Values) { f.Set("scope", graphAppID+"/.default") }), status: 200},
		{name: "Basic authentication", form: consoleForm(func(f url.Values) { f.Del("client_id"); f.Del("client_secret") }),
			basic: []string{consoleID, consoleSecret}, status: 200},
		{name: "Basic with an encoded secret", form: consoleForm(func(f url.Values) { f.Del("client_id"); f.Del("client_secret") }),
			basic: []string{botApp, oddSecret}, status: 200},
		{name: "the app's second secret", form: consoleForm(func(f url.Values) { f.Set("client_secret", rotatedSecret) }), status: 200},
		{name: "wrong secret", form: consoleForm(func(f url.Values) { f.Set("client_secret", "nope") }),
			status: 401, error: "invalid_client", aadsts: 7000215},
		{name: "wrong secret with Basic", form: consoleForm(func(f url.Values) { f.Del("client_secret") }),
			basic: []string{consoleID, "nope"}, status: 401, error: "invalid_client", aadsts: 7000215},
		{name: "no secret", form: consoleForm(func(f url.Values) { f.Del("client_secret") }),
			status: 401, error: "invalid_client", aadsts: 7000218},
		{name: "unknown client", form: consoleForm(func(f url.Values) { f.Set("client_id", userA) }),
			status: 400, error: "unauthorized_client", aadsts: 700016},
		{name: "client of another tenant", tenant: tenantB, form: consoleForm(same),
			status: 400, error: "unauthorized_client", aadsts: 700016},
		{name: "unknown tenant", tenant: "11111111-2222-4333-8444-555555555555", form: consoleForm(same),
			status: 400, error: "invalid_request", aadsts: 90002},
		{name: "no scope", form: consoleForm(func(f url.Values) { f.Del("scope") }),
			status: 400, error: "invalid_request", aadsts: 90014},
		{name: "delegated scope", form: consoleForm(func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/Chat.Read") }),
			status: 400, error: "invalid_scope", aadsts: 1002012},
		{name: "OpenID Connect scopes beside .default, as MSAL sends them",
			form: consoleForm(func(f url.Values) {
				f.Set("scope", "https://graph.microsoft.com/.default openid offline_access profile")
			}), status: 200},
		{name: "email beside .default", form: consoleForm(func(f url.Values) { f.Set("scope", "email https://graph.microsoft.com/.default") }), status: 200},
		{name: "only OpenID Connect scopes", form: consoleForm(func(f url.Values) { f.Set("scope", "openid profile") }),
			status: 400, error: "invalid_scope", aadsts: 1002012},
		{name: "two resources", form: consoleForm(func(f url.Values) { f.Set("scope", "https://graph.microsoft.com/.default api://"+apiApp+"/.default") }),
			status: 400, error: "invalid_scope", aadsts: 28000},
		{name: ".default and a permission", form: consoleForm(func(f url.Values) {
			f.Set("scope", "https://graph.microsoft.com/.default https://graph.microsoft.com/Chat.Read")
		}),
			status: 400, error: "invalid_scope", aadsts: 70011},
		{name: "other resource", form: consoleForm(func(f url.Values) { f.Set("scope", "api://other/.default") }),
			status: 400, error: "invalid_resource", aadsts: 500011},
		{name: "password grant without a user", form: consoleForm(func(f url.Values) { f.Set("grant_type", "password") }),
			status: 400, error: "invalid_request", aadsts: 90014},
		{name: "implicit grant", form: consoleForm(func(f url.Values) { f.Set("grant_type", "implicit") }),
			status: 400, error: "unsupported_grant_type", aadsts: 70003},
		{name: "no grant type", form: consoleForm(func(f url.Values) { f.Del("grant_type") }),
			status: 400, error: "invalid_request", aadsts: 90014},
		{name: "no client id", form: consoleForm(func(f url.Values) { f.Del("client_id") }),
			status: 400, error: "invalid_request", aadsts: 90014},
		{name: "parameter twice", form: consoleForm(func(f url.Values) { f.Add("client_secret", "x") }),
			status: 400, error: "invalid_request", aadsts: 90023},
		{name: "JSON body", ctype: "application/json", form: consoleForm(same),
			status: 400, error: "invalid_request", aadsts: 90014},
		{name: "GET", method: "GET", form: consoleForm(same), status: 405, error: "invalid_request", aadsts: 900561},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := postToken(h, tc)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.status == 200 {
				checkTokenResponse(t, v, w, tc)
				return
			}
			checkOAuthError(t, w, tc)
		})
	}
}

func postToken(h http.Handler, tc tokenCase) *httptest.ResponseRecorder {
	method, tenant, ctype := tc.method, tc.tenant, tc.ctype
	if method == "" {
		method = http.MethodPost
	}
	if tenant == "" {
		tenant = tenantA
	}
	if ctype == "" {
		ctype = "application/x-www-form-urlencoded"
	}
	r := httptest.NewRequest(method, "/"+tenant+"/oauth2/v2.0/token", strings.NewReader(tc.form.Encode()))
	r.Header.Set("Content-Type", ctype)
	r.Header.Set("client-request-id", "0e5a7b3c-2f1d-4c8e-9a6b-7d5e4f3c2b1a")
	if tc.basic != nil {
		r.SetBasicAuth(url.QueryEscape(tc.basic[0]), url.QueryEscape(tc.basic[1]))
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func checkTokenResponse(t *testing.T, v *Validator, w *httptest.ResponseRecorder, tc tokenCase) {
	t.Helper()
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q", cc)
	}
	var body map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body["token_type"] != "Bearer" || body["expires_in"] != 3599.0 || body["ext_expires_in"] != 3599.0 || len(body) != 4 {
		t.Errorf("body = %v", body)
	}
	p, err := v.Validate(context.Background(), body["access_token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	app := testDir.apps[tenantA+"/"+tc.form.Get("client_id")]
	if tc.basic != nil {
		app = testDir.apps[tenantA+"/"+tc.basic[0]]
	}
	want := teamsops.Principal{TenantID: tenantA, AppID: app.ClientID, Roles: app.Roles}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("principal = %+v, want %+v", p, want)
	}
}

var entraTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`)

func checkOAuthError(t *testing.T, w *httptest.ResponseRecorder, tc tokenCase) {
	t.Helper()
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
		ErrorCodes       []int  `json:"error_codes"`
		Timestamp        string `json:"timestamp"`
		TraceID          string `json:"trace_id"`
		CorrelationID    string `json:"correlation_id"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %s: %v", w.Body, err)
	}
	if body.Error != tc.error || len(body.ErrorCodes) != 1 || body.ErrorCodes[0] != tc.aadsts {
		t.Errorf("error = %q %v, want %q [%d]", body.Error, body.ErrorCodes, tc.error, tc.aadsts)
	}
	prefix := "AADSTS" + jsonString(tc.aadsts) + ": "
	if !strings.HasPrefix(body.ErrorDescription, prefix) || !strings.Contains(body.ErrorDescription, "Trace ID: "+body.TraceID) {
		t.Errorf("error_description = %q", body.ErrorDescription)
	}
	if !entraTimestamp.MatchString(body.Timestamp) || !IsGUID(body.TraceID) || body.CorrelationID != "0e5a7b3c-2f1d-4c8e-9a6b-7d5e4f3c2b1a" {
		t.Errorf("timestamp/trace_id/correlation_id = %q %q %q", body.Timestamp, body.TraceID, body.CorrelationID)
	}
	if tc.status == 401 && tc.basic != nil && !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic ") {
		t.Errorf("WWW-Authenticate = %q", w.Header().Get("WWW-Authenticate"))
	}
	if tc.status == 405 && w.Header().Get("Allow") != "POST" {
		t.Errorf("Allow = %q", w.Header().Get("Allow"))
	}
}

func TestTokenTTL(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	iss.TokenTTL = 10 * time.Minute
	w := postToken(iss.Handler(demoDirectory(t)), tokenCase{form: consoleForm(func(url.Values) {})})
	var body struct {
		ExpiresIn   int    `json:"expires_in"`
		AccessToken string `json:"access_token"`
	}
	json.Unmarshal(w.Body.Bytes(), &body)
	c := payloadOf(t, body.AccessToken)
	if body.ExpiresIn != 599 || c["exp"].(float64)-c["iat"].(float64) != 600 {
		t.Errorf("expires_in = %d, exp-iat = %v", body.ExpiresIn, c["exp"].(float64)-c["iat"].(float64))
	}
}

func TestDiscovery(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	get := func(path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		return w
	}

	w := get("/" + tenantA + "/v2.0/.well-known/openid-configuration")
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); w.Code != 200 || err != nil {
		t.Fatalf("discovery: %d %s", w.Code, w.Body)
	}
	base := publicURL + "/" + tenantA
	for k, want := range map[string]any{
		"issuer":                                base + "/v2.0",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"id_token_signing_alg_values_supported": []any{"RS256"},
		"token_endpoint_auth_methods_supported": []any{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"grant_types_supported": []any{"authorization_code", "refresh_token", "client_credentials", "password",
			"urn:ietf:params:oauth:grant-type:device_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"},
		"device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":          base + "/oauth2/v2.0/logout",
		"authorization_endpoint":        base + "/oauth2/v2.0/authorize",
		"tenant_region_scope":           nil,
		"msgraph_host":                  "teamsops.test",
	} {
		if got, ok := doc[k]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", k, got, want)
		}
	}
	for _, k := range []string{"response_types_supported", "subject_types_supported", "scopes_supported", "claims_supported", "authorization_endpoint"} {
		if doc[k] == nil {
			t.Errorf("%s missing", k)
		}
	}

	// organizations and common: endpoints under that segment, the issuer
	// with Entra's placeholder; a domain names its tenant.
	for path, want := range map[string][2]string{
		"/organizations/v2.0/.well-known/openid-configuration":   {publicURL + "/organizations/oauth2/v2.0/token", publicURL + "/{tenantid}/v2.0"},
		"/common/v2.0/.well-known/openid-configuration":          {publicURL + "/common/oauth2/v2.0/token", publicURL + "/{tenantid}/v2.0"},
		"/contoso.example/v2.0/.well-known/openid-configuration": {base + "/oauth2/v2.0/token", base + "/v2.0"},
	} {
		var d map[string]any
		w := get(path)
		json.Unmarshal(w.Body.Bytes(), &d)
		if w.Code != 200 || d["token_endpoint"] != want[0] || d["issuer"] != want[1] {
			t.Errorf("%s: %d token_endpoint %v issuer %v", path, w.Code, d["token_endpoint"], d["issuer"])
		}
	}
	if w := get("/consumers/v2.0/.well-known/openid-configuration"); w.Code != 400 {
		t.Errorf("consumers: %d", w.Code)
	}

	w = get("/" + tenantA + "/discovery/v2.0/keys")
	var keys struct{ Keys []map[string]any }
	if err := json.Unmarshal(w.Body.Bytes(), &keys); w.Code != 200 || err != nil || len(keys.Keys) != 1 {
		t.Fatalf("keys: %d %s", w.Code, w.Body)
	}
	if k := keys.Keys[0]; k["kid"] != sharedKey.ID || k["kty"] != "RSA" || k["d"] != nil {
		t.Errorf("key = %v", k)
	}

	for path, want := range map[string]int{
		"/nope/v2.0/.well-known/openid-configuration": 400,
		"/nope/discovery/v2.0/keys":                   400,
		"/" + tenantA + "/v2.0/.well-known/other":     404,
		"/v1.0/chats": 404,
		"/healthz":    404,
	} {
		if w := get(path); w.Code != want {
			t.Errorf("GET %s = %d, want %d", path, w.Code, want)
		}
	}
	w = get("/nope/v2.0/.well-known/openid-configuration")
	if !strings.Contains(w.Body.String(), `"error":"invalid_tenant"`) || !strings.Contains(w.Body.String(), "AADSTS90002: Tenant 'nope' not found.") {
		t.Errorf("unknown tenant: %s", w.Body)
	}
}
