package identity

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

// Microsoft Graph's identifiers as a token's audience: its application ID
// URI (with and without the trailing slash) and its application id.
const (
	graphResource = "https://graph.microsoft.com"
	graphAppID    = "00000003-0000-0000-c000-000000000000"
)

// DefaultTokenTTL is the lifetime of tokens from the token endpoint:
// Entra's default access token lifetime is 60-90 minutes; its client
// credentials responses show expires_in 3599.
const DefaultTokenTTL = time.Hour

// Issuer is teamsops' own token issuer: one RSA signing key shared by
// every process on the same store, and Entra's issuer URL per tenant.
type Issuer struct {
	// TokenTTL is the lifetime of tokens the token endpoint issues.
	TokenTTL time.Duration
	// Now is the issuer's clock; time.Now unless a test replaces it.
	Now func() time.Time

	publicURL string
	signer    jose.Signer
	keys      map[string]*rsa.PublicKey // every stored key, by kid
	jwks      jose.JSONWebKeySet
}

// Claims is what an access token says about its caller. A delegated token
// has a UserID (and Scopes); an application token has none.
type Claims struct {
	TenantID string
	UserID   string
	AppID    string
	Scopes   []string
	Roles    []string
	// Audience is the API the token is for: "" is Microsoft Graph; an
	// app registration's client id is that app's exposed API.
	Audience string
	// UserPrincipalName and Name describe a delegated token's user, as
	// Entra's upn and name claims do.
	UserPrincipalName string
	Name              string
}

// NewIssuer loads the newest signing key from keys, or generates an
// RSA-2048 key and stores it, and returns an issuer whose URLs start with
// publicURL (the server's public base URL, e.g. "http://127.0.0.1:8080").
func NewIssuer(ctx context.Context, keys KeyStore, publicURL string) (*Issuer, error) {
	if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("issuer: public URL %q is not an absolute http(s) URL", publicURL)
	}
	stored, err := keys.SigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("load signing keys: %w", err)
	}
	if len(stored) == 0 {
		k, err := newSigningKey(time.Now())
		if err != nil {
			return nil, err
		}
		// Another process may have stored its key first; use the one
		// the store returns so that all of them sign with the same key.
		k, err = keys.EnsureSigningKey(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("store signing key: %w", err)
		}
		stored = []*teamsops.SigningKey{k}
	}
	iss := &Issuer{
		TokenTTL:  DefaultTokenTTL,
		Now:       time.Now,
		publicURL: strings.TrimRight(publicURL, "/"),
		keys:      make(map[string]*rsa.PublicKey),
	}
	for i, sk := range stored {
		priv, err := parseSigningKey(sk)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			jwk := jose.JSONWebKey{Key: priv, KeyID: sk.ID, Algorithm: string(jose.RS256)}
			opts := (&jose.SignerOptions{}).WithType("JWT")
			iss.signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jwk}, opts)
			if err != nil {
				return nil, fmt.Errorf("signing key %q: %w", sk.ID, err)
			}
		}
		iss.keys[sk.ID] = &priv.PublicKey
		iss.jwks.Keys = append(iss.jwks.Keys, jose.JSONWebKey{
			Key: &priv.PublicKey, KeyID: sk.ID, Algorithm: string(jose.RS256), Use: "sig",
		})
	}
	return iss, nil
}

// newSigningKey generates an RSA-2048 key. Its kid is the key's RFC 7638
// thumbprint, so the id names the key and never collides by chance.
func newSigningKey(now time.Time) (*teamsops.SigningKey, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	tp, err := (&jose.JSONWebKey{Key: &priv.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing key thumbprint: %w", err)
	}
	return &teamsops.SigningKey{
		ID:        base64.RawURLEncoding.EncodeToString(tp),
		PEM:       pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		CreatedAt: now.UTC(),
	}, nil
}

func parseSigningKey(sk *teamsops.SigningKey) (*rsa.PrivateKey, error) {
	if sk == nil || sk.ID == "" {
		return nil, errors.New("signing key without an id")
	}
	block, _ := pem.Decode(sk.PEM)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("signing key %q: not a PKCS#8 PEM block", sk.ID)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("signing key %q: %w", sk.ID, err)
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("signing key %q: not an RSA key", sk.ID)
	}
	return priv, nil
}

