package identity

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
)

// passwordGrant serves the resource owner password credentials grant
// ("Microsoft identity platform and OAuth 2.0 Resource Owner Password
// Credentials"): a public client, or a confidential one with its
// credentials, sends the user's name and password.
func (e *endpoints) passwordGrant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	username, password := form.get("username"), form.get("password")
	switch {
	case username == "":
		return nil, missingParameter("username")
	case password == "":
		return nil, missingParameter("password")
	case form.get("scope") == "":
		return nil, missingParameter("scope")
	}
	t := ref.tenant
	if t == nil {
		_, domain, ok := strings.Cut(username, "@")
		if !ok {
			return nil, badRequest("invalid_grant", 50034, "The user account {EUII Hidden} does not exist in any directory: a user name must be an email address.")
		}
		var oerr *oauthError
		if t, oerr = e.findTenant(r.Context(), domain); oerr != nil {
			return nil, oerr
		}
	}
	client, oerr := e.authenticateClient(r, t, form, false)
	if oerr != nil {
		return nil, oerr
	}
	if oerr := requirePublicClient(client, form); oerr != nil {
		return nil, oerr
	}
	req, oerr := e.parseScope(r.Context(), t, form.get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	user, oerr := e.signIn(r.Context(), t, username, password)
	if oerr != nil {
		return nil, oerr
	}
	return e.userTokens(r.Context(), userSignIn{tenant: t, user: user, client: client, scope: form.get("scope"), req: req,
		authTime: e.iss.Now(), platform: platformOf(client, form), clientInfo: form.get("client_info") == "1"})
}

// platformOf says how a client authenticated: with credentials
// ("confidential") or without ("public").
func platformOf(client *teamsops.AppRegistration, form *tokenForm) string {
	if form.secret != "" || form.assertion != "" {
		return "confidential"
	}
	return "public"
}

// codeData is what an authorization code grant keeps: to whom the code was
// issued, where it may be redeemed, and for whom.
type codeData struct {
	ClientID      string `json:"clientId"`
	RedirectURI   string `json:"redirectUri"`
	Platform      string `json:"platform"` // "web", "spa" or "public"
	Challenge     string `json:"challenge,omitempty"`
	Method        string `json:"method,omitempty"`
	UserID        string `json:"userId"`
	Scope         string `json:"scope"`
	Nonce         string `json:"nonce,omitempty"`
	AuthTime      int64  `json:"authTime"`
	Redeemed      bool   `json:"redeemed,omitempty"`
	RedeemedUntil int64  `json:"redeemedUntil,omitempty"`
}

// newCode issues an authorization code for a signed-in user.
func (e *endpoints) newCode(r *http.Request, t *teamsops.Tenant, d codeData) (string, *oauthError) {
	return e.newSecretGrant(r.Context(), t.ID, teamsops.GrantAuthorizationCode, d, codeTTL)
}

