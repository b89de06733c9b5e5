package identity

import (
	"net/http"

	"github.com/teamsops/teamsops"
)

// deviceFlow is the device code page's sign-in ("Microsoft identity
// platform and the OAuth 2.0 device authorization grant flow"): the user
// enters the code their device shows, signs in, and confirms the app.
type deviceFlow struct {
	pg  *page
	t   *teamsops.Tenant
	otc string // the user code, as typed
}

// deviceAuth serves GET and POST /{tenant}/oauth2/deviceauth, the
// verification_uri of the devicecode endpoint. Like that endpoint it
// needs a tenant: a user code is found within its tenant.
func (e *endpoints) deviceAuth(w http.ResponseWriter, r *http.Request) {
	pg, ok := e.openPage(w, r)
	if !ok {
		return
	}
	t, oerr := pg.ref.single()
	if oerr != nil {
		pg.fail(oerr)
		return
	}
	fl := &deviceFlow{pg: pg, t: t, otc: pg.form.Get("otc")}
	if pg.signInStep(fl) {
		return
	}
	switch pg.step() {
	case "otc":
		fl.enterCode()
	case "confirm":
		fl.confirm()
	default:
		// Entra's device page takes the code from ?otc= too.
		fl.askCode("", 0)
	}
}

func (fl *deviceFlow) carried() []field { return []field{{"otc", fl.otc}} }

func (fl *deviceFlow) bind(t *teamsops.Tenant) bool {
	if t.ID != fl.t.ID {
		fl.pg.fail(badRequest("invalid_request", 90023, "The account is not of the tenant the code was issued in."))
		return false
	}
	return true
}

// askCode shows the first step: the user code.
func (fl *deviceFlow) askCode(msg string, aadsts int) {
	fl.pg.render(http.StatusOK, "otc", pageData{Title: "Enter code", Step: "otc", Code: fl.otc,
		Error: msg, ErrorID: "otcError", ErrorCode: aadsts})
}

// enterCode answers the first step: with a code that is pending, the
// account picker if the browser has a session, else the sign-in pages.
func (fl *deviceFlow) enterCode() {
	if _, ok := fl.pending(); !ok {
		return
	}
	s, oerr := fl.pg.session()
	var users []signedInUser
	if oerr == nil {
		users, oerr = fl.pg.users(s, fl.t.ID)
	}
	switch {
	case oerr != nil:
		fl.pg.fail(oerr)
	case len(users) > 0:
		fl.pg.pickAccount(fl, users)
	default:
		fl.pg.askUsername(fl, "", "", 0)
	}
}

// pending returns the app the user code is for while the code waits for
// an answer; otherwise it shows the first step again, with Entra's message.
func (fl *deviceFlow) pending() (*teamsops.AppRegistration, bool) {
	ctx := fl.pg.r.Context()
	_, d, oerr := fl.pg.e.deviceByUserCode(ctx, fl.t, fl.otc)
	var app *teamsops.AppRegistration
	if oerr == nil {
		app, oerr = fl.pg.e.appRegistration(ctx, fl.t, d.ClientID)
	}
	switch {
	case oerr == nil:
		return app, true
	case oerr.status >= http.StatusInternalServerError:
		fl.pg.fail(oerr)
	default:
		fl.askCode(oerr.msg, oerr.aadsts)
	}
	return nil, false
}

// signedIn asks the signed-in user to confirm the app: Entra's defence
// against a code sent to the user by someone else.
func (fl *deviceFlow) signedIn(_ *browserSession, u signedInUser, _ bool) {
	app, ok := fl.pending()
	if !ok {
		return
	}
	fl.pg.render(http.StatusOK, "confirm", pageData{Step: "confirm", Hidden: append(fl.carried(), field{"uid", u.user.ID}),
		Username: u.user.UserPrincipalName, App: appName(app)})
}

// confirm answers the confirmation: Continue approves the device's
// sign-in, Cancel declines it; the device's next poll learns which.
func (fl *deviceFlow) confirm() {
	pg := fl.pg
	s, u := pg.formUser(fl)
	if u == nil {
		return
	}
	answer := pg.form.Get("confirm")
	if answer != "Continue" && answer != "Cancel" {
		fl.signedIn(s, *u, false)
		return
	}
	app, ok := fl.pending()
	if !ok {
		return
	}
	if oerr := pg.e.approveDevice(pg.r, fl.t, fl.otc, u.user, answer == "Continue"); oerr != nil {
		if oerr.status >= http.StatusInternalServerError {
			pg.fail(oerr)
		} else {
			fl.askCode(oerr.msg, oerr.aadsts)
		}
		return
	}
	pg.render(http.StatusOK, "devicedone", pageData{Title: appName(app), App: appName(app), Approved: answer == "Continue"})
}
