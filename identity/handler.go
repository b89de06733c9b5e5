package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/teamsops/teamsops"
)

// Handler serves Microsoft Entra's per-tenant endpoints for the issuer;
// {tenant} is a tenant id, one of its domains, "organizations" or
// "common":
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	GET  /{tenant}/discovery/v2.0/keys
//	POST /{tenant}/oauth2/v2.0/token        (every grant)
//	POST /{tenant}/oauth2/v2.0/devicecode
//	GET|POST /{tenant}/oauth2/v2.0/authorize (the sign-in pages)
//	GET|POST /{tenant}/oauth2/deviceauth     (the device code page)
//	GET|POST /{tenant}/oauth2/v2.0/logout
//	GET  /common/UserRealm/{user}          (user realm discovery)
//
// Every other path answers 404, so the handler can be mounted as the
// fallback ("/") of a server whose other routes are more specific.
func (iss *Issuer) Handler(dir Directory) http.Handler {
	e := &endpoints{iss: iss, dir: dir, secrets: newSecretCache(), appTokens: newAppTokenCache(), guard: newGuard()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", e.discovery)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", e.keys)
	// Any method, so that a GET gets Entra's error rather than the mux's.
	mux.HandleFunc("/{tenant}/oauth2/v2.0/token", e.token)
	mux.HandleFunc("/{tenant}/oauth2/v2.0/devicecode", e.deviceCode)
	// MSAL spells the path both ways.
	mux.HandleFunc("GET /common/UserRealm/{user}", e.userRealm)
	mux.HandleFunc("GET /common/userrealm/{user}", e.userRealm)
	e.pages(mux)
	// The client's address travels in the context, for the guard's
	// throttling of those who keep failing sign-ins.
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), addressContextKey{}, addressKey(r))))
	})
}

type endpoints struct {
	iss       *Issuer
	dir       Directory
	secrets   *secretCache
	appTokens *appTokenCache
	guard     *guard
}

// discoveryDocument is Entra's v2.0 OpenID Connect metadata ("OpenID
// Connect on the Microsoft identity platform": "Find your app's OpenID
// configuration document URI"), with the fields in Entra's order.
type discoveryDocument struct {
	TokenEndpoint                     string   `json:"token_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	JWKSURI                           string   `json:"jwks_uri"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	Issuer                            string   `json:"issuer"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	TenantRegionScope                 *string  `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	MSGraphHost                       string   `json:"msgraph_host"`
}

func (e *endpoints) discovery(w http.ResponseWriter, r *http.Request) {
	ref, ok := e.tenantRef(w, r, "invalid_tenant")
	if !ok {
		return
	}
	// Entra's documents for organizations and common name the endpoints
	// by that segment and the issuer with a {tenantid} placeholder.
	base := e.iss.publicURL + "/" + ref.segment()
	issuer := e.iss.IssuerURL(tenantPlaceholder)
	if ref.tenant != nil {
		issuer = e.iss.IssuerURL(ref.tenant.ID)
	}
	host := e.iss.publicURL
	if u, err := url.Parse(e.iss.publicURL); err == nil && u.Host != "" {
		host = u.Host
	}
	doc := discoveryDocument{
		TokenEndpoint:                     base + "/oauth2/v2.0/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		JWKSURI:                           base + "/discovery/v2.0/keys",
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ResponseTypesSupported:            []string{"code"},
		ScopesSupported:                   oidcScopes,
		Issuer:                            issuer,
		AuthorizationEndpoint:             base + "/oauth2/v2.0/authorize",
		GrantTypesSupported: []string{"authorization_code", "refresh_token", "client_credentials", "password",
			deviceCodeGrant, jwtBearerGrant},
		DeviceAuthorizationEndpoint:   base + "/oauth2/v2.0/devicecode",
		EndSessionEndpoint:            base + "/oauth2/v2.0/logout",
		CodeChallengeMethodsSupported: []string{"S256", "plain"},
		ClaimsSupported: []string{"aud", "iss", "iat", "nbf", "exp", "tid", "oid", "sub", "name",
			"preferred_username", "upn", "nonce", "auth_time", "appid", "azp", "idtyp", "scp", "roles", "uti", "ver"},
		CloudInstanceName: host,
		MSGraphHost:       host,
	}
	// Entra lets browsers read its metadata and keys from any origin.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "max-age=86400, private")
	writeJSON(w, http.StatusOK, doc)
}

func (e *endpoints) keys(w http.ResponseWriter, r *http.Request) {
	if _, ok := e.tenantRef(w, r, "invalid_tenant"); !ok {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "max-age=86400, private")
	writeJSON(w, http.StatusOK, e.iss.JWKS())
}

// oauthError is an error of Entra's OAuth 2.0 endpoints: an RFC 6749
// error code and an AADSTS code with its message.
type oauthError struct {
	status int
	code   string
	aadsts int
	msg    string
	// retryAfter, when above 0, is sent as Retry-After (a 429).
	retryAfter int

	corsOrigin string // an SPA's origin the answer may be read from
}

// serverError reports a failure of the directory. Entra's AADSTS90033 says
// "a transient error has occurred", and the client may retry.
func serverError(err error) *oauthError {
	e := &oauthError{status: http.StatusInternalServerError, code: "server_error", aadsts: 90033,
		msg: "A transient error has occurred. Please try again."}
	if teamsops.ErrorCode(err) == teamsops.EUNAVAILABLE {
		e.status, e.code = http.StatusServiceUnavailable, "temporarily_unavailable"
	}
	return e
}

// entraErrorBody is Entra's error response ("Microsoft identity platform
// and OAuth 2.0 authorization code flow": "Error response").
type entraErrorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	Timestamp        string `json:"timestamp"`
	TraceID          string `json:"trace_id"`
	CorrelationID    string `json:"correlation_id"`
}

func writeOAuthError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	trace, corr := traceIDs(w, r)
	ts := time.Now().UTC().Format("2006-01-02 15:04:05Z")
	desc := e.description(trace, corr, ts)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.status, entraErrorBody{
		Error:            e.code,
		ErrorDescription: desc,
		ErrorCodes:       []int{e.aadsts},
		Timestamp:        ts,
		TraceID:          trace,
		CorrelationID:    corr,
	})
}

// description is the error_description of an error: its AADSTS code and
// message, and where to find the request in Entra's logs.
func (e *oauthError) description(trace, corr, ts string) string {
	return fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.aadsts, e.msg, trace, corr, ts)
}

// traceIDs returns a new trace id and the correlation id, which is the
// caller's client-request-id when it is a GUID, as Entra echoes it; both
// are also sent as headers.
func traceIDs(w http.ResponseWriter, r *http.Request) (trace, corr string) {
	trace, corr = newGUID(), r.Header.Get("client-request-id")
	if !IsGUID(corr) {
		corr = newGUID()
	}
	w.Header().Set("x-ms-request-id", trace)
	w.Header().Set("client-request-id", corr)
	return trace, corr
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
