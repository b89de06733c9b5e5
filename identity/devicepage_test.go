package identity

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDevice asks the devicecode endpoint for codes, as a CLI does.
func startDevice(t *testing.T, b *browser) (userCode, deviceCode, uri string) {
	t.Helper()
	status, body, _ := post(t, b.h, "/"+tenantA+"/oauth2/v2.0/devicecode", url.Values{"client_id": {cliApp}, "scope": {msalScope}})
	if status != 200 {
		t.Fatalf("devicecode: %d %v", status, body)
	}
	return body["user_code"].(string), body["device_code"].(string), body["verification_uri"].(string)
}

func pollDevice(t *testing.T, b *browser, deviceCode string) (int, map[string]any) {
	t.Helper()
	return pollDeviceAs(t, b, deviceCodeGrant, deviceCode)
}

// pollDeviceAs polls with the grant type spelled grantType: MSAL for Go
// sends "device_code", others the URN.
func pollDeviceAs(t *testing.T, b *browser, grantType, deviceCode string) (int, map[string]any) {
	t.Helper()
	status, body, _ := post(t, b.h, tokenPath(tenantA), url.Values{"grant_type": {grantType}, "client_id": {cliApp},
		"device_code": {deviceCode}})
	return status, body
}

func TestDevicePage(t *testing.T) {
	iss, v := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	for _, tc := range []struct {
		name    string
		grant   string // the poll's grant type, if not the URN
		session bool   // the browser is signed in already
		typed   func(string) string
		button  string // on the confirmation
		done    string
		error   string // the poll's, after
	}{
		{name: "approved", typed: func(c string) string { return c }, button: "idSIButton9",
			done: "You have signed in to the cli application on your device. You may now close this window."},
		{name: "approved, polled as MSAL for Go does", grant: "device_code", typed: func(c string) string { return c },
			button: "idSIButton9", done: "You have signed in"},
		{name: "approved from the session, code typed loosely", session: true,
			typed:  func(c string) string { return strings.ToLower(c[:4]) + "-" + c[4:] },
			button: "idSIButton9", done: "You have signed in to the cli application"},
		{name: "declined", typed: func(c string) string { return c }, button: "idBtn_Back",
			done: "You cancelled the sign-in", error: "authorization_declined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, h)
			if tc.session {
				p, _ := codeRequest(cliApp, "http://localhost:3", nil)
				b.signIn(b.get(authorizePath(tenantA, p)), "ana@contoso.example", anaPassword, false)
			}
			userCode, deviceCode, uri := startDevice(t, b)
			if uri != publicURL+"/"+tenantA+"/oauth2/deviceauth" {
				t.Errorf("verification_uri = %s", uri)
			}
			if status, body := pollDevice(t, b, deviceCode); status != 400 || body["error"] != "authorization_pending" {
				t.Errorf("before the page: %d %v", status, body)
			}
			r := b.submit(b.get(uri), map[string]string{"otc": tc.typed(userCode)}, "idSIButton9")
			if tc.session {
				r = b.submit(r, nil, "ana@contoso.example")
			} else {
				r = b.submit(r, map[string]string{"loginfmt": "ana@contoso.example"}, "idSIButton9")
				r = b.submit(r, map[string]string{"passwd": anaPassword}, "idSIButton9")
			}
			if !strings.Contains(r.body, "Are you trying to sign in to cli?") {
				t.Fatalf("confirmation: %d %s", r.status, r.body)
			}
			if r = b.submit(r, nil, tc.button); !strings.Contains(r.body, tc.done) {
				t.Fatalf("last page: %d %s", r.status, r.body)
			}
			grant := deviceCodeGrant
			if tc.grant != "" {
				grant = tc.grant
			}
			status, body := pollDeviceAs(t, b, grant, deviceCode)
			if tc.error != "" {
				wantError(t, status, body, 400, tc.error, 70000)
				return
			}
			if status != 200 {
				t.Fatalf("poll: %d %v", status, body)
			}
			if p, err := v.Validate(t.Context(), body["access_token"].(string)); err != nil || p.UserID != ana || p.AppID != cliApp {
				t.Errorf("token: %+v %v", p, err)
			}
		})
	}
}

// TestDeviceCodeGrantNames polls by both names of the device code grant:
// RFC 8628's URN, and "device_code", which MSAL for JavaScript sends.
func TestDeviceCodeGrantNames(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	for _, grant := range []string{deviceCodeGrant, "device_code"} {
		t.Run(grant, func(t *testing.T) {
			b := newBrowser(t, h)
			userCode, deviceCode, uri := startDevice(t, b)
			poll := url.Values{"grant_type": {grant}, "client_id": {cliApp}, "device_code": {deviceCode}}
			status, body, _ := post(t, b.h, tokenPath(tenantA), poll)
			wantError(t, status, body, 400, "authorization_pending", 70016)
			r := b.signInTo(b.submit(b.get(uri), map[string]string{"otc": userCode}, "idSIButton9"))
			b.submit(r, nil, "idSIButton9")
			if status, body, _ := post(t, b.h, tokenPath(tenantA), poll); status != 200 || body["access_token"] == nil {
				t.Errorf("after the page: %d %v", status, body)
			}
		})
	}
}

var otcError = regexp.MustCompile(`id="otcError"[^>]*>([^<]*)`)

func TestDevicePageRefusals(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	b := newBrowser(t, h)
	enter := func(code string) *response {
		return b.submit(b.get("/"+tenantA+"/oauth2/deviceauth"), map[string]string{"otc": code}, "idSIButton9")
	}
	for _, code := range []string{"", "ABCDEFGHJ", "not a code"} {
		r := enter(code)
		m := otcError.FindStringSubmatch(r.body)
		if r.status != 200 || m == nil || !strings.Contains(m[1], "The code you entered has expired or is not valid.") || !r.has(t, "otc") {
			t.Errorf("code %q: %d %s", code, r.status, r.body)
		}
	}
	// A code answered once is spent: entering it again says so.
	userCode, _, uri := startDevice(t, b)
	r := b.submit(b.get(uri), map[string]string{"otc": userCode}, "idSIButton9")
	r = b.signInTo(r)
	b.submit(r, nil, "idSIButton9")
	if r := enter(userCode); !otcError.MatchString(r.body) {
		t.Errorf("a spent code: %s", r.body)
	}
	// The page needs a tenant, as the devicecode endpoint does.
	if r := b.get("/organizations/oauth2/deviceauth"); r.status != 400 || !strings.Contains(r.body, "AADSTS50059") {
		t.Errorf("organizations: %d %s", r.status, r.body)
	}
}

// signInTo signs Ana in from the first sign-in page, without the "Stay
// signed in?" question the device page does not ask.
func (b *browser) signInTo(r *response) *response {
	b.t.Helper()
	r = b.submit(r, map[string]string{"loginfmt": "ana@contoso.example"}, "idSIButton9")
	return b.submit(r, map[string]string{"passwd": anaPassword}, "idSIButton9")
}
