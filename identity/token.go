package identity

import (
	"fmt"
	"mime"
	"net/http"
	"net/url"

	"github.com/teamsops/teamsops"
)

// maxFormSize bounds a token request's body.
const maxFormSize = 64 << 10

// Grant types of the token endpoint beyond RFC 6749's names.
const (
	deviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code"
	jwtBearerGrant  = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	// msalDeviceCodeGrant is the device code grant as MSAL (for Go and
	// for JavaScript) names it when it polls; Entra accepts it beside RFC
	// 8628's URN.
	msalDeviceCodeGrant = "device_code"
)

// tokenForm is a token request's form, with the client's credentials
// wherever the client put them.
type tokenForm struct {
	f             url.Values
	clientID      string
	secret        string
	assertionType string
	assertion     string
	basic         bool // the client authenticated with HTTP Basic
	origin        string
}

func (f *tokenForm) get(k string) string { return f.f.Get(k) }

// tokenResponse is the token endpoint's success response ("Microsoft
// identity platform and OAuth 2.0 authorization code flow": "Successful
// response"); an application token has only the first four fields.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// ClientInfo is what MSAL asks for with client_info=1: the user's
	// object and tenant ids, which key its token cache.
	ClientInfo string `json:"client_info,omitempty"`

	corsOrigin string // an SPA's origin the answer may be read from
}

// token serves POST /{tenant}/oauth2/v2.0/token for every grant Entra's
// v2.0 endpoint serves to apps of a tenant.
func (e *endpoints) token(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		e.preflight(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, r, &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", aadsts: 900561,
			msg: fmt.Sprintf("The endpoint only accepts POST requests. Received a %s request.", r.Method)})
		return
	}
	ref, ok := e.tenantRef(w, r, "invalid_request")
	if !ok {
		return
	}
	form, oerr := readTokenForm(w, r)
	var res *tokenResponse
	if oerr == nil {
		res, oerr = e.grant(r, ref, form)
	}
	if oerr != nil {
		if oerr.status == http.StatusUnauthorized && form != nil && form.basic {
			// RFC 6749 section 5.2: answer the scheme the client used.
			w.Header().Set("WWW-Authenticate", `Basic realm="`+e.iss.publicURL+`"`)
		}
		if oerr.corsOrigin != "" {
			allowOrigin(w, oerr.corsOrigin)
		}
		writeOAuthError(w, r, oerr)
		return
	}
	traceIDs(w, r)
	if form.origin != "" && res.corsOrigin != "" {
		allowOrigin(w, res.corsOrigin)
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, res)
}

// grant answers one token request by its grant type.
func (e *endpoints) grant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	switch gt := form.get("grant_type"); gt {
	case "":
		return nil, missingParameter("grant_type")
	case "client_credentials":
		return e.clientCredentials(r, ref, form)
	case "password":
		return e.passwordGrant(r, ref, form)
	case "authorization_code":
		return e.codeGrant(r, ref, form)
	case "refresh_token":
		return e.refreshGrant(r, ref, form)
	case deviceCodeGrant, msalDeviceCodeGrant:
		return e.deviceCodeGrant(r, ref, form)
	case jwtBearerGrant:
		return e.onBehalfOfGrant(r, ref, form)
	default:
		return nil, badRequest("unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", gt))
	}
}

// tokenParameters are the parameters a token request may carry; each at
// most once, as Entra refuses a repeated one.
var tokenParameters = []string{"grant_type", "client_id", "client_secret", "client_assertion_type", "client_assertion",
	"scope", "username", "password", "code", "redirect_uri", "code_verifier", "refresh_token", "device_code",
	"assertion", "requested_token_use", "client_info"}

// readTokenForm reads and checks the form of a token request, and where
// the client put its credentials.
func readTokenForm(w http.ResponseWriter, r *http.Request) (*tokenForm, *oauthError) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		// Entra reads only a form; any other body lacks every parameter.
		return nil, missingParameter("grant_type")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", 90023, "The request body is not a valid application/x-www-form-urlencoded form.")
	}
	f := r.PostForm
	for _, k := range tokenParameters {
		if len(f[k]) > 1 {
			return nil, badRequest("invalid_request", 90023, fmt.Sprintf("The request body contains the parameter '%s' more than once.", k))
		}
	}
	form := &tokenForm{f: f, clientID: f.Get("client_id"), secret: f.Get("client_secret"),
		assertionType: f.Get("client_assertion_type"), assertion: f.Get("client_assertion"), origin: r.Header.Get("Origin")}
	if id, secret, ok := r.BasicAuth(); ok {
		// RFC 6749 section 2.3.1: Basic credentials are form-encoded first.
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		if err1 != nil || err2 != nil || (form.clientID != "" && form.clientID != id) {
			return form, badRequest("invalid_request", 90023, "The client credentials of the Authorization header are not valid.")
		}
		form.clientID, form.secret, form.basic = id, secret, true
	}
	return form, nil
}

// clientCredentials serves the client credentials grant ("OAuth 2.0 client
// credentials flow"): a secret or a certificate's assertion, and one
// resource's /.default scope, beside which Entra ignores OpenID Connect
// scopes such as those MSAL always adds.
func (e *endpoints) clientCredentials(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	t, oerr := ref.single()
	if oerr != nil {
		return nil, oerr
	}
	if form.clientID == "" {
		return nil, missingParameter("client_id")
	}
	scope := form.get("scope")
	if scope == "" {
		return nil, missingParameter("scope")
	}
	req, oerr := e.parseScope(r.Context(), t, scope)
	if oerr != nil {
		return nil, oerr
	}
	if !req.dflt {
		return nil, badRequest("invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
	}
	app, oerr := e.authenticateClient(r, t, form, true)
	if oerr != nil {
		return nil, oerr
	}
	c := Claims{TenantID: t.ID, AppID: app.ClientID, Roles: app.Roles}
	if req.api != nil {
		// The app's application permissions are Graph's; an API app of
		// the tenant defines no app roles, so its tokens carry none.
		c.Audience, c.Roles = req.api.ClientID, nil
	}
	return e.accessTokenResponse(c)
}

// accessTokenResponse signs an access token and answers it alone. An
// application token signed for the same claims moments ago is answered
// again (appTokenReuse), with what remains of its lifetime.
func (e *endpoints) accessTokenResponse(c Claims) (*tokenResponse, *oauthError) {
	now := e.iss.Now()
	appToken := c.UserID == ""
	t, ok := signedToken{}, false
	if appToken {
		t, ok = e.appTokens.get(c, now)
	}
	if !ok {
		ttl := e.ttl()
		tok, err := e.iss.Issue(c, ttl)
		if err != nil {
			return nil, serverError(err)
		}
		t = signedToken{token: tok, signed: now, exp: now.Add(ttl)}
		if appToken {
			e.appTokens.put(c, t)
		}
	}
	// Entra answers expires_in one second short of the lifetime (3599).
	secs := max(int(t.exp.Sub(now).Seconds())-1, 0)
	return &tokenResponse{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs, AccessToken: t.token}, nil
}

func badRequest(code string, aadsts int, msg string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, aadsts: aadsts, msg: msg}
}

func missingParameter(name string) *oauthError {
	return badRequest("invalid_request", 90014, fmt.Sprintf("The request body must contain the following parameter: '%s'.", name))
}

// tenantName is how Entra's messages name a directory: its display name.
func tenantName(t *teamsops.Tenant) string {
	if t.DisplayName != "" {
		return t.DisplayName
	}
	return t.ID
}
