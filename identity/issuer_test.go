package identity

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func TestNewIssuerGeneratesOneSharedKey(t *testing.T) {
	ctx := context.Background()
	keys := &memKeys{}
	// Processes starting together must end up signing with the same key.
	issuers := make([]*Issuer, 3)
	var wg sync.WaitGroup
	for i := range issuers {
		wg.Go(func() {
			iss, err := NewIssuer(ctx, keys, publicURL+"/")
			if err != nil {
				t.Error(err)
				return
			}
			issuers[i] = iss
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if len(keys.keys) != 1 {
		t.Fatalf("store holds %d keys, want 1", len(keys.keys))
	}
	stored := keys.keys[0]
	if block, _ := pem.Decode(stored.PEM); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("stored key is not PKCS#8 PEM: %.40q", stored.PEM)
	}
	for _, iss := range issuers {
		jwks := iss.JWKS()
		if len(jwks.Keys) != 1 || jwks.Keys[0].KeyID != stored.ID {
			t.Errorf("JWKS = %+v, want the stored key %q", jwks.Keys, stored.ID)
		}
	}
	// A restart loads the stored key.
	again, err := NewIssuer(ctx, keys, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.JWKS().Keys[0].KeyID; got != stored.ID || len(keys.keys) != 1 {
		t.Errorf("restart uses key %q, want %q", got, stored.ID)
	}
}

func TestNewIssuerRejectsBadKey(t *testing.T) {
	for name, k := range map[string]*teamsops.SigningKey{
		"no id":  {PEM: testKeys(t).keys[0].PEM},
		"no PEM": {ID: "k", PEM: []byte("garbage")},
		"PKCS#1": {ID: "k", PEM: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1}})},
	} {
		if _, err := NewIssuer(context.Background(), &memKeys{keys: []*teamsops.SigningKey{k}}, publicURL); err == nil {
			t.Errorf("%s: NewIssuer succeeded", name)
		}
	}
}

func TestNewIssuerRejectsBadPublicURL(t *testing.T) {
	for _, u := range []string{"", "127.0.0.1:8080", "/relative", "ftp://host"} {
		if _, err := NewIssuer(context.Background(), testKeys(t), u); err == nil {
			t.Errorf("NewIssuer(%q) succeeded", u)
		}
	}
}

func TestJWKSHasPublicKeysOnly(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	b, err := json.Marshal(iss.JWKS())
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	k := set.Keys[0]
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := k[private]; ok {
			t.Errorf("JWKS key has private member %q", private)
		}
	}
	if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" || k["kid"] != sharedKey.ID || k["n"] == nil || k["e"] != "AQAB" {
		t.Errorf("JWKS key = %v", k)
	}
}

func TestIssueClaims(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	iss, _ := testSetup(t, now)
	tests := []struct {
		name   string
		claims Claims
		want   map[string]any // claims the token must carry
		absent []string       // claims it must not carry
	}{
		{"application", Claims{TenantID: tenantA, AppID: consoleID, Roles: []string{"Chat.Read.All", "Team.ReadBasic.All"}},
			map[string]any{"appid": consoleID, "azp": consoleID, "idtyp": "app",
				"roles": []any{"Chat.Read.All", "Team.ReadBasic.All"}},
			[]string{"scp"}},
		{"application without roles", Claims{TenantID: tenantA, AppID: botApp},
			map[string]any{"appid": botApp, "idtyp": "app"}, []string{"scp", "roles"}},
		{"delegated", Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"Chat.Read", "Chat.ReadBasic"}},
			map[string]any{"oid": userA, "sub": userA, "appid": botApp, "azp": botApp, "scp": "Chat.Read Chat.ReadBasic", "idtyp": "user"},
			[]string{"roles", "upn", "name"}},
		{"delegated without app", Claims{TenantID: tenantA, UserID: userA, Scopes: []string{"Chat.Read"}},
			map[string]any{"oid": userA, "scp": "Chat.Read", "idtyp": "user"}, []string{"appid", "azp"}},
		{"delegated, signed in", Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"User.Read"},
			UserPrincipalName: "ana@contoso.example", Name: "Ana"},
			map[string]any{"upn": "ana@contoso.example", "name": "Ana", "idtyp": "user"}, nil},
		{"delegated, for an API", Claims{TenantID: tenantA, UserID: userA, AppID: botApp, Scopes: []string{"access_as_user"},
			Audience: consoleID}, map[string]any{"scp": "access_as_user"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := iss.Issue(tc.claims, 30*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			got := payloadOf(t, tok)
			aud := graphResource
			if tc.claims.Audience != "" {
				aud = tc.claims.Audience
			}
			common := map[string]any{
				"aud": aud, "iss": publicURL + "/" + tenantA + "/v2.0", "tid": tenantA, "ver": "2.0",
				"iat": float64(now.Unix()), "nbf": float64(now.Unix()), "exp": float64(now.Add(30 * time.Minute).Unix()),
			}
			for k, want := range tc.want {
				common[k] = want
			}
			for k, want := range common {
				if b1, b2 := jsonString(got[k]), jsonString(want); b1 != b2 {
					t.Errorf("claim %s = %s, want %s", k, b1, b2)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("claim %s present: %v", k, got[k])
				}
			}
			if got["sub"] != got["oid"] || !IsGUID(got["oid"].(string)) || got["uti"] == "" || got["jti"] == "" {
				t.Errorf("oid/sub/uti/jti = %v/%v/%v/%v", got["oid"], got["sub"], got["uti"], got["jti"])
			}
			hdr, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
			var h map[string]string
			json.Unmarshal(hdr, &h)
			if h["alg"] != "RS256" || h["typ"] != "JWT" || h["kid"] != sharedKey.ID {
				t.Errorf("header = %v", h)
			}
		})
	}
}

func TestIssueAppObjectIDIsStable(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	oid := func(tenant, app string) any {
		tok, err := iss.Issue(Claims{TenantID: tenant, AppID: app}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return payloadOf(t, tok)["oid"]
	}
	if a, b := oid(tenantA, consoleID), oid(tenantA, consoleID); a != b {
		t.Errorf("oid differs between tokens of one app: %v %v", a, b)
	}
	if oid(tenantA, consoleID) == oid(tenantA, botApp) || oid(tenantA, consoleID) == oid(tenantB, consoleID) {
		t.Error("different apps or tenants share an oid")
	}
}

func TestIssueRejectsBadClaims(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	for name, tc := range map[string]struct {
		c   Claims
		ttl time.Duration
	}{
		"tenant not a GUID":    {Claims{TenantID: "contoso", AppID: consoleID}, time.Hour},
		"neither user nor app": {Claims{TenantID: tenantA}, time.Hour},
		"scopes without user":  {Claims{TenantID: tenantA, AppID: consoleID, Scopes: []string{"Chat.Read"}}, time.Hour},
		"scope with a space":   {Claims{TenantID: tenantA, UserID: userA, Scopes: []string{"Chat.Read Chat.ReadWrite"}}, time.Hour},
		"zero lifetime":        {Claims{TenantID: tenantA, AppID: consoleID}, 0},
	} {
		if _, err := iss.Issue(tc.c, tc.ttl); teamsops.ErrorCode(err) != teamsops.EINVALID {
			t.Errorf("%s: error = %v, want EINVALID", name, err)
		}
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
