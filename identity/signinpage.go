package identity

import (
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
)

// signInFlow is what the sign-in pages sign a user in for: an app's
// authorization request, or a device's user code.
type signInFlow interface {
	// carried are the fields every page of the flow posts back.
	carried() []field
	// bind checks the flow against the user's tenant once it is known;
	// it reports false when it has answered the request.
	bind(t *teamsops.Tenant) bool
	// signedIn continues once a user is signed in: fresh when they have
	// just entered their password, else chosen from the session.
	signedIn(s *browserSession, u signedInUser, fresh bool)
}

// What Entra's sign-in pages say when a step goes wrong.
const (
	msgNoUsername    = "Enter a valid email address."
	msgUnknownUser   = "This username may be incorrect. Make sure you typed it correctly. Otherwise, contact your admin."
	msgNoPassword    = "Please enter your password."
	msgWrongPassword = "Your account or password is incorrect. If you don't remember your password, ask your admin to reset it."
	msgLocked        = "Your account is temporarily locked to prevent unauthorized use. Try again later, and if you still have trouble, contact your admin."
	msgDisabled      = "Your account has been disabled. Contact your admin to enable it, then try again."
)

// askUsername shows step 1: the user's name.
func (pg *page) askUsername(fl signInFlow, username, msg string, aadsts int) {
	pg.render(http.StatusOK, "loginfmt", pageData{Step: "username", Hidden: fl.carried(), Username: username,
		Error: msg, ErrorID: "usernameError", ErrorCode: aadsts})
}

// askPassword shows step 2: the password of the user named.
func (pg *page) askPassword(fl signInFlow, username, msg string, aadsts int) {
	pg.render(http.StatusOK, "password", pageData{Step: "password", Hidden: fl.carried(), Username: username,
		Error: msg, ErrorID: "passwordError", ErrorCode: aadsts})
}

// pickAccount shows the account picker: the session's users, and
// another account.
func (pg *page) pickAccount(fl signInFlow, users []signedInUser) {
	d := pageData{Step: "pick", Hidden: fl.carried()}
	for _, u := range users {
		d.Accounts = append(d.Accounts, pickerAccount{UPN: u.user.UserPrincipalName, Name: u.user.DisplayName})
	}
	pg.render(http.StatusOK, "picker", d)
}

// userTenant is the tenant a user name signs in to: the path's, or, for
// organizations and common, that of the name's domain; nil when no tenant
// has that domain.
func (pg *page) userTenant(username string) (*teamsops.Tenant, *oauthError) {
	if pg.ref.tenant != nil {
		return pg.ref.tenant, nil
	}
	_, domain, ok := strings.Cut(username, "@")
	if !ok || domain == "" {
		return nil, nil
	}
	t, oerr := pg.e.findTenant(pg.r.Context(), domain)
	if oerr != nil && oerr.aadsts == 90002 {
		return nil, nil
	}
	return t, oerr
}

// signInStep answers the steps an app's sign-in and a device's share —
// the user name, the password and the account picker — and reports
// whether the form was posted from one of them.
func (pg *page) signInStep(fl signInFlow) bool {
	switch pg.step() {
	case "username":
		pg.enterUsername(fl, pg.form.Get("loginfmt"))
	case "password":
		pg.enterPassword(fl)
	case "pick":
		pg.choose(fl)
	default:
		return false
	}
	return true
}

// enterUsername answers step 1, or a login_hint: the password page for a
// user of the tenant, step 1 again with Entra's message for anyone else.
func (pg *page) enterUsername(fl signInFlow, username string) {
	username = strings.TrimSpace(username)
	if username == "" {
		pg.askUsername(fl, "", msgNoUsername, 0)
		return
	}
	t, oerr := pg.userTenant(username)
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	if t == nil {
		pg.askUsername(fl, username, msgUnknownUser, 50034)
		return
	}
	if !fl.bind(t) {
		return
	}
	_, err := pg.e.dir.User(pg.r.Context(), t.ID, username)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		pg.askUsername(fl, username, msgUnknownUser, 50034)
		return
	} else if err != nil {
		pg.fail(serverError(err))
		return
	}
	pg.askPassword(fl, username, "", 0)
}

