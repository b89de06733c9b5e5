package identity

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/teamsops/teamsops"
)

// Handler serves Microsoft Entra's per-tenant endpoints for the issuer:
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	GET  /{tenant}/discovery/v2.0/keys
//	POST /{tenant}/oauth2/v2.0/token   (client credentials grant)
//
// Every other path answers 404, so the handler can be mounted as the
// fallback ("/") of a server whose other routes are more specific.
func (iss *Issuer) Handler(dir Directory) http.Handler {
	e := &endpoints{iss: iss, dir: dir}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", e.discovery)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", e.keys)
	// Any method, so that a GET gets Entra's error rather than the mux's.
	mux.HandleFunc("/{tenant}/oauth2/v2.0/token", e.token)
	return mux
}

type endpoints struct {
	iss *Issuer
	dir Directory
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
	ClaimsSupported                   []string `json:"claims_supported"`
	TenantRegionScope                 *string  `json:"tenant_region_scope"`
	CloudInstanceName                 string   `json:"cloud_instance_name"`
	MSGraphHost                       string   `json:"msgraph_host"`
}

func (e *endpoints) discovery(w http.ResponseWriter, r *http.Request) {
	t, ok := e.tenant(w, r, "invalid_tenant")
	if !ok {
		return
	}
	base := e.iss.publicURL + "/" + t.ID
	host := e.iss.publicURL
	if u, err := url.Parse(e.iss.publicURL); err == nil && u.Host != "" {
		host = u.Host
	}
	doc := discoveryDocument{
		TokenEndpoint:                     base + "/oauth2/v2.0/token",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic"},
		JWKSURI:                           base + "/discovery/v2.0/keys",
		ResponseModesSupported:            []string{"query", "fragment", "form_post"},
		SubjectTypesSupported:             []string{"pairwise"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		// Entra's values. Only the client credentials grant is served, but
		// MSAL refuses a document without the interactive flows' fields.
		ResponseTypesSupported: []string{"code", "id_token", "code id_token", "id_token token"},
		ScopesSupported:        []string{"openid", "profile", "email", "offline_access"},
		Issuer:                 e.iss.IssuerURL(t.ID),
		AuthorizationEndpoint:  base + "/oauth2/v2.0/authorize",
		GrantTypesSupported:    []string{"client_credentials"},
		ClaimsSupported: []string{"aud", "iss", "iat", "nbf", "exp", "tid", "oid", "sub",
			"appid", "azp", "idtyp", "scp", "roles", "uti", "ver"},
		CloudInstanceName: host,
		MSGraphHost:       host,
	}
	// Entra lets browsers read its metadata and keys from any origin.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "max-age=86400, private")
	writeJSON(w, http.StatusOK, doc)
}

func (e *endpoints) keys(w http.ResponseWriter, r *http.Request) {
	if _, ok := e.tenant(w, r, "invalid_tenant"); !ok {
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "max-age=86400, private")
	writeJSON(w, http.StatusOK, e.iss.JWKS())
}

// tenant returns the tenant of the request's path, or answers Entra's
// AADSTS90002 with the given OAuth error code and reports false.
func (e *endpoints) tenant(w http.ResponseWriter, r *http.Request, code string) (*teamsops.Tenant, bool) {
	id := r.PathValue("tenant")
	t, err := e.dir.Tenant(r.Context(), id)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		writeOAuthError(w, r, &oauthError{status: http.StatusBadRequest, code: code, aadsts: 90002,
			msg: fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", id)})
		return nil, false
	} else if err != nil {
		writeOAuthError(w, r, serverError(err))
		return nil, false
	}
	return t, true
}

// oauthError is an error of Entra's OAuth 2.0 endpoints: an RFC 6749
// error code and an AADSTS code with its message.
type oauthError struct {
	status int
	code   string
	aadsts int
	msg    string
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
	desc := fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.aadsts, e.msg, trace, corr, ts)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, e.status, entraErrorBody{
		Error:            e.code,
		ErrorDescription: desc,
		ErrorCodes:       []int{e.aadsts},
		Timestamp:        ts,
		TraceID:          trace,
		CorrelationID:    corr,
	})
}

// traceIDs returns a new trace id and the correlation id, which is the
// caller's client-request-id when it is a GUID, as Entra echoes it; both
// are also sent as headers.
func traceIDs(w http.ResponseWriter, r *http.Request) (trace, corr string) {
	trace, corr = newGUID(), r.Header.Get("client-request-id")
	if !isGUID(corr) {
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
