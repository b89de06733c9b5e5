package identity

import (
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
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