// IssuerURL returns the issuer of a tenant's tokens, shaped as Entra's v2.0
// issuer "https://login.microsoftonline.com/{tenant}/v2.0".
func (iss *Issuer) IssuerURL(tenantID string) string {
	return iss.publicURL + "/" + tenantID + "/v2.0"
}

// JWKS returns the public halves of the issuer's keys, as served at
// /{tenant}/discovery/v2.0/keys.
func (iss *Issuer) JWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), iss.jwks.Keys...)}
}

// accessToken is the payload of an issued token, in the order and with the
// names of Entra's access tokens ("Access token claims reference").
type accessToken struct {
	Aud   string   `json:"aud"`
	Iss   string   `json:"iss"`
	Iat   int64    `json:"iat"`
	Nbf   int64    `json:"nbf"`
	Exp   int64    `json:"exp"`
	AppID string   `json:"appid,omitempty"`
	Azp   string   `json:"azp,omitempty"`
	Idtyp string   `json:"idtyp,omitempty"`
	Name  string   `json:"name,omitempty"`
	Oid   string   `json:"oid"`
	Roles []string `json:"roles,omitempty"`
	Scp   *string  `json:"scp,omitempty"`
	Sub   string   `json:"sub"`
	Tid   string   `json:"tid"`
	Upn   string   `json:"upn,omitempty"`
	Uti   string   `json:"uti"`
	Ver   string   `json:"ver"`
	Jti   string   `json:"jti"`
}

// Issue signs an RS256 access token for Microsoft Graph that is valid for
// ttl from now.
func (iss *Issuer) Issue(c Claims, ttl time.Duration) (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	if ttl <= 0 {
		return "", teamsops.Errorf(teamsops.EINVALID, "The token lifetime must be positive.")
	}
	now := iss.Now()
	var id [16]byte
	rand.Read(id[:])
	t := accessToken{
		Aud:   graphResource,
		Iss:   iss.IssuerURL(c.TenantID),
		Iat:   now.Unix(),
		Nbf:   now.Unix(),
		Exp:   now.Add(ttl).Unix(),
		AppID: c.AppID,
		Azp:   c.AppID,
		Roles: c.Roles,
		Tid:   c.TenantID,
		Uti:   base64.RawURLEncoding.EncodeToString(id[:]),
		Ver:   "2.0",
	}
	t.Jti = t.Uti
	if c.Audience != "" {
		t.Aud = c.Audience
	}
	if c.UserID != "" {
		scp := strings.Join(c.Scopes, " ")
		t.Oid, t.Scp = c.UserID, &scp
		// idtyp "user" is the optional claim Entra adds to user tokens.
		t.Idtyp, t.Upn, t.Name = "user", c.UserPrincipalName, c.Name
	} else {
		// An app token's oid is the app's service principal in the tenant,
		// and Entra marks it with the optional claim idtyp "app".
		t.Oid, t.Idtyp = ServicePrincipalID(c.TenantID, c.AppID), "app"
	}
	t.Sub = t.Oid
	tok, err := jwt.Signed(iss.signer).Claims(t).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return tok, nil
}

func (c Claims) check() error {
	switch {
	case !IsGUID(c.TenantID):
		return teamsops.Errorf(teamsops.EINVALID, "The tenant id '%s' is not a GUID.", c.TenantID)
	case c.UserID == "" && c.AppID == "":
		return teamsops.Errorf(teamsops.EINVALID, "A token needs a user (delegated) or an app (application).")
	case c.UserID == "" && len(c.Scopes) > 0:
		return teamsops.Errorf(teamsops.EINVALID, "Scopes are for delegated tokens; an application token carries roles.")
	}
	for _, s := range c.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return teamsops.Errorf(teamsops.EINVALID, "The scope '%s' is not valid.", s)
		}
	}
	return nil
}
