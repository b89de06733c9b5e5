package identity

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

const (
	// clockSkew is the default ClockSkew of Microsoft's token validation
	// libraries (Microsoft.IdentityModel TokenValidationParameters).
	clockSkew = 5 * time.Minute
	// maxTokenSize is the same libraries' default MaximumTokenSizeInBytes.
	maxTokenSize = 256000
	// defaultCacheSize bounds the cache of validated tokens.
	defaultCacheSize = 10000
)

// graphAudiences are the audiences of a token for Microsoft Graph: its
// application ID URI, with or without the trailing slash, and its app id.
var graphAudiences = []string{graphResource, graphResource + "/", graphAppID}

// Validator checks access tokens presented to teamsops and turns them into
// principals. It trusts the local Issuer's keys and those of any trusted
// external issuers. It is safe for concurrent use.
type Validator struct {
	// Now is the validator's clock; time.Now unless a test replaces it.
	Now func() time.Time

	local   *Issuer
	trusted []*trustedSource
	cache   *tokenCache // nil disables caching

	verifications atomic.Int64 // RSA signature checks made, for tests
}

// NewValidator returns a validator for tokens of iss (which may be nil when
// only external issuers are trusted) and of the trusted issuers. JWKS files
// are read and JWKS URLs fetched now; an unreadable source is an error.
func NewValidator(ctx context.Context, iss *Issuer, trusted ...TrustedIssuer) (*Validator, error) {
	v := &Validator{Now: time.Now, local: iss, cache: newTokenCache(defaultCacheSize)}
	for _, t := range trusted {
		src, err := newTrustedSource(ctx, t, time.Now())
		if err != nil {
			return nil, err
		}
		v.trusted = append(v.trusted, src)
	}
	return v, nil
}

// tokenClaims are the claims the validator reads ("Access token claims
// reference"). scp is a pointer: its presence marks a delegated token.
type tokenClaims struct {
	Iss   string           `json:"iss"`
	Aud   jwt.Audience     `json:"aud"`
	Exp   *jwt.NumericDate `json:"exp"`
	Nbf   *jwt.NumericDate `json:"nbf"`
	Tid   string           `json:"tid"`
	Oid   string           `json:"oid"`
	Sub   string           `json:"sub"`
	Ver   string           `json:"ver"`
	AppID string           `json:"appid"`
	Azp   string           `json:"azp"`
	Scp   *string          `json:"scp"`
	Roles []string         `json:"roles"`
}

// Validate checks rawToken (the credentials of "Authorization: Bearer")
// and returns its principal. Every failure is an *teamsops.Error with code
// EUNAUTHORIZED and a message in the style of Graph's
// InvalidAuthenticationToken errors. A personal Microsoft account's token
// is valid here; authorization refuses it.
func (v *Validator) Validate(ctx context.Context, rawToken string) (teamsops.Principal, error) {
	if rawToken == "" {
		return teamsops.Principal{}, unauthorized("Access token is empty.")
	}
	now := v.Now()
	var key [sha256.Size]byte
	if v.cache != nil {
		key = sha256.Sum256([]byte(rawToken))
		if e, ok := v.cache.get(key); ok {
			if err := checkLifetime(e.exp, e.nbf, now); err != nil {
				return teamsops.Principal{}, err
			}
			return clonePrincipal(e.principal), nil
		}
	}
	c, err := v.verify(ctx, rawToken, now)
	if err != nil {
		return teamsops.Principal{}, err
	}
	p, err := principal(c)
	if err != nil {
		return teamsops.Principal{}, err
	}
	if v.cache != nil {
		e := cacheEntry{principal: p, exp: c.Exp.Time()}
		if c.Nbf != nil {
			e.nbf = c.Nbf.Time()
		}
		v.cache.put(key, e, now)
	}
	return clonePrincipal(p), nil
}

// verify parses rawToken, checks its signature and its claims except the
// ones principal checks, and returns the claims.
func (v *Validator) verify(ctx context.Context, rawToken string, now time.Time) (*tokenClaims, error) {
	sig, err := parseToken(rawToken)
	if err != nil {
		return nil, err
	}
	kid := sig.Signatures[0].Header.KeyID
	if kid == "" {
		return nil, unauthorized("IDX10503: Signature validation failed. The token has no kid.")
	}
	keys := v.keysFor(ctx, kid, now)
	if len(keys) == 0 {
		return nil, unauthorized("IDX10503: Signature validation failed. No key matches the token's kid.")
	}
	for _, k := range keys {
		v.verifications.Add(1)
		payload, err := sig.Verify(k.key)
		if err != nil {
			continue
		}
		var c tokenClaims
		if err := json.Unmarshal(payload, &c); err != nil {
			return nil, unauthorized("IDX14101: Unable to decode the payload of the token as JSON claims.")
		}
		if err := checkClaims(&c, k.issuer, now); err != nil {
			return nil, err
		}
		return &c, nil
	}
	return nil, unauthorized("Signature validation failed.")
}

