package identity

import (
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

func TestValidationToken(t *testing.T) {
	iss, err := NewIssuer(t.Context(), &memKeys{}, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	const tenant, app = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f", "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	tok, err := iss.IssueValidationToken(tenant, app)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	other, err := NewIssuer(t.Context(), &memKeys{}, publicURL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		keys      jose.JSONWebKeySet
		issuer    string
		audiences []string
		now       time.Time
		ok        bool
	}{
		{"valid", iss.JWKS(), iss.IssuerURL(tenant), []string{"other", app}, now, true},
		{"another issuer's keys", other.JWKS(), iss.IssuerURL(tenant), []string{app}, now, false},
		{"another tenant", iss.JWKS(), iss.IssuerURL("0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d"), []string{app}, now, false},
		{"another app", iss.JWKS(), iss.IssuerURL(tenant), []string{"someone-else"}, now, false},
		{"expired", iss.JWKS(), iss.IssuerURL(tenant), []string{app}, now.Add(ValidationTokenTTL + time.Hour), false},
	}
	for _, tt := range tests {
		err := VerifyValidationToken(tok, tt.keys, tt.issuer, tt.audiences, tt.now)
		if (err == nil) != tt.ok {
			t.Errorf("%s: VerifyValidationToken = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// TestValidationTokenIsNoAccessToken proves that a validation token never
// passes as an access token: the issuer refuses Graph's audiences, and the
// validator refuses a token of the validation token's shape even when it
// carries one.
func TestValidationTokenIsNoAccessToken(t *testing.T) {
	now := time.Now()
	iss, v := testSetup(t, now)
	for _, aud := range []string{graphAppID, graphResource, graphResource + "/", "HTTPS://graph.microsoft.com"} {
		if _, err := iss.IssueValidationToken(tenantA, aud); err == nil {
			t.Errorf("IssueValidationToken(%q) signed a token", aud)
		}
	}
	sign := func(c validationToken) string {
		tok, err := jwt.Signed(iss.signer).Claims(c).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	base := validationToken{Aud: graphAppID, Iss: iss.IssuerURL(tenantA), Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(time.Hour).Unix(), AppID: NotificationPublisherAppID, Azp: NotificationPublisherAppID,
		AppIDAcr: "2", Tid: tenantA, Uti: "x", Ver: "1.0"}
	otherApp := base
	otherApp.AppID, otherApp.Azp = consoleID, consoleID // the shape alone: v1.0, no oid, no sub
	for name, tok := range map[string]string{"publisher": sign(base), "shape": sign(otherApp)} {
		_, err := v.Validate(t.Context(), tok)
		if teamsops.ErrorCode(err) != teamsops.EUNAUTHORIZED {
			t.Errorf("%s: Validate = %v, want unauthorized", name, err)
		}
	}
}
