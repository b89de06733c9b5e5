package identity

import (
	"context"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

// clientAssertionType is the only client_assertion_type Entra accepts.
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionHeader is what a client assertion's JOSE header says of its
// key: the certificate's SHA-1 thumbprint (x5t), as MSAL and the Azure SDKs
// send it, or its SHA-256 thumbprint (x5t#S256), as newer MSALs do
// ("Microsoft identity platform application authentication certificate
// credentials": "Header").
type assertionHeader struct {
	Alg     string `json:"alg"`
	X5t     string `json:"x5t"`
	X5tS256 string `json:"x5t#S256"`
}

// assertionClaims are the claims Entra checks in a client assertion
// (same page, "Claims (payload)").
type assertionClaims struct {
	Aud jwt.Audience     `json:"aud"`
	Iss string           `json:"iss"`
	Sub string           `json:"sub"`
	Jti string           `json:"jti"`
	Exp *jwt.NumericDate `json:"exp"`
	Nbf *jwt.NumericDate `json:"nbf"`
}

// assertionSubject returns the sub claim of an assertion, unverified, for
// a request that names its client only there.
func assertionSubject(assertion string) string {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Sub string `json:"sub"`
	}
	json.Unmarshal(b, &c)
	return c.Sub
}

// checkAssertion authenticates app by a client assertion: a JWT signed
// with RS256 or PS256 by the key of one of the app's certificates, for
// this tenant's token endpoint, issued by and about the app, within its
// lifetime, and never used before.
func (e *endpoints) checkAssertion(ctx context.Context, t *teamsops.Tenant, app *teamsops.AppRegistration, form *tokenForm, pathTenant string) *oauthError {
	invalid := func(aadsts int, msg string) *oauthError {
		return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: aadsts, msg: msg}
	}
	if form.assertionType != clientAssertionType {
		return badRequest("invalid_request", 50027, fmt.Sprintf("The client_assertion_type '%s' is not supported; use '%s'.", form.assertionType, clientAssertionType))
	}
	if form.assertion == "" {
		return missingParameter("client_assertion")
	}
	if len(form.assertion) > maxTokenSize {
		return badRequest("invalid_request", 50027, "The client assertion is too large.")
	}
	jws, err := jose.ParseSignedCompact(form.assertion, []jose.SignatureAlgorithm{jose.RS256, jose.PS256})
	if err != nil {
		return badRequest("invalid_request", 50027, "Invalid JWT token. The client assertion is not a JWT signed with RS256 or PS256.")
	}
	var h assertionHeader
	if b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(form.assertion, ".", 2)[0]); err != nil || json.Unmarshal(b, &h) != nil {
		return badRequest("invalid_request", 50027, "Invalid JWT token. The client assertion's header cannot be read.")
	}
	key, thumb := certificateKey(app, h)
	if key == nil {
		return invalid(700027, fmt.Sprintf("Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '%s'. Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '%s'.]", thumb, app.ClientID))
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return invalid(700027, "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value.]")
	}
	var c assertionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return badRequest("invalid_request", 50027, "Invalid JWT token. The client assertion's claims cannot be read.")
	}
	if c.Iss != app.ClientID || c.Sub != app.ClientID {
		return invalid(700021, "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	if !slices.ContainsFunc(c.Aud, func(a string) bool { return slices.Contains(e.assertionAudiences(t, pathTenant), a) }) {
		return invalid(700212, "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .")
	}
	now := e.iss.Now()
	if c.Exp == nil || now.After(c.Exp.Time().Add(clockSkew)) || (c.Nbf != nil && c.Nbf.Time().After(now.Add(clockSkew))) {
		return invalid(700024, "Client assertion is not within its valid time range.")
	}
	if c.Jti == "" {
		return invalid(700027, "Client assertion failed signature validation. [Reason - The assertion has no jti claim.]")
	}
	// A jti is single use until the assertion expires; key it by the
	// client so that two apps' ids never collide.
	sum := sha256.Sum256([]byte(app.ClientID + "\x00" + c.Jti))
	err = e.dir.AddSignInGrant(ctx, &teamsops.SignInGrant{TenantID: t.ID, Kind: teamsops.GrantAssertionID,
		Key: base64.RawURLEncoding.EncodeToString(sum[:]), ExpiresAt: c.Exp.Time().Add(clockSkew)})
	if teamsops.ErrorCode(err) == teamsops.ECONFLICT {
		return invalid(700027, "Client assertion failed signature validation. [Reason - The assertion's jti was used before; an assertion is single use.]")
	} else if err != nil {
		return serverError(err)
	}
	return nil
}

// assertionAudiences are the audiences a client assertion may name: the
// token endpoint it is sent to, by the path's tenant or by tenant id, and
// Entra's v1 token endpoint and v2 issuer, which older libraries use.
func (e *endpoints) assertionAudiences(t *teamsops.Tenant, pathTenant string) []string {
	base := e.iss.publicURL
	return []string{
		base + "/" + pathTenant + "/oauth2/v2.0/token",
		base + "/" + t.ID + "/oauth2/v2.0/token",
		base + "/" + t.ID + "/oauth2/token",
		e.iss.IssuerURL(t.ID),
	}
}

// certificateKey returns the public key of app's certificate whose
// thumbprint the header names, and the thumbprint as sent.
func certificateKey(app *teamsops.AppRegistration, h assertionHeader) (*rsa.PublicKey, string) {
	thumb := h.X5tS256
	if thumb == "" {
		thumb = h.X5t
	}
	for _, p := range app.Certificates {
		block, _ := pem.Decode([]byte(p))
		if block == nil {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		key, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			continue
		}
		s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
		if (h.X5t != "" && string(decodeThumbprint(h.X5t)) == string(s1[:])) ||
			(h.X5tS256 != "" && string(decodeThumbprint(h.X5tS256)) == string(s256[:])) {
			return key, thumb
		}
	}
	return nil, thumb
}

// decodeThumbprint decodes an x5t value. RFC 7515 says base64url, but
// some libraries send standard base64 (MSAL for Go among them), which
// Entra accepts too.
func decodeThumbprint(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
