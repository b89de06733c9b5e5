package identity

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/teamsops/teamsops"
)

// authorizeParameters are the parameters of an authorization request that
// the sign-in pages carry from one step to the next ("Microsoft identity
// platform and OAuth 2.0 authorization code flow": "Request an
// authorization code"; max_age from OpenID Connect Core; client_info as
// MSAL sends it).
var authorizeParameters = []string{"client_id", "response_type", "redirect_uri", "scope", "response_mode", "state",
	"nonce", "code_challenge", "code_challenge_method", "login_hint", "domain_hint", "prompt", "max_age", "client_info"}

// authFlow is an authorization request on its way through the sign-in
// pages.
type authFlow struct {
	pg *page
	p  url.Values

	// Known once bind has checked the request against the tenant.
	t        *teamsops.Tenant
	app      *teamsops.AppRegistration
	redirect string // the redirect URI, exactly as sent
	platform string // the code's: "web", "spa" or "public"
	mode     string // "query", "fragment" or "form_post"
	maxAge   int64  // seconds; -1 when not given
}

// authorize serves GET and POST /{tenant}/oauth2/v2.0/authorize: the
// authorization request, then each of the sign-in pages' forms.
func (e *endpoints) authorize(w http.ResponseWriter, r *http.Request) {
	pg, ok := e.openPage(w, r)
	if !ok {
		return
	}
	fl := &authFlow{pg: pg, p: url.Values{}, maxAge: -1}
	for _, k := range authorizeParameters {
		if v := pg.form.Get(k); v != "" {
			fl.p.Set(k, v)
		}
	}
	// With organizations or common, the tenant is the user's, known
	// once they name themselves.
	if pg.ref.tenant != nil && !fl.bind(pg.ref.tenant) {
		return
	}
	if pg.signInStep(fl) {
		return
	}
	switch pg.step() {
	case "kmsi":
		fl.stayOrNot()
	default:
		fl.start()
	}
}

func (fl *authFlow) carried() []field {
	var out []field
	for _, k := range authorizeParameters {
		if v := fl.p.Get(k); v != "" {
			out = append(out, field{k, v})
		}
	}
	return out
}

// bind checks the request against tenant t. The app and its redirect URI
// come first, and a failure shows an error page: Entra never redirects to
// a URI the app did not register. Every later error goes to the app.
func (fl *authFlow) bind(t *teamsops.Tenant) bool {
	if fl.t != nil {
		if fl.t.ID != t.ID {
			fl.pg.fail(badRequest("invalid_request", 90023, "The account is not of the tenant the request was made to."))
			return false
		}
		return true
	}
	app, redirect, platform, oerr := fl.pg.e.checkClient(fl.pg.r.Context(), t, fl.p)
	if oerr != nil {
		fl.pg.fail(oerr)
		return false
	}
	fl.t, fl.app, fl.redirect, fl.platform, fl.mode = t, app, redirect, platform, "query"
	if oerr := fl.check(); oerr != nil {
		fl.refuse(oerr)
		return false
	}
	return true
}

// check checks the rest of the request, once its answers can go to the
// redirect URI.
func (fl *authFlow) check() *oauthError {
	p := fl.p
	switch m := p.Get("response_mode"); m {
	case "", "query":
	case "fragment", "form_post":
		fl.mode = m
	default:
		return badRequest("invalid_request", 90023, fmt.Sprintf("The provided value for the input parameter 'response_mode' is not valid: '%s'. Expected 'query', 'fragment' or 'form_post'.", m))
	}
	if oerr := checkResponseType(p.Get("response_type")); oerr != nil {
		return oerr
	}
	switch pr := p.Get("prompt"); pr {
	case "", "login", "none", "consent", "select_account":
	default:
		return badRequest("invalid_request", 90023, fmt.Sprintf("The provided value for the input parameter 'prompt' is not valid: '%s'. Expected 'login', 'none', 'consent' or 'select_account'.", pr))
	}
	if v := p.Get("max_age"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return badRequest("invalid_request", 90023, fmt.Sprintf("The provided value for the input parameter 'max_age' is not valid: '%s'.", v))
		}
		fl.maxAge = n
	}
	if oerr := checkChallenge(p.Get("code_challenge"), p.Get("code_challenge_method"), fl.platform); oerr != nil {
		return oerr
	}
	if p.Get("scope") == "" {
		return missingAuthorizeParameter("scope")
	}
	req, oerr := fl.pg.e.parseScope(fl.pg.r.Context(), fl.t, p.Get("scope"))
	if oerr != nil {
		return oerr
	}
	// Consent is the tenant's, granted by its file: a permission it did
	// not grant cannot be consented to here, as for a user whom Entra
	// does not let consent.
	if _, oerr := grantDelegated(fl.app, req); oerr != nil {
		if oerr.aadsts == 65001 {
			oerr.code = "consent_required"
		}
		return oerr
	}
	return nil
}