// codeGrant redeems an authorization code ("Microsoft identity platform
// and OAuth 2.0 authorization code flow": "Redeem a code for an access
// token"). A code is single use: a second redemption is AADSTS54005.
func (e *endpoints) codeGrant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	code := form.get("code")
	switch {
	case code == "":
		return nil, missingParameter("code")
	case form.get("redirect_uri") == "":
		return nil, missingParameter("redirect_uri")
	}
	var d codeData
	t, g, oerr := e.secretGrant(r.Context(), ref, teamsops.GrantAuthorizationCode, code, true, &d)
	if oerr != nil {
		return nil, oerr
	}
	now := e.iss.Now()
	if g == nil || now.After(g.ExpiresAt) {
		return nil, badRequest("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	}
	if d.Redeemed {
		return nil, badRequest("invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	}
	// Keep a mark of the redemption while the code would have lived, so
	// that a second one is told so rather than "expired".
	d.Redeemed = true
	if _, oerr := e.putGrant(r, t, teamsops.GrantAuthorizationCode, secretKey(code), d, g.ExpiresAt); oerr != nil {
		return nil, oerr
	}
	if form.clientID != "" && form.clientID != d.ClientID || form.clientID == "" && form.assertion == "" {
		return nil, badRequest("invalid_grant", 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client.")
	}
	if form.get("redirect_uri") != d.RedirectURI {
		return nil, badRequest("invalid_grant", 70000, "The provided value for the 'redirect_uri' parameter is not valid. It does not match the redirect URI the code was issued for.")
	}
	if oerr := checkVerifier(d, form.get("code_verifier")); oerr != nil {
		return nil, oerr
	}
	client, oerr := e.redeemingClient(r, t, form, "code", d.ClientID, d.Platform)
	if oerr != nil {
		return nil, oerr
	}
	res, oerr := e.redeemForUser(r, t, client, form, d.UserID, "", d.Scope, d.Nonce, time.Unix(d.AuthTime, 0), d.Platform)
	if oerr != nil {
		return nil, oerr
	}
	return res, nil
}

// checkVerifier checks a PKCE code_verifier against the code's challenge
// (RFC 7636): S256, or plain, which Entra still accepts.
func checkVerifier(d codeData, verifier string) *oauthError {
	if d.Challenge == "" {
		return nil
	}
	if verifier == "" {
		return missingParameter("code_verifier")
	}
	want := verifier
	if d.Method != "plain" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(d.Challenge)) != 1 {
		return badRequest("invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	}
	return nil
}

// redeemingClient authenticates the client redeeming a code or refresh
// token (param) issued to clientID on platform, and checks that it is that
// client: without a client_id, an assertion names its own. A single-page
// app has no credentials to send; PKCE and its origin, which
// redeemForUser checks, stand in for them, as in Entra.
func (e *endpoints) redeemingClient(r *http.Request, t *teamsops.Tenant, form *tokenForm, param, clientID, platform string) (*teamsops.AppRegistration, *oauthError) {
	var client *teamsops.AppRegistration
	var oerr *oauthError
	if platform == "spa" && form.secret == "" && form.assertion == "" && form.assertionType == "" {
		client, oerr = e.appRegistration(r.Context(), t, form.clientID)
	} else {
		client, oerr = e.authenticateClient(r, t, form, platform == "web" || platform == "confidential")
	}
	if oerr != nil {
		return nil, oerr
	}
	if client.ClientID != clientID {
		return nil, badRequest("invalid_grant", 70000, fmt.Sprintf("The provided value for the '%s' parameter is not valid. It was issued to a different client.", param))
	}
	return client, nil
}

// redeemForUser answers tokens for a user a code or refresh token names,
// once the client is authenticated. A single-page app must redeem from
// its own origin (AADSTS9002327), and its answer is readable there.
func (e *endpoints) redeemForUser(r *http.Request, t *teamsops.Tenant, client *teamsops.AppRegistration, form *tokenForm,
	userID, stamp, scope, nonce string, authTime time.Time, platform string) (*tokenResponse, *oauthError) {
	origin := spaOrigin(client, form.origin)
	if platform == "spa" && origin == "" {
		return nil, badRequest("invalid_request", 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.")
	}
	user, oerr := e.currentUser(r.Context(), t, userID, stamp)
	if oerr != nil {
		return nil, oerr
	}
	if s := form.get("scope"); s != "" {
		scope = s
	}
	req, oerr := e.parseScope(r.Context(), t, scope)
	if oerr != nil {
		return nil, oerr
	}
	res, oerr := e.userTokens(r.Context(), userSignIn{tenant: t, user: user, client: client, scope: scope, req: req,
		nonce: nonce, authTime: authTime, platform: platform, clientInfo: form.get("client_info") == "1"})
	if oerr != nil {
		oerr.corsOrigin = origin
		return nil, oerr
	}
	res.corsOrigin = origin
	return res, nil
}

// refreshGrant redeems a refresh token ("Refresh the access token"). Each
// is single use: the answer carries its replacement. A token is refused
// once its user is deleted or disabled or has changed password.
func (e *endpoints) refreshGrant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	var d refreshData
	t, g, oerr := e.formGrant(r.Context(), ref, form, "refresh_token", teamsops.GrantRefreshToken, true, &d)
	if oerr != nil {
		return nil, oerr
	}
	if g == nil {
		return nil, badRequest("invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	}
	if e.iss.Now().After(g.ExpiresAt) {
		return nil, badRequest("invalid_grant", 700082, "The refresh token has expired due to inactivity. The token was issued on a date and was inactive for too long.")
	}
	if form.clientID == "" && form.assertion == "" || form.clientID != "" && form.clientID != d.ClientID {
		return nil, badRequest("invalid_grant", 70000, "The provided value for the 'refresh_token' parameter is not valid. The token was issued to a different client.")
	}
	client, oerr := e.redeemingClient(r, t, form, "refresh_token", d.ClientID, d.Platform)
	if oerr != nil {
		return nil, oerr
	}
	return e.redeemForUser(r, t, client, form, d.UserID, d.Stamp, d.Scope, "", time.Unix(d.AuthTime, 0), d.Platform)
}

// putGrant writes a grant of a known key.
func (e *endpoints) putGrant(r *http.Request, t *teamsops.Tenant, kind teamsops.SignInGrantKind, key string, data any, exp time.Time) (struct{}, *oauthError) {
	raw, err := json.Marshal(data)
	if err != nil {
		return struct{}{}, serverError(err)
	}
	if err := e.dir.PutSignInGrant(r.Context(), &teamsops.SignInGrant{TenantID: t.ID, Kind: kind, Key: key, Data: raw, ExpiresAt: exp}); err != nil {
		return struct{}{}, serverError(err)
	}
	return struct{}{}, nil
}

// onBehalfOfGrant serves the on-behalf-of flow ("Microsoft identity
// platform and OAuth 2.0 On-Behalf-Of flow"): an API app of the tenant,
// with its own credentials, exchanges a user's token for it for a token
// of the same user for Microsoft Graph (or another API).
func (e *endpoints) onBehalfOfGrant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	t, oerr := ref.single()
	if oerr != nil {
		return nil, oerr
	}
	switch {
	case form.get("requested_token_use") != "on_behalf_of":
		return nil, badRequest("invalid_request", 90023, fmt.Sprintf("The provided value for the input parameter 'requested_token_use' is not valid: '%s'. Expected 'on_behalf_of'.", form.get("requested_token_use")))
	case form.get("assertion") == "":
		return nil, missingParameter("assertion")
	case form.get("scope") == "":
		return nil, missingParameter("scope")
	}
	api, oerr := e.authenticateClient(r, t, form, true)
	if oerr != nil {
		return nil, oerr
	}
	c, oerr := e.userAssertion(t, api, form.get("assertion"))
	if oerr != nil {
		return nil, oerr
	}
	user, oerr := e.currentUser(r.Context(), t, c.Oid, "")
	if oerr != nil {
		return nil, oerr
	}
	req, oerr := e.parseScope(r.Context(), t, form.get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	return e.userTokens(r.Context(), userSignIn{tenant: t, user: user, client: api, scope: form.get("scope"), req: req,
		authTime: e.iss.Now(), platform: "confidential", clientInfo: form.get("client_info") == "1"})
}