// parseToken checks that rawToken is a JWS in compact serialization signed
// with RS256, the only algorithm Entra signs access tokens with. Refusing
// every other alg here rules out "none" and HMAC key-confusion tokens.
func parseToken(rawToken string) (*jose.JSONWebSignature, error) {
	if len(rawToken) > maxTokenSize {
		return nil, unauthorized("IDX10209: Token has length: %d which is larger than the MaximumTokenSizeInBytes: %d.", len(rawToken), maxTokenSize)
	}
	if !strings.Contains(rawToken, ".") {
		return nil, unauthorized("IDX14100: JWT is not well formed, there are no dots (.). The token needs to be in JWS or JWE Compact Serialization Format.")
	}
	parts := strings.Split(rawToken, ".")
	if len(parts) != 3 {
		return nil, unauthorized("IDX12741: JWT must have three segments (JWS) or five segments (JWE).")
	}
	// Only the base64url alphabet, in canonical form. Decoders skip line
	// breaks and spare bits, and go-jose checks the signature over the
	// decoded segments, so a variant spelling would carry the signature of
	// the token it was made from.
	for _, p := range parts {
		if strings.IndexFunc(p, notBase64URL) >= 0 {
			return nil, unauthorized("IDX14102: Unable to decode the token: it is not Base64Url encoded.")
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(p); err != nil {
			return nil, unauthorized("IDX14102: Unable to decode the token: it is not canonical Base64Url.")
		}
	}
	sig, err := jose.ParseSignedCompact(rawToken, []jose.SignatureAlgorithm{jose.RS256})
	var algErr *jose.ErrUnexpectedSignatureAlgorithm
	if errors.As(err, &algErr) {
		return nil, unauthorized("IDX10511: Signature validation failed. The token's algorithm is not allowed; tokens must be signed with RS256.")
	} else if err != nil {
		return nil, unauthorized("IDX14102: Unable to decode the header of the token as a JWS header.")
	}
	return sig, nil
}

func notBase64URL(r rune) bool {
	return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '_')
}

// verifyKey is a key that may have signed a token, and the issuer the
// token must then name ("{tenantid}" stands for its tid).
type verifyKey struct {
	key    *rsa.PublicKey
	issuer string
}

// keysFor returns the keys named kid. When no source knows kid, sources
// with a JWKS URL fetch their keys again, as the issuer may have rotated.
func (v *Validator) keysFor(ctx context.Context, kid string, now time.Time) []verifyKey {
	var keys []verifyKey
	if v.local != nil {
		if k, ok := v.local.keys[kid]; ok {
			keys = append(keys, verifyKey{k, v.local.IssuerURL(tenantPlaceholder)})
		}
	}
	for _, s := range v.trusted {
		if k := s.key(kid); k != nil {
			keys = append(keys, verifyKey{k, s.cfg.Issuer})
		}
	}
	if len(keys) > 0 {
		return keys
	}
	for _, s := range v.trusted {
		if k := s.refresh(ctx, kid, now); k != nil {
			keys = append(keys, verifyKey{k, s.cfg.Issuer})
		}
	}
	return keys
}

// checkClaims checks a signed token's lifetime, audience, tenant and
// issuer, in the order of Microsoft.IdentityModel's validation.
func checkClaims(c *tokenClaims, issuer string, now time.Time) error {
	if c.Exp == nil {
		return unauthorized("IDX10225: Lifetime validation failed. The token is missing an Expiration Time.")
	}
	var nbf time.Time
	if c.Nbf != nil {
		nbf = c.Nbf.Time()
	}
	if err := checkLifetime(c.Exp.Time(), nbf, now); err != nil {
		return err
	}
	if !slices.ContainsFunc(c.Aud, func(a string) bool { return slices.Contains(graphAudiences, a) }) {
		return unauthorized("Access token validation failure. Invalid audience.")
	}
	if !IsGUID(c.Tid) {
		return unauthorized("Access token validation failure. The token has no valid tenant id (tid).")
	}
	if c.Iss == "" || c.Iss != strings.ReplaceAll(issuer, tenantPlaceholder, c.Tid) {
		return unauthorized("Access token validation failure. Invalid issuer.")
	}
	if validationShaped(c) {
		return unauthorized("Access token validation failure. The token is a change notification's validation token, not an access token.")
	}
	return nil
}

// validationShaped reports whether c are the claims of a rich
// notification's validation token (notification.go) rather than of an
// access token: the notification publisher's app id, or version 1.0
// claims naming no object (oid) and no subject (sub), which every access
// token carries. The issuer never gives a validation token Graph's
// audience; this refuses one that has it anyway.
func validationShaped(c *tokenClaims) bool {
	if c.AppID == NotificationPublisherAppID || c.Azp == NotificationPublisherAppID {
		return true
	}
	return c.Ver == "1.0" && c.Oid == "" && c.Sub == ""
}

// checkLifetime checks exp and, unless zero, nbf against now.
func checkLifetime(exp, nbf, now time.Time) error {
	if now.After(exp.Add(clockSkew)) {
		return unauthorized("Lifetime validation failed, the token is expired.")
	}
	if !nbf.IsZero() && nbf.After(now.Add(clockSkew)) {
		return unauthorized("Lifetime validation failed, the token is not yet valid.")
	}
	return nil
}

// principal maps validated claims to the caller. A token with scp is
// delegated and names its user in oid; any other is an application token
// ("Access token claims reference": idtyp, oid, scp, roles).
func principal(c *tokenClaims) (teamsops.Principal, error) {
	p := teamsops.Principal{TenantID: strings.ToLower(c.Tid), AppID: c.AppID, Roles: c.Roles}
	if p.AppID == "" {
		p.AppID = c.Azp
	}
	if c.Scp != nil {
		if c.Oid == "" {
			return teamsops.Principal{}, unauthorized("Access token validation failure. A delegated token must name its user (oid).")
		}
		p.UserID = c.Oid
		if scopes := strings.Fields(*c.Scp); len(scopes) > 0 {
			p.Scopes = scopes
		}
	}
	return p, nil
}

func clonePrincipal(p teamsops.Principal) teamsops.Principal {
	p.Scopes = slices.Clone(p.Scopes)
	p.Roles = slices.Clone(p.Roles)
	return p
}

// unauthorized returns the error for a refused token; the HTTP edge answers
// 401 with Graph's code InvalidAuthenticationToken.
func unauthorized(format string, args ...any) error {
	return teamsops.Errorf(teamsops.EUNAUTHORIZED, format, args...)
}
