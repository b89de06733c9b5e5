package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
)

// Lifetimes of what a sign-in leaves behind ("Configurable token lifetimes
// in the Microsoft identity platform": refresh tokens live 90 days, 24
// hours for single-page apps; authorization codes about 10 minutes).
const (
	refreshTokenTTL    = 90 * 24 * time.Hour
	spaRefreshTokenTTL = 24 * time.Hour
	codeTTL            = 10 * time.Minute
)

// userSignIn is a user signed in to a client app, and what the app asked
// for: everything a delegated token response is made of.
type userSignIn struct {
	tenant   *teamsops.Tenant
	user     *teamsops.User
	client   *teamsops.AppRegistration
	scope    string // the scope parameter, kept with a refresh token
	req      scopeRequest
	nonce    string
	authTime time.Time
	// platform is how the client authenticated: "confidential" (a secret
	// or certificate), "spa" or "public"; it decides how its refresh
	// token may be redeemed.
	platform   string
	clientInfo bool
}

// refreshData is what a refresh token grant keeps.
type refreshData struct {
	ClientID string `json:"clientId"`
	UserID   string `json:"userId"`
	Scope    string `json:"scope"`
	Platform string `json:"platform"`
	// Stamp changes when the user's password does, which revokes the
	// refresh tokens issued before, as in Entra.
	Stamp    string `json:"stamp"`
	AuthTime int64  `json:"authTime"`
}

// userTokens answers a delegated token response: the access token, and
// an ID token for openid and a refresh token for offline_access.
func (e *endpoints) userTokens(ctx context.Context, s userSignIn) (*tokenResponse, *oauthError) {
	g, oerr := grantDelegated(s.client, s.req)
	if oerr != nil {
		return nil, oerr
	}
	res, oerr := e.accessTokenResponse(Claims{TenantID: s.tenant.ID, UserID: s.user.ID, AppID: s.client.ClientID,
		Scopes: g.scopes, Audience: g.audience, UserPrincipalName: s.user.UserPrincipalName, Name: s.user.DisplayName})
	if oerr != nil {
		return nil, oerr
	}
	res.Scope = g.scope
	if s.req.has("openid") {
		tok, err := e.iss.IssueIDToken(IDClaims{TenantID: s.tenant.ID, ClientID: s.client.ClientID, User: s.user,
			Nonce: s.nonce, AuthTime: s.authTime}, e.ttl())
		if err != nil {
			return nil, serverError(err)
		}
		res.IDToken = tok
	}
	if s.req.has("offline_access") {
		ttl := refreshTokenTTL
		if s.platform == "spa" {
			ttl = spaRefreshTokenTTL
		}
		data := refreshData{ClientID: s.client.ClientID, UserID: s.user.ID, Scope: s.scope, Platform: s.platform,
			Stamp: passwordStamp(s.user), AuthTime: s.authTime.Unix()}
		rt, oerr := e.newSecretGrant(ctx, s.tenant.ID, teamsops.GrantRefreshToken, data, ttl)
		if oerr != nil {
			return nil, oerr
		}
		res.RefreshToken = rt
	}
	if s.clientInfo {
		res.ClientInfo = clientInfo(s.user.ID, s.tenant.ID)
	}
	return res, nil
}

// clientInfo is what MSAL asks for with client_info=1: the user's object
// and tenant ids, base64url-encoded JSON.
func clientInfo(userID, tenantID string) string {
	info, _ := json.Marshal(map[string]string{"uid": userID, "utid": tenantID})
	return base64.RawURLEncoding.EncodeToString(info)
}

// passwordStamp identifies the user's current password without revealing
// anything of it.
func passwordStamp(u *teamsops.User) string {
	sum := sha256.Sum256([]byte("stamp\x00" + u.PasswordHash))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// newSecretGrant stores data under a new random secret and returns the
// secret, which names its tenant before a dot so that the /organizations
// and /common endpoints can find it; the store keeps only its hash.
func (e *endpoints) newSecretGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, data any, ttl time.Duration) (string, *oauthError) {
	var b [32]byte
	rand.Read(b[:])
	secret := tenantID + "." + base64.RawURLEncoding.EncodeToString(b[:])
	raw, err := json.Marshal(data)
	if err != nil {
		return "", serverError(err)
	}
	err = e.dir.PutSignInGrant(ctx, &teamsops.SignInGrant{TenantID: tenantID, Kind: kind, Key: secretKey(secret),
		Data: raw, ExpiresAt: e.iss.Now().Add(ttl)})
	if err != nil {
		return "", serverError(err)
	}
	return secret, nil
}