// enterPassword answers step 2: it signs the user in (smart lockout
// included) and adds them to the browser's session.
func (pg *page) enterPassword(fl signInFlow) {
	username, password := strings.TrimSpace(pg.form.Get("loginfmt")), pg.form.Get("passwd")
	if username == "" {
		pg.askUsername(fl, "", msgNoUsername, 0)
		return
	}
	t, oerr := pg.userTenant(username)
	switch {
	case oerr != nil:
		pg.fail(oerr)
		return
	case t == nil:
		pg.enterUsername(fl, username)
		return
	case !fl.bind(t):
		return
	case password == "":
		pg.askPassword(fl, username, msgNoPassword, 0)
		return
	}
	u, oerr := pg.e.signIn(pg.r.Context(), t, username, password)
	if oerr != nil {
		switch oerr.aadsts {
		case 50034:
			pg.askUsername(fl, username, msgUnknownUser, 50034)
		case 50126:
			pg.askPassword(fl, username, msgWrongPassword, 50126)
		case 50053:
			pg.askPassword(fl, username, msgLocked, 50053)
		case 50057:
			pg.askPassword(fl, username, msgDisabled, 50057)
		default:
			pg.fail(oerr)
		}
		return
	}
	s, oerr := pg.session()
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	su, oerr := pg.addUser(s, t, u)
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	fl.signedIn(s, su, true)
}

// choose answers the account picker: a user of the session signs in
// without a password; another account, or one the session no longer
// has, goes through the sign-in pages.
func (pg *page) choose(fl signInFlow) {
	if pg.form.Has("other") {
		pg.askUsername(fl, "", "", 0)
		return
	}
	upn := pg.form.Get("account")
	s, u, oerr := pg.sessionUser(func(u signedInUser) bool { return strings.EqualFold(u.user.UserPrincipalName, upn) })
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	if u == nil {
		pg.enterUsername(fl, upn)
		return
	}
	t, oerr := pg.accountTenant(u.acct)
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	if fl.bind(t) {
		fl.signedIn(s, *u, false)
	}
}

// formUser returns the session's user that the posted form's uid names,
// the user a page after the password (Stay signed in?, the device's
// confirmation) acts for. When the session no longer holds them, it asks
// for a user name again and returns nil; on an error it shows the error
// and returns nil.
func (pg *page) formUser(fl signInFlow) (*browserSession, *signedInUser) {
	uid := pg.form.Get("uid")
	s, u, oerr := pg.sessionUser(func(u signedInUser) bool { return u.user.ID == uid })
	if oerr != nil {
		pg.fail(oerr)
		return nil, nil
	}
	if u == nil {
		pg.askUsername(fl, "", "", 0)
		return nil, nil
	}
	return s, u
}

// sessionUser finds a user of the browser's session, of the path's
// tenant if it names one.
func (pg *page) sessionUser(match func(signedInUser) bool) (*browserSession, *signedInUser, *oauthError) {
	s, oerr := pg.session()
	if oerr != nil {
		return nil, nil, oerr
	}
	tid := ""
	if pg.ref.tenant != nil {
		tid = pg.ref.tenant.ID
	}
	users, oerr := pg.users(s, tid)
	if oerr != nil {
		return nil, nil, oerr
	}
	for _, u := range users {
		if match(u) {
			return s, &u, nil
		}
	}
	return s, nil, nil
}

// accountTenant is the tenant of a session's account.
func (pg *page) accountTenant(a sessionAccount) (*teamsops.Tenant, *oauthError) {
	if pg.ref.tenant != nil && pg.ref.tenant.ID == a.TenantID {
		return pg.ref.tenant, nil
	}
	return pg.e.findTenant(pg.r.Context(), a.TenantID)
}
