package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/teamsops/teamsops"
)

// The demo tenant of PRODUCT.md and a second tenant.
const (
	tenantA   = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	tenantB   = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
	userA     = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	botApp    = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10"
	consoleID = "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	publicURL = "https://teamsops.test"
)

// The store provides what the package needs.
var (
	_ KeyStore  = teamsops.Store(nil)
	_ Directory = teamsops.Store(nil)
)

// memKeys is an in-memory KeyStore.
type memKeys struct {
	mu   sync.Mutex
	keys []*teamsops.SigningKey // newest first
}

func (m *memKeys) SigningKeys(context.Context) ([]*teamsops.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*teamsops.SigningKey(nil), m.keys...), nil
}

func (m *memKeys) EnsureSigningKey(_ context.Context, k *teamsops.SigningKey) (*teamsops.SigningKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.keys) == 0 {
		m.keys = append(m.keys, k)
	}
	return m.keys[0], nil
}

// memDir is an in-memory Directory.
type memDir struct {
	tenants map[string]*teamsops.Tenant
	apps    map[string]*teamsops.AppRegistration // by tenant + "/" + client id
	users   map[string]*teamsops.User            // by tenant + "/" + id

	mu     sync.Mutex
	grants map[string]teamsops.SignInGrant // by tenant, kind and key
}

