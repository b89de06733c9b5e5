package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/teamsops/teamsops"
)

// entraIssuer is the issuer of Entra's v2.0 tokens, with Entra's own
// placeholder for the tenant.
const entraIssuer = "https://login.microsoftonline.com/{tenantid}/v2.0"

var (
	rsaKeysMu sync.Mutex
	rsaKeys   = map[string]*rsa.PrivateKey{}
)

// rsaKey returns the test key called name, generated once per test binary
// because generating RSA keys is slow.
func rsaKey(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	rsaKeysMu.Lock()
	defer rsaKeysMu.Unlock()
	if k, ok := rsaKeys[name]; ok {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaKeys[name] = k
	return k
}

func jwksJSON(t *testing.T, keys map[string]*rsa.PrivateKey) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for kid, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entraClaims are the claims of an Entra token for tenantB.
func entraClaims(now time.Time) map[string]any {
	c := appClaims(now)
	c["tid"] = tenantB
	c["iss"] = "https://login.microsoftonline.com/" + tenantB + "/v2.0"
	return c
}

func TestTrustedIssuerFromFile(t *testing.T) {
	now := time.Now()
	ext := rsaKey(t, "ext")
	file := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(file, jwksJSON(t, map[string]*rsa.PrivateKey{"ext-1": ext}), 0o600); err != nil {
		t.Fatal(err)
	}
	iss, err := NewIssuer(context.Background(), testKeys(t), publicURL)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewValidator(context.Background(), iss, TrustedIssuer{Issuer: entraIssuer, JWKSFile: file})
	if err != nil {
		t.Fatal(err)
	}
	v.Now = func() time.Time { return now }
	local, localKid := privateKey(t)
	tests := []struct {
		name   string
		key    *rsa.PrivateKey
		kid    string
		change func(map[string]any)
		err    string
	}{
		{"trusted key and issuer", ext, "ext-1", func(map[string]any) {}, ""},
		{"issuer of another tenant", ext, "ext-1", func(c map[string]any) { c["tid"] = tenantA }, "Invalid issuer."},
		{"v1 issuer", ext, "ext-1", func(c map[string]any) { c["iss"] = "https://sts.windows.net/" + tenantB + "/" }, "Invalid issuer."},
		{"trusted key claiming the local issuer", ext, "ext-1", func(c map[string]any) { c["iss"] = publicURL + "/" + tenantB + "/v2.0" }, "Invalid issuer."},
		{"local key claiming the trusted issuer", local, localKid, func(map[string]any) {}, "Invalid issuer."},
		{"trusted kid, other key", local, "ext-1", func(map[string]any) {}, "Signature validation failed."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := entraClaims(now)
			tc.change(c)
			p, err := v.Validate(context.Background(), signClaims(t, tc.key, tc.kid, jose.RS256, c))
			if tc.err != "" {
				wantUnauthorized(t, err, tc.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.TenantID != tenantB || p.AppID != consoleID {
				t.Errorf("principal = %+v", p)
			}
		})
	}
}

// jwksServer serves a key set that the test can replace, and counts fetches.
type jwksServer struct {
	mu      sync.Mutex
	body    []byte
	fetches atomic.Int32
}

func (s *jwksServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.fetches.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.body)
}

func (s *jwksServer) set(b []byte) {
	s.mu.Lock()
	s.body = b
	s.mu.Unlock()
}

func TestTrustedIssuerFromURLRotates(t *testing.T) {
	now := time.Now()
	keyA, keyB := rsaKey(t, "a"), rsaKey(t, "b")
	js := &jwksServer{}
	js.set(jwksJSON(t, map[string]*rsa.PrivateKey{"a": keyA}))
	srv := httptest.NewServer(js)
	defer srv.Close()

	ctx := context.Background()
	v, err := NewValidator(ctx, nil, TrustedIssuer{Issuer: entraIssuer, JWKSURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	v.Now = func() time.Time { return now }
	if _, err := v.Validate(ctx, signClaims(t, keyA, "a", jose.RS256, entraClaims(now))); err != nil {
		t.Fatalf("token of the fetched key: %v", err)
	}

	// The issuer rotates to key B. A token naming B makes the validator
	// fetch again, but not more than once a minute.
	js.set(jwksJSON(t, map[string]*rsa.PrivateKey{"a": keyA, "b": keyB}))
	tokB := signClaims(t, keyB, "b", jose.RS256, entraClaims(now))
	_, err = v.Validate(ctx, tokB)
	wantUnauthorized(t, err, "No key matches")
	if n := js.fetches.Load(); n != 1 {
		t.Fatalf("fetches = %d within a minute of the first, want 1", n)
	}
	later := now.Add(2 * time.Minute)
	v.Now = func() time.Time { return later }
	if _, err := v.Validate(ctx, tokB); err != nil {
		t.Fatalf("token of the rotated key: %v", err)
	}
	if n := js.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
	// Known kids and cached tokens fetch nothing.
	v.Validate(ctx, tokB)
	v.Validate(ctx, signClaims(t, keyA, "a", jose.RS256, entraClaims(now)))
	_, err = v.Validate(ctx, signClaims(t, keyB, "c", jose.RS256, entraClaims(now)))
	wantUnauthorized(t, err, "No key matches")
	if n := js.fetches.Load(); n != 2 {
		t.Errorf("fetches = %d, want still 2", n)
	}
}

func TestNewValidatorRejectsBadSources(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"x"}]}`), 0o600)
	down := httptest.NewServer(http.NotFoundHandler())
	defer down.Close()
	for name, ti := range map[string]TrustedIssuer{
		"no issuer":         {JWKSFile: bad},
		"no source":         {Issuer: entraIssuer},
		"two sources":       {Issuer: entraIssuer, JWKSFile: bad, JWKSURL: down.URL},
		"missing file":      {Issuer: entraIssuer, JWKSFile: filepath.Join(dir, "none.json")},
		"no RSA key":        {Issuer: entraIssuer, JWKSFile: bad},
		"URL answering 404": {Issuer: entraIssuer, JWKSURL: down.URL},
	} {
		if _, err := NewValidator(context.Background(), nil, ti); err == nil {
			t.Errorf("%s: NewValidator succeeded", name)
		}
	}
}

func TestParseTrustedIssuer(t *testing.T) {
	tests := []struct {
		spec string
		want TrustedIssuer
		ok   bool
	}{
		{entraIssuer + "=https://login.microsoftonline.com/common/discovery/v2.0/keys",
			TrustedIssuer{Issuer: entraIssuer, JWKSURL: "https://login.microsoftonline.com/common/discovery/v2.0/keys"}, true},
		{"https://issuer.test=http://keys.test/jwks?appid=x=y",
			TrustedIssuer{Issuer: "https://issuer.test", JWKSURL: "http://keys.test/jwks?appid=x=y"}, true},
		{"https://issuer.test=/etc/teamsops/jwks.json",
			TrustedIssuer{Issuer: "https://issuer.test", JWKSFile: "/etc/teamsops/jwks.json"}, true},
		{"https://issuer.test", TrustedIssuer{}, false},
		{"=jwks.json", TrustedIssuer{}, false},
		{"https://issuer.test=", TrustedIssuer{}, false},
	}
	for _, tc := range tests {
		got, err := ParseTrustedIssuer(tc.spec)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseTrustedIssuer(%q) = %+v, %v; want %+v, ok %v", tc.spec, got, err, tc.want, tc.ok)
		}
	}
}

// A validator without a local issuer knows none of its keys.
func TestValidatorWithoutLocalIssuer(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	file := filepath.Join(t.TempDir(), "jwks.json")
	os.WriteFile(file, jwksJSON(t, map[string]*rsa.PrivateKey{"x": rsaKey(t, "ext")}), 0o600)
	v, err := NewValidator(context.Background(), nil, TrustedIssuer{Issuer: entraIssuer, JWKSFile: file})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := iss.Issue(Claims{TenantID: tenantA, AppID: consoleID}, time.Hour)
	_, err = v.Validate(context.Background(), tok)
	if teamsops.ErrorCode(err) != teamsops.EUNAUTHORIZED {
		t.Errorf("error = %v, want EUNAUTHORIZED", err)
	}
}
