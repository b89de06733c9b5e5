package identity

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/teamsops/teamsops"
)

// logout serves GET and POST /{tenant}/oauth2/v2.0/logout, the
// end_session_endpoint ("Send a sign-out request"): it ends the browser's
// session, every account of it, then returns to the app's
// post_logout_redirect_uri with its state, if the app registered that
// URI, or else shows that the user signed out.
func (e *endpoints) logout(w http.ResponseWriter, r *http.Request) {
	pg, ok := e.openPage(w, r)
	if !ok {
		return
	}
	s, oerr := pg.session()
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	target, oerr := pg.postLogoutRedirect(s)
	if oerr == nil {
		oerr = pg.endSession(s)
	}
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	if target != "" {
		params := url.Values{}
		if st := pg.form.Get("state"); st != "" {
			params.Set("state", st)
		}
		if len(params) > 0 {
			target = withQuery(target, params)
		}
		pg.redirect(target)
		return
	}
	pg.render(http.StatusOK, "signedout", pageData{Title: "Sign out"})
}

// postLogoutRedirect returns the post_logout_redirect_uri when the app
// the request names registered it as a redirect URI; "" otherwise, for
// sign-out must not redirect anywhere a request asks. The app is the
// client_id's, else the audience of the id_token_hint, in the path's
// tenant or, for organizations and common, in the hint's or the
// session's.
func (pg *page) postLogoutRedirect(s *browserSession) (string, *oauthError) {
	uri, clientID := pg.form.Get("post_logout_redirect_uri"), pg.form.Get("client_id")
	if uri == "" {
		return "", nil
	}
	var tenants []string
	if hint := pg.form.Get("id_token_hint"); hint != "" {
		aud, tid := pg.e.idTokenHint(hint)
		if clientID == "" {
			clientID = aud
		}
		tenants = append(tenants, tid)
	}
	if clientID == "" {
		return "", nil
	}
	if pg.ref.tenant != nil {
		tenants = []string{pg.ref.tenant.ID}
	} else {
		for _, a := range s.data.Accounts {
			tenants = append(tenants, a.TenantID)
		}
	}
	for i, tid := range tenants {
		if tid == "" || slices.Contains(tenants[:i], tid) {
			continue
		}
		app, err := pg.e.dir.AppRegistration(pg.r.Context(), tid, clientID)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			continue
		} else if err != nil {
			return "", serverError(err)
		}
		if redirectPlatform(app, uri) != "" {
			return uri, nil
		}
	}
	return "", nil
}

// idTokenHint reads the app and tenant of an ID token this issuer signed.
// An expired one will do: it names, it does not authenticate.
func (e *endpoints) idTokenHint(raw string) (aud, tid string) {
	sig, err := parseToken(raw)
	if err != nil {
		return "", ""
	}
	key, ok := e.iss.keys[sig.Signatures[0].Header.KeyID]
	if !ok {
		return "", ""
	}
	payload, err := sig.Verify(key)
	if err != nil {
		return "", ""
	}
	var c struct {
		Aud string `json:"aud"`
		Tid string `json:"tid"`
	}
	json.Unmarshal(payload, &c)
	return c.Aud, c.Tid
}
