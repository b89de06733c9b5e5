package identity

import (
	"context"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

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
