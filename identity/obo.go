package identity

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/teamsops/teamsops"
)

// userAssertionClaims are what the on-behalf-of flow reads of the user's
// token it is given.
type userAssertionClaims struct {
	tokenClaims
}

// userAssertion checks the token an API app received from its caller and
// now exchanges on the user's behalf: a delegated token of this issuer,
// within its lifetime, of this tenant, for this API (its client id or one
// of its identifier URIs). Refusals are Entra's AADSTS50013.
func (e *endpoints) userAssertion(t *teamsops.Tenant, api *teamsops.AppRegistration, raw string) (*userAssertionClaims, *oauthError) {
	invalid := func(msg string) *oauthError { return badRequest("invalid_grant", 50013, msg) }
	sig, err := parseToken(raw)
	if err != nil {
		return nil, invalid("Assertion failed signature validation. [Reason - The assertion is not a JWT signed with RS256.]")
	}
	key, ok := e.iss.keys[sig.Signatures[0].Header.KeyID]
	if !ok {
		return nil, invalid("Assertion failed signature validation. [Reason - The key was not found.]")
	}
	payload, err := sig.Verify(key)
	if err != nil {
		return nil, invalid("Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]")
	}
	var c userAssertionClaims
	if err := json.Unmarshal(payload, &c); err != nil || c.Exp == nil {
		return nil, invalid("Assertion failed signature validation. [Reason - The claims cannot be read.]")
	}
	var nbf time.Time
	if c.Nbf != nil {
		nbf = c.Nbf.Time()
	}
	if checkLifetime(c.Exp.Time(), nbf, e.iss.Now()) != nil {
		return nil, badRequest("invalid_grant", 500133, "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.")
	}
	if c.Tid != t.ID || c.Iss != e.iss.IssuerURL(t.ID) {
		return nil, invalid("Assertion failed signature validation. [Reason - The assertion was issued for another tenant.]")
	}
	audiences := append([]string{api.ClientID}, api.IdentifierURIs...)
	if !slices.ContainsFunc(c.Aud, func(a string) bool { return slices.Contains(audiences, a) }) {
		return nil, invalid("Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was not expected. The on-behalf-of flow exchanges a token issued for the calling API.")
	}
	if c.Scp == nil || c.Oid == "" {
		return nil, invalid("Assertion contains no user: the on-behalf-of flow exchanges a delegated token; an application token cannot be exchanged.")
	}
	return &c, nil
}