// start answers a new authorization request: single sign-on with the
// browser's session where the request allows it, else the sign-in pages.
func (fl *authFlow) start() {
	pg := fl.pg
	s, oerr := pg.session()
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	hint, prompt := fl.p.Get("login_hint"), fl.p.Get("prompt")
	if fl.t == nil {
		t, oerr := fl.guessTenant(s)
		if oerr != nil {
			pg.fail(oerr)
			return
		}
		if t == nil {
			fl.startAnywhere(s)
			return
		}
		if !fl.bind(t) {
			return
		}
	}
	users, oerr := pg.users(s, fl.t.ID)
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	hinted := slices.IndexFunc(users, func(u signedInUser) bool { return strings.EqualFold(u.user.UserPrincipalName, hint) })
	switch {
	case prompt == "none":
		fl.silent(users, hinted)
	case prompt == "login" && hint != "":
		pg.enterUsername(fl, hint)
	case prompt == "login":
		pg.askUsername(fl, "", "", 0)
	case prompt == "select_account" && len(users) > 0:
		pg.pickAccount(fl, users)
	case hinted >= 0:
		fl.signedIn(s, users[hinted], false)
	case hint != "":
		pg.enterUsername(fl, hint)
	case len(users) == 1 && prompt != "select_account":
		fl.signedIn(s, users[0], false)
	case len(users) > 1:
		pg.pickAccount(fl, users)
	default:
		pg.askUsername(fl, "", "", 0)
	}
}

// guessTenant finds the tenant of an organizations or common request
// before the user names themselves: the login hint's or domain hint's
// domain, or the tenant of every account of the session.
func (fl *authFlow) guessTenant(s *browserSession) (*teamsops.Tenant, *oauthError) {
	if hint := fl.p.Get("login_hint"); strings.Contains(hint, "@") {
		if t, oerr := fl.pg.userTenant(hint); t != nil || oerr != nil {
			return t, oerr
		}
	}
	if d := fl.p.Get("domain_hint"); d != "" {
		if t, oerr := fl.pg.userTenant("@" + d); t != nil || oerr != nil {
			return t, oerr
		}
	}
	var tid string
	for _, a := range s.data.Accounts {
		if tid != "" && a.TenantID != tid {
			return nil, nil
		}
		tid = a.TenantID
	}
	if tid == "" {
		return nil, nil
	}
	return fl.pg.accountTenant(sessionAccount{TenantID: tid})
}

// startAnywhere starts an organizations or common request whose tenant is
// not known yet: nothing can be checked, so nothing goes to the redirect
// URI until the user names themselves or picks an account.
func (fl *authFlow) startAnywhere(s *browserSession) {
	pg := fl.pg
	if fl.p.Get("prompt") == "none" {
		_, oerr := pg.ref.single()
		pg.fail(oerr)
		return
	}
	users, oerr := pg.users(s, "")
	switch {
	case oerr != nil:
		pg.fail(oerr)
	case len(users) > 0 && fl.p.Get("prompt") != "login":
		pg.pickAccount(fl, users)
	case fl.p.Get("login_hint") != "":
		pg.enterUsername(fl, fl.p.Get("login_hint"))
	default:
		pg.askUsername(fl, "", "", 0)
	}
}

