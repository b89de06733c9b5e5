package identity

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/teamsops/teamsops"
)

// tenantRef is the tenant a request's path names: one tenant, by id or by
// one of its domains, or "organizations" or "common", which leave the
// tenant to be found from the user's name or from a code or token that
// carries it ("Microsoft identity platform and OpenID Connect protocol":
// "Find your app's OpenID configuration document URI").
type tenantRef struct {
	tenant *teamsops.Tenant // nil for organizations and common
	multi  string           // "organizations" or "common"
}

// single returns the tenant, or Entra's AADSTS50059 when the path named
// none and nothing in the request does.
func (ref tenantRef) single() (*teamsops.Tenant, *oauthError) {
	if ref.tenant == nil {
		return nil, badRequest("invalid_request", 50059, "No tenant-identifying information found in either the request or implied by any provided credentials.")
	}
	return ref.tenant, nil
}

// segment is how the path named the tenant, for URLs built from it.
func (ref tenantRef) segment() string {
	if ref.tenant == nil {
		return ref.multi
	}
	return ref.tenant.ID
}

// tenantRef reads the tenant of the request's path, or answers Entra's
// AADSTS90002 with the given OAuth error code and reports false.
// "consumers" is the personal accounts' tenant, which teamsops does not
// serve: Graph's Teams operation APIs do not support personal accounts.
func (e *endpoints) tenantRef(w http.ResponseWriter, r *http.Request, code string) (tenantRef, bool) {
	id := r.PathValue("tenant")
	switch strings.ToLower(id) {
	case "organizations", "common":
		return tenantRef{multi: strings.ToLower(id)}, true
	}
	t, oerr := e.findTenant(r.Context(), id)
	if oerr != nil {
		if oerr.aadsts == 90002 {
			oerr.code = code
		}
		writeOAuthError(w, r, oerr)
		return tenantRef{}, false
	}
	return tenantRef{tenant: t}, true
}

// findTenant finds a tenant by id or by domain.
func (e *endpoints) findTenant(ctx context.Context, id string) (*teamsops.Tenant, *oauthError) {
	var t *teamsops.Tenant
	var err error
	if IsGUID(id) {
		t, err = e.dir.Tenant(ctx, strings.ToLower(id))
	} else if strings.Contains(id, ".") {
		t, err = e.dir.TenantByDomain(ctx, id)
	} else {
		err = teamsops.Errorf(teamsops.ENOTFOUND, "no tenant")
	}
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil, badRequest("invalid_tenant", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", id))
	} else if err != nil {
		return nil, serverError(err)
	}
	return t, nil
}

// authenticateClient finds the app registration a token request names in
// tenant t and checks its credentials: a client secret, or a client
// assertion signed by one of its certificates. A public client may send
// neither unless confidential is set (the client credentials and
// on-behalf-of grants need a confidential client).
func (e *endpoints) authenticateClient(r *http.Request, t *teamsops.Tenant, form *tokenForm, confidential bool) (*teamsops.AppRegistration, *oauthError) {
	ctx := r.Context()
	if form.clientID == "" && form.assertion != "" {
		// The client id may be left to the assertion's sub.
		form.clientID = assertionSubject(form.assertion)
	}
	if form.clientID == "" {
		return nil, missingParameter("client_id")
	}
	app, oerr := e.appRegistration(ctx, t, form.clientID)
	if oerr != nil {
		return nil, oerr
	}
	switch {
	case form.assertion != "" || form.assertionType != "":
		if form.secret != "" {
			return nil, badRequest("invalid_request", 90023, "The request body must contain only one of the following parameters: 'client_assertion' or 'client_secret'.")
		}
		if oerr := e.checkAssertion(ctx, t, app, form, r.PathValue("tenant")); oerr != nil {
			return nil, oerr
		}
	case form.secret != "":
		ok, oerr := e.checkHashes(ctx, app.SecretHashes, form.secret, true, clientKey(t.ID, app.ClientID), addressKey(r))
		if oerr != nil {
			return nil, oerr
		}
		if !ok {
			return nil, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000215,
				msg: fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)}
		}
	case confidential || !app.PublicClient:
		return nil, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000218,
			msg: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	return app, nil
}

// appRegistration finds an app of tenant t by its client id, or answers
// Entra's AADSTS700016.
func (e *endpoints) appRegistration(ctx context.Context, t *teamsops.Tenant, clientID string) (*teamsops.AppRegistration, *oauthError) {
	app, err := e.dir.AppRegistration(ctx, t.ID, clientID)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil, badRequest("unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenantName(t)))
	} else if err != nil {
		return nil, serverError(err)
	}
	return app, nil
}

// requirePublicClient refuses flows Entra allows only to apps whose
// registration allows public client flows (device code, and the password
// grant without client credentials).
func requirePublicClient(app *teamsops.AppRegistration, form *tokenForm) *oauthError {
	if app.PublicClient || form.secret != "" || form.assertion != "" {
		return nil
	}
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000218,
		msg: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
}

// spaOrigin returns the origin of a cross-origin request when it is the
// origin of one of app's single-page-application redirect URIs.
func spaOrigin(app *teamsops.AppRegistration, origin string) string {
	if origin == "" {
		return ""
	}
	for _, u := range app.SPARedirectURIs {
		if p, err := url.Parse(u); err == nil && strings.EqualFold(p.Scheme+"://"+p.Host, origin) {
			return origin
		}
	}
	return ""
}

// preflight answers a browser's CORS preflight of the token endpoint. It
// grants nothing by itself: the POST's answer is readable only from the
// origin of an SPA redirect URI of the app it names.
func (e *endpoints) preflight(w http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		allowOrigin(w, o)
		w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type, client-request-id, x-client-sku, x-client-ver, x-client-os, x-client-cpu, x-ms-lib-capability, x-app-name, x-app-ver, return-client-request-id, x-client-current-telemetry, x-client-last-telemetry")
		w.Header().Set("Access-Control-Max-Age", "86400")
	}
	w.WriteHeader(http.StatusNoContent)
}

func allowOrigin(w http.ResponseWriter, origin string) {
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Add("Vary", "Origin")
}
