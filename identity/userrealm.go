package identity

import (
	"net/http"
	"net/url"
	"strings"
)

// userRealm is the answer of Entra's user realm discovery, which MSAL asks
// before the password grant to learn whether the user's domain is
// federated (signing in elsewhere, by WS-Trust) or managed by Entra.
type userRealm struct {
	Ver               string `json:"ver"`
	AccountType       string `json:"account_type"`
	DomainName        string `json:"domain_name"`
	CloudInstanceName string `json:"cloud_instance_name"`
	CloudAudienceURN  string `json:"cloud_audience_urn"`
}

// userRealm serves GET /common/UserRealm/{user}?api-version=1.0: every
// domain of a tenant here is managed; any other is unknown.
func (e *endpoints) userRealm(w http.ResponseWriter, r *http.Request) {
	user := r.PathValue("user")
	_, domain, _ := strings.Cut(user, "@")
	realm := userRealm{Ver: "1.0", AccountType: "Unknown", DomainName: domain, CloudAudienceURN: "urn:federation:MicrosoftOnline"}
	realm.CloudInstanceName = e.iss.publicURL
	if u, err := url.Parse(e.iss.publicURL); err == nil && u.Host != "" {
		realm.CloudInstanceName = u.Host
	}
	if domain != "" {
		if t, oerr := e.findTenant(r.Context(), domain); oerr == nil {
			realm.AccountType = "Managed"
			if t.VerifiedDomain != "" {
				realm.DomainName = t.VerifiedDomain
			}
		} else if oerr.status >= 500 {
			writeOAuthError(w, r, oerr)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, realm)
}