func (d *memDir) Tenant(_ context.Context, id string) (*teamsops.Tenant, error) {
	if t, ok := d.tenants[id]; ok {
		return t, nil
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no tenant %s", id)
}

func (d *memDir) TenantByDomain(_ context.Context, domain string) (*teamsops.Tenant, error) {
	for _, t := range d.tenants {
		if t.VerifiedDomain != "" && strings.EqualFold(t.VerifiedDomain, domain) {
			return t, nil
		}
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no tenant %s", domain)
}

func (d *memDir) AppRegistration(_ context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error) {
	if a, ok := d.apps[tenantID+"/"+clientID]; ok {
		return a, nil
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no app %s", clientID)
}

func (d *memDir) User(_ context.Context, tenantID, idOrUPN string) (*teamsops.User, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, u := range d.users {
		if strings.HasPrefix(k, tenantID+"/") && (u.ID == idOrUPN || strings.EqualFold(u.UserPrincipalName, idOrUPN)) {
			c := *u
			return &c, nil
		}
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no user %s", idOrUPN)
}

func (d *memDir) Declared(_ context.Context, tenantID string) ([]teamsops.Declared, error) {
	var out []teamsops.Declared
	for k, a := range d.apps {
		if strings.HasPrefix(k, tenantID+"/") {
			out = append(out, teamsops.Declared{Kind: teamsops.DeclaredAppRegistration, ID: a.ClientID})
		}
	}
	return out, nil
}

func grantKey(tenantID string, kind teamsops.SignInGrantKind, key string) string {
	return tenantID + "/" + string(kind) + "/" + key
}

func (d *memDir) AddSignInGrant(_ context.Context, g *teamsops.SignInGrant) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := grantKey(g.TenantID, g.Kind, g.Key)
	if _, ok := d.grants[k]; ok {
		return teamsops.Errorf(teamsops.ECONFLICT, "grant exists")
	}
	d.grants[k] = *g
	return nil
}

func (d *memDir) PutSignInGrant(_ context.Context, g *teamsops.SignInGrant) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.grants[grantKey(g.TenantID, g.Kind, g.Key)] = *g
	return nil
}

func (d *memDir) SignInGrant(_ context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if g, ok := d.grants[grantKey(tenantID, kind, key)]; ok {
		return &g, nil
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no grant")
}

func (d *memDir) TakeSignInGrant(_ context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := grantKey(tenantID, kind, key)
	if g, ok := d.grants[k]; ok {
		delete(d.grants, k)
		return &g, nil
	}
	return nil, teamsops.Errorf(teamsops.ENOTFOUND, "no grant")
}

func (d *memDir) DeleteSignInGrant(_ context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.grants, grantKey(tenantID, kind, key))
	return nil
}

func (d *memDir) PruneSignInGrants(_ context.Context, t time.Time) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for k, g := range d.grants {
		if g.ExpiresAt.Before(t) {
			delete(d.grants, k)
			n++
		}
	}
	return n, nil
}

var (
	sharedKeyOnce sync.Once
	sharedKey     *teamsops.SigningKey
)

// testKeys returns a KeyStore holding one RSA key, generated once per test
// binary because generating RSA keys is slow.
func testKeys(tb testing.TB) *memKeys {
	tb.Helper()
	sharedKeyOnce.Do(func() {
		k, err := newSigningKey(time.Now())
		if err != nil {
			panic(err)
		}
		sharedKey = k
	})
	return &memKeys{keys: []*teamsops.SigningKey{sharedKey}}
}

// testSetup returns an issuer and a validator of its tokens, both on the
// clock now.
func testSetup(tb testing.TB, now time.Time) (*Issuer, *Validator) {
	tb.Helper()
	iss, err := NewIssuer(context.Background(), testKeys(tb), publicURL)
	if err != nil {
		tb.Fatal(err)
	}
	iss.Now = func() time.Time { return now }
	v, err := NewValidator(context.Background(), iss)
	if err != nil {
		tb.Fatal(err)
	}
	v.Now = func() time.Time { return now }
	return iss, v
}

// privateKey returns the issuer's signing key, to forge tokens with.
func privateKey(tb testing.TB) (*rsa.PrivateKey, string) {
	tb.Helper()
	testKeys(tb)
	priv, err := parseSigningKey(sharedKey)
	if err != nil {
		tb.Fatal(err)
	}
	return priv, sharedKey.ID
}

// signClaims signs claims as a JWT with key under kid and alg.
func signClaims(tb testing.TB, key any, kid string, alg jose.SignatureAlgorithm, claims any) string {
	tb.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	jwk := jose.JSONWebKey{Key: key, KeyID: kid}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jwk}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// forge builds a token with any header and payload and an HMAC-SHA256
// signature under secret (no signature when secret is nil).
func forge(tb testing.TB, header, claims map[string]any, secret []byte) string {
	tb.Helper()
	h, _ := json.Marshal(header)
	p, _ := json.Marshal(claims)
	input := b64(h) + "." + b64(p)
	if secret == nil {
		return input + "."
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// appClaims are the claims of a valid application token of tenantA.
func appClaims(now time.Time) map[string]any {
	return map[string]any{
		"aud": graphResource, "iss": publicURL + "/" + tenantA + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"tid": tenantA, "oid": "5c1e0f4a-1111-4222-8333-944455556666", "appid": consoleID,
		"roles": []string{"Chat.Read.All"}, "ver": "2.0",
	}
}

// payloadOf decodes the claims of a token without verifying it.
func payloadOf(tb testing.TB, tok string) map[string]any {
	tb.Helper()
	parts := strings.Split(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func wantUnauthorized(tb testing.TB, err error, msg string) {
	tb.Helper()
	var e *teamsops.Error
	if !errors.As(err, &e) || e.Code != teamsops.EUNAUTHORIZED {
		tb.Fatalf("error = %v, want an *teamsops.Error with code %s", err, teamsops.EUNAUTHORIZED)
	}
	if !strings.Contains(e.Message, msg) {
		tb.Fatalf("message = %q, want it to contain %q", e.Message, msg)
	}
}

func TestHashSecret(t *testing.T) {
	h, err := HashSecret("demo-bot-secret")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hash, secret string
		want         bool
	}{
		{h, "demo-bot-secret", true},
		{h, "demo-bot-secreT", false},
		{h, "", false},
		{"", "demo-bot-secret", false},
		{"not a hash", "demo-bot-secret", false},
		{h, "demo-bot-secret" + strings.Repeat("x", 80), false},
	} {
		if got := CheckSecret(tc.hash, tc.secret); got != tc.want {
			t.Errorf("CheckSecret(%q, %q) = %v, want %v", tc.hash, tc.secret, got, tc.want)
		}
	}
	for _, bad := range []string{"", strings.Repeat("s", 73)} {
		if _, err := HashSecret(bad); teamsops.ErrorCode(err) != teamsops.EINVALID {
			t.Errorf("HashSecret(%d bytes) error = %v, want EINVALID", len(bad), err)
		}
	}
}

func TestGUIDs(t *testing.T) {
	if g := newGUID(); !IsGUID(g) || g[14] != '4' {
		t.Errorf("newGUID() = %q", g)
	}
	a, b := nameGUID("x"), nameGUID("x")
	if a != b || !IsGUID(a) || a[14] != '5' || nameGUID("y") == a {
		t.Errorf("nameGUID: %q %q %q", a, b, nameGUID("y"))
	}
	for s, want := range map[string]bool{
		tenantA: true, strings.ToUpper(tenantA): true, "": false,
		"b33cbe9f8ebe4f2a912b7e2a427f477f": false, "g33cbe9f-8ebe-4f2a-912b-7e2a427f477f": false,
	} {
		if IsGUID(s) != want {
			t.Errorf("IsGUID(%q) = %v", s, !want)
		}
	}
}
