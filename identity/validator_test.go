package identity

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/teamsops/teamsops"
)

func TestValidateRoundTrip(t *testing.T) {
	now := time.Now()
	iss, v := testSetup(t, now)
	tests := []struct {
		name   string
		claims Claims
		want   teamsops.Principal
	}{
		{"application", Claims{TenantID: tenantA, AppID: consoleID, Roles: []string{"Chat.Read.All"}},
			teamsops.Principal{TenantID: tenantA, AppID: consoleID, Roles: []string{"Chat.Read.All"}}},
		{"application without roles", Claims{TenantID: tenantA, AppID: botApp},
			teamsops.Principal{TenantID: tenantA, AppID: botApp}},
		{"delegated", Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read", "Chat.ReadBasic"}},
			teamsops.Principal{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read", "Chat.ReadBasic"}}},
		{"delegated without scopes", Claims{TenantID: tenantA, UserID: userA},
			teamsops.Principal{TenantID: tenantA, UserID: userA}},
		// Valid here; authorization answers 403 for personal accounts.
		{"personal account", Claims{TenantID: teamsops.ConsumerTenantID, UserID: userA, Scopes: []string{"Chat.Read"}},
			teamsops.Principal{TenantID: teamsops.ConsumerTenantID, UserID: userA, Scopes: []string{"Chat.Read"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := iss.Issue(tc.claims, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Validate(context.Background(), tok)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("principal = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestValidateClaims signs tokens with the issuer's own key, so that only
// the claims decide.
func TestValidateClaims(t *testing.T) {
	now := time.Now()
	_, v := testSetup(t, now)
	priv, kid := privateKey(t)
	tests := []struct {
		name   string
		change func(c map[string]any)
		err    string // "" when the token is valid
	}{
		{"valid", func(map[string]any) {}, ""},
		{"aud with slash", func(c map[string]any) { c["aud"] = graphResource + "/" }, ""},
		{"aud app id", func(c map[string]any) { c["aud"] = graphAppID }, ""},
		{"aud list", func(c map[string]any) { c["aud"] = []string{"api://other", graphAppID} }, ""},
		{"wrong aud", func(c map[string]any) { c["aud"] = "https://management.azure.com" }, "Invalid audience."},
		{"no aud", func(c map[string]any) { delete(c, "aud") }, "Invalid audience."},
		{"wrong iss", func(c map[string]any) { c["iss"] = "https://login.microsoftonline.com/" + tenantA + "/v2.0" }, "Invalid issuer."},
		{"iss of another tenant", func(c map[string]any) { c["iss"] = publicURL + "/" + tenantB + "/v2.0" }, "Invalid issuer."},
		{"no iss", func(c map[string]any) { delete(c, "iss") }, "Invalid issuer."},
		{"no tid", func(c map[string]any) { delete(c, "tid") }, "tenant id (tid)"},
		{"tid not a GUID", func(c map[string]any) { c["tid"] = "contoso"; c["iss"] = publicURL + "/contoso/v2.0" }, "tenant id (tid)"},
		{"expired", func(c map[string]any) { c["exp"] = now.Add(-6 * time.Minute).Unix() }, "the token is expired."},
		{"expired within skew", func(c map[string]any) { c["exp"] = now.Add(-4 * time.Minute).Unix() }, ""},
		{"no exp", func(c map[string]any) { delete(c, "exp") }, "missing an Expiration Time"},
		{"nbf in the future", func(c map[string]any) { c["nbf"] = now.Add(6 * time.Minute).Unix() }, "not yet valid"},
		{"nbf within skew", func(c map[string]any) { c["nbf"] = now.Add(4 * time.Minute).Unix() }, ""},
		{"no nbf", func(c map[string]any) { delete(c, "nbf") }, ""},
		{"scp without oid", func(c map[string]any) { c["scp"] = "Chat.Read"; delete(c, "oid") }, "(oid)"},
		{"tid wrong type", func(c map[string]any) { c["tid"] = 42 }, "IDX14101"},
		{"roles wrong type", func(c map[string]any) { c["roles"] = "Chat.Read.All" }, "IDX14101"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := appClaims(now)
			tc.change(c)
			_, err := v.Validate(context.Background(), signClaims(t, priv, kid, jose.RS256, c))
			if tc.err == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			wantUnauthorized(t, err, tc.err)
		})
	}
}

// TestValidateRefusesForgeries covers tokens whose form, algorithm or
// signature is wrong.
func TestValidateRefusesForgeries(t *testing.T) {
	now := time.Now()
	iss, v := testSetup(t, now)
	priv, kid := privateKey(t)
	valid, err := iss.Issue(Claims{TenantID: tenantA, AppID: botApp}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	pkix, _ := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix})
	claims := appClaims(now)
	claims["roles"] = []string{"Chat.ReadWrite.All"}
	tamperedPayload := parts[0] + "." + b64([]byte(jsonString(claims))) + "." + parts[2]
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sig[10] ^= 1
	tamperedSig := parts[0] + "." + parts[1] + "." + b64(sig)
	hs := func(secret []byte) string {
		return forge(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}, appClaims(now), secret)
	}
	tests := []struct{ name, token, err string }{
		{"empty", "", "Access token is empty."},
		{"no dots", "abc", "IDX14100"},
		{"two segments", parts[0] + "." + parts[1], "IDX12741"},
		{"five segments", valid + ".a.b", "IDX12741"},
		{"JSON serialization", `{"payload":"` + parts[1] + `"}`, "IDX14100"},
		{"line break in signature", parts[0] + "." + parts[1] + "." + parts[2][:10] + "\n" + parts[2][10:], "IDX14102"},
		{"padding", valid + "==", "IDX14102"},
		{"bad header", "e30x." + parts[1] + "." + parts[2], "IDX14102"},
		{"tampered payload", tamperedPayload, "Signature validation failed."},
		{"tampered signature", tamperedSig, "Signature validation failed."},
		{"no signature", parts[0] + "." + parts[1] + ".", "Signature validation failed."},
		{"alg none", forge(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid}, appClaims(now), nil), "algorithm is not allowed"},
		{"HS256 with public key PEM", hs(pubPEM), "algorithm is not allowed"},
		{"HS256 with public key DER", hs(pkix), "algorithm is not allowed"},
		{"RS512", signClaims(t, priv, kid, jose.RS512, appClaims(now)), "algorithm is not allowed"},
		{"PS256", signClaims(t, priv, kid, jose.PS256, appClaims(now)), "algorithm is not allowed"},
		{"unknown kid", signClaims(t, priv, "other-kid", jose.RS256, appClaims(now)), "No key matches"},
		{"no kid", signClaims(t, priv, "", jose.RS256, appClaims(now)), "has no kid"},
		{"too large", strings.Repeat("a", maxTokenSize+1), "IDX10209"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Validate(context.Background(), tc.token)
			wantUnauthorized(t, err, tc.err)
		})
	}
	// The last character of a segment may have spare bits: a variant
	// decodes to the same bytes, and must be refused all the same.
	for i := range parts {
		for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" {
			p := slices.Clone(parts)
			if p[i] = p[i][:len(p[i])-1] + string(c); p[i] == parts[i] {
				continue
			}
			if _, err := v.Validate(context.Background(), strings.Join(p, ".")); err == nil {
				t.Errorf("a token with the last character of segment %d changed to %q validates", i, c)
			}
		}
	}
}

func TestValidateCache(t *testing.T) {
	now := time.Now()
	iss, v := testSetup(t, now)
	tok, err := iss.Issue(Claims{TenantID: tenantA, AppID: consoleID, Roles: []string{"Chat.Read.All"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 5 {
		p, err := v.Validate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		p.Roles[0] = "Chat.ReadWrite.All" // a caller's change must not reach the cache
	}
	if n := v.verifications.Load(); n != 1 {
		t.Errorf("5 validations verified the signature %d times, want 1", n)
	}
	if p, _ := v.Validate(ctx, tok); p.Roles[0] != "Chat.Read.All" {
		t.Errorf("cached roles = %v", p.Roles)
	}
	// A hit is still checked against the clock.
	v.Now = func() time.Time { return now.Add(time.Hour + clockSkew + time.Second) }
	_, err = v.Validate(ctx, tok)
	wantUnauthorized(t, err, "the token is expired.")
	if n := v.verifications.Load(); n != 1 {
		t.Errorf("an expired cached token was verified again (%d verifications)", n)
	}
}

func TestValidateCacheIsBounded(t *testing.T) {
	now := time.Now()
	iss, v := testSetup(t, now)
	v.cache = newTokenCache(10)
	for range 25 {
		tok, err := iss.Issue(Claims{TenantID: tenantA, AppID: consoleID}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Validate(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.cache.len(); n > 10 {
		t.Errorf("cache holds %d tokens, want at most 10", n)
	}
}

func TestTokenCacheEvictsExpiredFirst(t *testing.T) {
	now := time.Now()
	c := newTokenCache(4)
	key := func(i byte) (k [32]byte) { k[0] = i; return k }
	fresh := cacheEntry{exp: now.Add(time.Hour)}
	stale := cacheEntry{exp: now.Add(-time.Hour)}
	c.put(key(1), fresh, now) // oldest, but not expired
	c.put(key(2), stale, now)
	c.put(key(3), fresh, now)
	c.put(key(4), stale, now)
	c.put(key(5), fresh, now)
	for i, want := range map[byte]bool{1: true, 2: false, 3: true, 4: false, 5: true} {
		if _, ok := c.get(key(i)); ok != want {
			t.Errorf("entry %d cached = %v, want %v", i, ok, want)
		}
	}
	// Full of fresh entries: the oldest goes.
	c.put(key(6), fresh, now)
	c.put(key(7), fresh, now)
	if _, ok := c.get(key(1)); ok {
		t.Error("the oldest entry survived a full cache")
	}
	if _, ok := c.get(key(7)); !ok {
		t.Error("the newest entry is missing")
	}
}
