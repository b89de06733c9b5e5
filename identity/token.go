package identity

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// maxFormSize bounds a token request's body.
const maxFormSize = 64 << 10

// graphDefaultScopes are the scopes of a client credentials request for
// Microsoft Graph: the resource followed by "/.default" ("OAuth 2.0 client
// credentials flow": "The .default scope").
var graphDefaultScopes = []string{graphResource + "/.default", graphAppID + "/.default"}

// tokenRequest is a client credentials request.
type tokenRequest struct {
	grantType, clientID, secret, scope string
	basic                              bool // the client authenticated with HTTP Basic
}

// tokenResponse is the success response of the client credentials flow.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

// token serves POST /{tenant}/oauth2/v2.0/token for the client credentials
// grant ("OAuth 2.0 client credentials flow": "First case: Access token
// request with a shared secret").
func (e *endpoints) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, r, &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", aadsts: 900561,
			msg: fmt.Sprintf("The endpoint only accepts POST requests. Received a %s request.", r.Method)})
		return
	}
	t, ok := e.tenant(w, r, "invalid_request")
	if !ok {
		return
	}
	req, oerr := readTokenRequest(w, r, t)
	var app *teamsops.AppRegistration
	if oerr == nil {
		app, oerr = e.authenticate(r.Context(), t, req)
	}
	if oerr != nil {
		if oerr.status == http.StatusUnauthorized && req.basic {
			// RFC 6749 section 5.2: answer the scheme the client used.
			w.Header().Set("WWW-Authenticate", `Basic realm="`+e.iss.IssuerURL(t.ID)+`"`)
		}
		writeOAuthError(w, r, oerr)
		return
	}
	e.issue(w, r, t, app)
}

// issue answers an application token for app, carrying its roles.
func (e *endpoints) issue(w http.ResponseWriter, r *http.Request, t *teamsops.Tenant, app *teamsops.AppRegistration) {
	ttl := e.iss.TokenTTL
	if ttl <= 0 {
		ttl = DefaultTokenTTL
	}
	tok, err := e.iss.Issue(Claims{TenantID: t.ID, AppID: app.ClientID, Roles: app.Roles}, ttl)
	if err != nil {
		writeOAuthError(w, r, serverError(err))
		return
	}
	traceIDs(w, r)
	// Entra answers expires_in one second short of the lifetime (3599).
	secs := max(int(ttl.Seconds())-1, 0)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, tokenResponse{TokenType: "Bearer", ExpiresIn: secs, ExtExpiresIn: secs, AccessToken: tok})
}

// readTokenRequest reads and checks the form of a token request.
func readTokenRequest(w http.ResponseWriter, r *http.Request, t *teamsops.Tenant) (tokenRequest, *oauthError) {
	var req tokenRequest
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		// Entra reads only a form; any other body lacks every parameter.
		return req, missingParameter("grant_type")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		return req, badRequest("invalid_request", 90023, "The request body is not a valid application/x-www-form-urlencoded form.")
	}
	f := r.PostForm
	for _, k := range []string{"grant_type", "client_id", "client_secret", "scope"} {
		if len(f[k]) > 1 {
			return req, badRequest("invalid_request", 90023, fmt.Sprintf("The request body contains the parameter '%s' more than once.", k))
		}
	}
	req = tokenRequest{grantType: f.Get("grant_type"), clientID: f.Get("client_id"), secret: f.Get("client_secret"), scope: f.Get("scope")}
	if id, secret, ok := r.BasicAuth(); ok {
		// RFC 6749 section 2.3.1: Basic credentials are form-encoded first.
		id, err1 := url.QueryUnescape(id)
		secret, err2 := url.QueryUnescape(secret)
		if err1 != nil || err2 != nil || (req.clientID != "" && req.clientID != id) {
			return req, badRequest("invalid_request", 90023, "The client credentials of the Authorization header are not valid.")
		}
		req.clientID, req.secret, req.basic = id, secret, true
	}
	switch {
	case req.grantType == "":
		return req, missingParameter("grant_type")
	case req.grantType != "client_credentials":
		return req, badRequest("unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", req.grantType))
	case req.clientID == "":
		return req, missingParameter("client_id")
	case req.scope == "":
		return req, missingParameter("scope")
	}
	return req, checkScope(req.scope, t)
}

// checkScope accepts only Microsoft Graph's .default scope: the client
// credentials flow asks for all application permissions granted at once.
func checkScope(scope string, t *teamsops.Tenant) *oauthError {
	fields := strings.Fields(scope)
	if len(fields) == 1 {
		for _, s := range graphDefaultScopes {
			if strings.EqualFold(fields[0], s) {
				return nil
			}
		}
		if res, ok := strings.CutSuffix(fields[0], "/.default"); ok {
			return badRequest("invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant named %s. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.", res, tenantName(t)))
		}
	}
	return badRequest("invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
}

// authenticate finds the app registration of req in tenant t and checks
// its client secret.
func (e *endpoints) authenticate(ctx context.Context, t *teamsops.Tenant, req tokenRequest) (*teamsops.AppRegistration, *oauthError) {
	app, err := e.dir.AppRegistration(ctx, t.ID, req.clientID)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil, badRequest("unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", req.clientID, tenantName(t)))
	} else if err != nil {
		return nil, serverError(err)
	}
	if req.secret == "" {
		return nil, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000218,
			msg: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	if !slices.ContainsFunc(app.SecretHashes, func(hash string) bool { return CheckSecret(hash, req.secret) }) {
		return nil, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000215,
			msg: fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)}
	}
	return app, nil
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