// secretKey is the store's key of a secret: its SHA-256, so that a copy
// of the database reveals no usable code or token.
func secretKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// secretTenant returns the tenant a secret of newSecretGrant names.
func secretTenant(secret string) string {
	id, _, _ := strings.Cut(secret, ".")
	if !IsGUID(id) {
		return ""
	}
	return id
}

// secretGrant finds the tenant a code or token names, checks it against
// the path's, and takes (or, unless take, reads) its grant; expired
// grants are taken too, and reported as not found.
func (e *endpoints) secretGrant(ctx context.Context, ref tenantRef, kind teamsops.SignInGrantKind, secret string, take bool, data any) (*teamsops.Tenant, *teamsops.SignInGrant, *oauthError) {
	tid := secretTenant(secret)
	if tid == "" {
		return nil, nil, nil
	}
	if ref.tenant != nil && ref.tenant.ID != tid {
		return nil, nil, badRequest("invalid_grant", 700005, "Provided Authorization Code is intended to use against other tenant, thus rejected.")
	}
	t := ref.tenant
	if t == nil {
		var oerr *oauthError
		if t, oerr = e.findTenant(ctx, tid); oerr != nil {
			return nil, nil, nil
		}
	}
	read := e.dir.SignInGrant
	if take {
		read = e.dir.TakeSignInGrant
	}
	g, err := read(ctx, t.ID, kind, secretKey(secret))
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return t, nil, nil
	} else if err != nil {
		return nil, nil, serverError(err)
	}
	if err := json.Unmarshal(g.Data, data); err != nil {
		return nil, nil, serverError(fmt.Errorf("sign-in grant: %w", err))
	}
	return t, g, nil
}

// formGrant is secretGrant for the code or token in the form's parameter
// param, which the grant type requires.
func (e *endpoints) formGrant(ctx context.Context, ref tenantRef, form *tokenForm, param string, kind teamsops.SignInGrantKind, take bool, data any) (*teamsops.Tenant, *teamsops.SignInGrant, *oauthError) {
	secret := form.get(param)
	if secret == "" {
		return nil, nil, missingParameter(param)
	}
	return e.secretGrant(ctx, ref, kind, secret, take, data)
}

// IDClaims is what an ID token says about a signed-in user.
type IDClaims struct {
	TenantID string
	ClientID string
	User     *teamsops.User
	Nonce    string
	AuthTime time.Time
}

// idToken is the payload of a v2.0 ID token ("ID token claims
// reference"), in Entra's order.
type idToken struct {
	Aud               string `json:"aud"`
	Iss               string `json:"iss"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	AuthTime          int64  `json:"auth_time,omitempty"`
	Name              string `json:"name,omitempty"`
	Nonce             string `json:"nonce,omitempty"`
	Oid               string `json:"oid"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	Sub               string `json:"sub"`
	Tid               string `json:"tid"`
	Uti               string `json:"uti"`
	Ver               string `json:"ver"`
}

// IssueIDToken signs a v2.0 ID token for the client app: its audience is
// the app, its sub the user's pairwise id for that app.
func (iss *Issuer) IssueIDToken(c IDClaims, ttl time.Duration) (string, error) {
	now := iss.Now()
	var id [16]byte
	rand.Read(id[:])
	sub := sha256.Sum256([]byte(c.TenantID + "\x00" + c.ClientID + "\x00" + c.User.ID))
	t := idToken{
		Aud: c.ClientID, Iss: iss.IssuerURL(c.TenantID), Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(ttl).Unix(),
		Name: c.User.DisplayName, Nonce: c.Nonce, Oid: c.User.ID, PreferredUsername: c.User.UserPrincipalName,
		Sub: base64.RawURLEncoding.EncodeToString(sub[:]), Tid: c.TenantID,
		Uti: base64.RawURLEncoding.EncodeToString(id[:]), Ver: "2.0",
	}
	if !c.AuthTime.IsZero() {
		t.AuthTime = c.AuthTime.Unix()
	}
	tok, err := jwt.Signed(iss.signer).Claims(t).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign ID token: %w", err)
	}
	return tok, nil
}

// ttl is the lifetime of access and ID tokens.
func (e *endpoints) ttl() time.Duration {
	if e.iss.TokenTTL > 0 {
		return e.iss.TokenTTL
	}
	return DefaultTokenTTL
}