// silent answers prompt=none: a code for the session's only account, or
// the one the login hint names, and never a page.
func (fl *authFlow) silent(users []signedInUser, hinted int) {
	switch {
	case hinted >= 0 && !fl.stale(users[hinted]):
		fl.finish(users[hinted])
	case fl.p.Get("login_hint") != "":
		fl.refuse(badRequest("login_required", 50058, "A silent sign-in request was sent but none of the currently signed in user(s) match the requested login hint."))
	case len(users) == 0 || len(users) == 1 && fl.stale(users[0]):
		fl.refuse(badRequest("login_required", 50058, "A silent sign-in request was sent but no user is signed in."))
	case len(users) == 1:
		fl.finish(users[0])
	default:
		fl.refuse(badRequest("interaction_required", 16000, "SelectUserAccount - More than one account is signed in, and the request does not say which: the user must pick one."))
	}
}

// stale reports whether the user signed in longer ago than max_age allows.
func (fl *authFlow) stale(u signedInUser) bool {
	return fl.maxAge >= 0 && fl.pg.now().Unix()-u.acct.AuthTime > fl.maxAge
}

// signedIn asks a user who has just entered their password whether to
// stay signed in; one chosen from the session gets the code.
func (fl *authFlow) signedIn(s *browserSession, u signedInUser, fresh bool) {
	switch {
	case fresh:
		fl.pg.render(http.StatusOK, "kmsi", pageData{Step: "kmsi", Hidden: append(fl.carried(), field{"uid", u.user.ID}),
			Username: u.user.UserPrincipalName})
	case fl.stale(u):
		fl.pg.askPassword(fl, u.user.UserPrincipalName, "", 0)
	default:
		fl.finish(u)
	}
}

// stayOrNot answers "Stay signed in?": Yes makes the session persistent;
// either way the user, who is in the session since their password, gets
// the code.
func (fl *authFlow) stayOrNot() {
	pg := fl.pg
	s, u := pg.formUser(fl)
	if u == nil {
		return
	}
	t, oerr := pg.accountTenant(u.acct)
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	if !fl.bind(t) {
		return
	}
	if pg.form.Get("kmsi") == "Yes" {
		if oerr := pg.staySignedIn(s); oerr != nil {
			pg.fail(oerr)
			return
		}
	}
	fl.finish(*u)
}

// checkResponseType accepts the authorization code flow's response type:
// the implicit and hybrid flows are not enabled for any app.
func checkResponseType(rt string) *oauthError {
	types := strings.Fields(rt)
	switch {
	case len(types) == 0:
		return missingAuthorizeParameter("response_type")
	case len(types) == 1 && types[0] == "code":
		return nil
	case slices.Contains(types, "token"):
		rt = "token"
	case slices.Contains(types, "id_token"):
		return badRequest("unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application.")
	}
	return badRequest("unsupported_response_type", 700051, fmt.Sprintf("response_type '%s' is not enabled for the application.", rt))
}

// checkChallenge checks a PKCE code challenge (RFC 7636): S256's is a
// SHA-256 in base64url, 43 characters; plain's a verifier, 43 to 128. A
// single-page app must send one.
func checkChallenge(challenge, method, platform string) *oauthError {
	if challenge == "" {
		if platform == "spa" {
			return badRequest("invalid_request", 9002325, "Proof Key for Code Exchange is required for cross-origin authorization code redemption.")
		}
		return nil
	}
	size := len(challenge) >= 43 && len(challenge) <= 128
	switch method {
	case "S256":
		size = len(challenge) == 43
	case "", "plain":
	default:
		return badRequest("invalid_request", 50149, "Invalid Code_Challenge_method parameter.")
	}
	unreserved := strings.Trim(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == ""
	if !size || !unreserved {
		return badRequest("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
	}
	return nil
}

// missingAuthorizeParameter is the authorization endpoint's error for a
// parameter it needs.
func missingAuthorizeParameter(name string) *oauthError {
	return badRequest("invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", name))
}
