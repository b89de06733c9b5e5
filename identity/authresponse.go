package identity

import (
	"context"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// checkClient checks what must hold before any answer goes to the
// redirect URI: the app is one of tenant t's, and it registered the
// redirect URI. It returns the app, the redirect URI and the platform it
// is registered for: "spa", else "public" for a public client, else "web".
// Without a redirect_uri, an app with a single one gets its answer there.
func (e *endpoints) checkClient(ctx context.Context, t *teamsops.Tenant, p url.Values) (*teamsops.AppRegistration, string, string, *oauthError) {
	if p.Get("client_id") == "" {
		return nil, "", "", missingAuthorizeParameter("client_id")
	}
	app, oerr := e.appRegistration(ctx, t, p.Get("client_id"))
	if oerr != nil {
		return nil, "", "", oerr
	}
	redirect := p.Get("redirect_uri")
	if redirect == "" {
		switch all := append(slices.Clone(app.RedirectURIs), app.SPARedirectURIs...); len(all) {
		case 0:
			return nil, "", "", badRequest("invalid_request", 500113, "No reply address is registered for the application.")
		case 1:
			redirect = all[0]
		default:
			return nil, "", "", missingAuthorizeParameter("redirect_uri")
		}
	}
	platform := redirectPlatform(app, redirect)
	if platform == "" {
		return nil, "", "", badRequest("invalid_request", 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one registered for the application.", redirect, app.ClientID))
	}
	return app, redirect, platform, nil
}

// redirectPlatform returns the platform app registered uri for, or ""
// if it did not. URIs match exactly, except that a public client's http
// loopback URI matches on any port: a native app listens on whichever
// port is free (RFC 8252, section 7.3), as MSAL's interactive flows do.
func redirectPlatform(app *teamsops.AppRegistration, uri string) string {
	u, err := url.Parse(uri)
	if err != nil || !u.IsAbs() {
		return ""
	}
	switch u.Scheme {
	case "javascript", "data", "vbscript", "file":
		return ""
	}
	public := "web"
	if app.PublicClient {
		public = "public"
	}
	switch {
	case slices.Contains(app.SPARedirectURIs, uri):
		return "spa"
	case slices.Contains(app.RedirectURIs, uri):
		return public
	case app.PublicClient && slices.ContainsFunc(app.RedirectURIs, func(r string) bool { return sameLoopback(r, u) }):
		return "public"
	}
	return ""
}

// sameLoopback reports whether the registered URI and u are the same
// http loopback URI but for the port.
func sameLoopback(registered string, u *url.URL) bool {
	r, err := url.Parse(registered)
	if err != nil || r.Scheme != "http" || u.Scheme != "http" || r.User != nil || u.User != nil {
		return false
	}
	switch strings.ToLower(r.Hostname()) {
	case "localhost", "127.0.0.1", "::1":
	default:
		return false
	}
	path := func(u *url.URL) string {
		if p := u.EscapedPath(); p != "" {
			return p
		}
		return "/"
	}
	return strings.EqualFold(r.Hostname(), u.Hostname()) && path(r) == path(u) &&
		r.RawQuery == u.RawQuery && r.Fragment == "" && u.Fragment == ""
}

// finish issues the authorization code for a signed-in user.
func (fl *authFlow) finish(u signedInUser) {
	challenge, method := fl.p.Get("code_challenge"), fl.p.Get("code_challenge_method")
	if challenge != "" && method == "" {
		method = "plain" // RFC 7636, section 4.3
	}
	code, oerr := fl.pg.e.newCode(fl.pg.r, fl.t, codeData{ClientID: fl.app.ClientID, RedirectURI: fl.redirect,
		Platform: fl.platform, Challenge: challenge, Method: method, UserID: u.user.ID, Scope: fl.p.Get("scope"),
		Nonce: fl.p.Get("nonce"), AuthTime: u.acct.AuthTime})
	if oerr != nil {
		fl.refuse(oerr)
		return
	}
	params := url.Values{"code": {code}}
	if fl.p.Get("client_info") == "1" {
		params.Set("client_info", clientInfo(u.user.ID, fl.t.ID))
	}
	fl.respond(params)
}

// refuse answers an error to the app, as Entra's error response
// ("Error response").
func (fl *authFlow) refuse(oerr *oauthError) {
	trace, corr := traceIDs(fl.pg.w, fl.pg.r)
	ts := fl.pg.now().UTC().Format("2006-01-02 15:04:05Z")
	fl.respond(url.Values{"error": {oerr.code}, "error_description": {oerr.description(trace, corr, ts)}})
}

// respond sends the answer to the redirect URI in the response mode
// asked: in its query, in its fragment, or posted by a form that submits
// itself (OAuth 2.0 Form Post Response Mode), with a button for browsers
// without JavaScript.
func (fl *authFlow) respond(params url.Values) {
	if s := fl.p.Get("state"); s != "" {
		params.Set("state", s)
	}
	switch fl.mode {
	case "form_post":
		d := pageData{Title: "Working...", PostTo: template.URL(fl.redirect)} // registered, and not a script
		for _, k := range slices.Sorted(maps.Keys(params)) {
			d.Hidden = append(d.Hidden, field{k, params.Get(k)})
		}
		fl.pg.render(http.StatusOK, "formpost", d)
	case "fragment":
		base, _, _ := strings.Cut(fl.redirect, "#")
		fl.pg.redirect(base + "#" + params.Encode())
	default:
		fl.pg.redirect(withQuery(fl.redirect, params))
	}
}

// withQuery adds params to the query of uri, keeping what it has, and
// drops its fragment.
func withQuery(uri string, params url.Values) string {
	base, _, _ := strings.Cut(uri, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + params.Encode()
}
