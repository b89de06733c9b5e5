package identity

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
)

// The device code flow's timing ("Microsoft identity platform and the
// OAuth 2.0 device authorization grant flow"): codes live 15 minutes and
// clients poll every 5 seconds.
const (
	deviceCodeTTL      = 15 * time.Minute
	deviceCodeInterval = 5
)

// deviceData is what a device code grant keeps; the user code's grant
// names it by DeviceKey.
type deviceData struct {
	ClientID string `json:"clientId"`
	Scope    string `json:"scope"`
	UserCode string `json:"userCode"`
	Status   string `json:"status"` // "pending", "approved" or "declined"
	UserID   string `json:"userId,omitempty"`
	AuthTime int64  `json:"authTime,omitempty"`
	LastPoll int64  `json:"lastPoll,omitempty"` // Unix milliseconds
}

// userCodeData is the grant of a user code: the device code's key.
type userCodeData struct {
	DeviceKey string `json:"deviceKey"`
}

// deviceAuthorization is the devicecode endpoint's answer.
type deviceAuthorization struct {
	UserCode        string `json:"user_code"`
	DeviceCode      string `json:"device_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"`
	Interval        int    `json:"interval"`
	Message         string `json:"message"`
}

// deviceCode serves POST /{tenant}/oauth2/v2.0/devicecode: a public
// client asks for a device code and a user code to show its user.
func (e *endpoints) deviceCode(w http.ResponseWriter, r *http.Request) {
	ref, ok := e.tenantRef(w, r, "invalid_request")
	if !ok {
		return
	}
	res, oerr := e.startDeviceFlow(w, r, ref)
	if oerr != nil {
		writeOAuthError(w, r, oerr)
		return
	}
	traceIDs(w, r)
	w.Header().Set("Cache-Control", "no-store, no-cache")
	writeJSON(w, http.StatusOK, res)
}

func (e *endpoints) startDeviceFlow(w http.ResponseWriter, r *http.Request, ref tenantRef) (*deviceAuthorization, *oauthError) {
	if r.Method != http.MethodPost {
		return nil, &oauthError{status: http.StatusMethodNotAllowed, code: "invalid_request", aadsts: 900561,
			msg: fmt.Sprintf("The endpoint only accepts POST requests. Received a %s request.", r.Method)}
	}
	t, oerr := ref.single()
	if oerr != nil {
		return nil, oerr
	}
	form, oerr := readTokenForm(w, r)
	if oerr != nil {
		return nil, oerr
	}
	if form.clientID == "" {
		return nil, missingParameter("client_id")
	}
	if form.get("scope") == "" {
		return nil, missingParameter("scope")
	}
	client, oerr := e.authenticateClient(r, t, form, false)
	if oerr != nil {
		return nil, oerr
	}
	if !client.PublicClient {
		return nil, &oauthError{status: http.StatusUnauthorized, code: "invalid_client", aadsts: 7000218,
			msg: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'. The device code flow needs an app that allows public client flows."}
	}
	req, oerr := e.parseScope(r.Context(), t, form.get("scope"))
	if oerr != nil {
		return nil, oerr
	}
	if _, oerr := grantDelegated(client, req); oerr != nil {
		return nil, oerr
	}
	userCode := newUserCode()
	d := deviceData{ClientID: client.ClientID, Scope: form.get("scope"), UserCode: userCode, Status: "pending"}
	deviceCode, oerr := e.newSecretGrant(r.Context(), t.ID, teamsops.GrantDeviceCode, d, deviceCodeTTL)
	if oerr != nil {
		return nil, oerr
	}
	exp := e.iss.Now().Add(deviceCodeTTL)
	if _, oerr := e.putGrant(r, t, teamsops.GrantUserCode, userCode, userCodeData{DeviceKey: secretKey(deviceCode)}, exp); oerr != nil {
		return nil, oerr
	}
	uri := e.iss.publicURL + "/" + t.ID + "/oauth2/deviceauth"
	return &deviceAuthorization{
		UserCode: userCode, DeviceCode: deviceCode, VerificationURI: uri,
		ExpiresIn: int(deviceCodeTTL.Seconds()), Interval: deviceCodeInterval,
		Message: fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", uri, userCode),
	}, nil
}

// userCodeAlphabet leaves out letters and digits people confuse (0 and O,
// 1 and I); codes are nine of them, as Entra's.
const userCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newUserCode() string {
	var b [9]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:])
}

// normalizeUserCode reads a user code as typed: any case, spaces and
// dashes ignored.
func normalizeUserCode(s string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// deviceCodeGrant serves a client's polls with its device code: pending
// until the user signs in on the device page (authorization_pending),
// slow_down when polled faster than the interval, then tokens once.
func (e *endpoints) deviceCodeGrant(r *http.Request, ref tenantRef, form *tokenForm) (*tokenResponse, *oauthError) {
	var d deviceData
	t, g, oerr := e.formGrant(r.Context(), ref, form, "device_code", teamsops.GrantDeviceCode, false, &d)
	if oerr != nil {
		return nil, oerr
	}
	now := e.iss.Now()
	switch {
	case g == nil:
		return nil, badRequest("invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.")
	case now.After(g.ExpiresAt):
		return nil, badRequest("expired_token", 70019, "Verification code expired.")
	case form.clientID != d.ClientID:
		return nil, badRequest("invalid_grant", 70000, "The provided value for the 'device_code' parameter is not valid. The code was issued to a different client.")
	}
	client, oerr := e.authenticateClient(r, t, form, false)
	if oerr != nil {
		return nil, oerr
	}
	switch d.Status {
	case "declined":
		e.dir.DeleteSignInGrant(r.Context(), t.ID, teamsops.GrantDeviceCode, g.Key)
		return nil, badRequest("authorization_declined", 70000, "The end user denied the authorization request.")
	case "approved":
		// Single use: of two polls at once, one gets the tokens.
		if _, err := e.dir.TakeSignInGrant(r.Context(), t.ID, teamsops.GrantDeviceCode, g.Key); err != nil {
			return nil, badRequest("invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.")
		}
		return e.redeemForUser(r, t, client, form, d.UserID, "", d.Scope, "", time.Unix(d.AuthTime, 0), "public")
	}
	last := d.LastPoll
	d.LastPoll = now.UnixMilli()
	if _, oerr := e.putGrant(r, t, teamsops.GrantDeviceCode, g.Key, d, g.ExpiresAt); oerr != nil {
		return nil, oerr
	}
	// RFC 8628 section 3.5: a client polling faster than the interval is
	// told to slow down. Half the interval leaves room for a client's
	// timer and the network.
	if last != 0 && now.UnixMilli()-last < deviceCodeInterval*1000/2 {
		return nil, badRequest("slow_down", 70016, "OAuth 2.0 device flow error. Authorization is pending. Poll less often: wait the interval between polls.")
	}
	return nil, badRequest("authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
}

// approveDevice records the user's answer on the device page for the
// device code the user code names.
func (e *endpoints) approveDevice(r *http.Request, t *teamsops.Tenant, userCode string, user *teamsops.User, approve bool) *oauthError {
	g, d, oerr := e.deviceByUserCode(r.Context(), t, userCode)
	if oerr != nil {
		return oerr
	}
	d.Status, d.UserID, d.AuthTime = "declined", user.ID, e.iss.Now().Unix()
	if approve {
		d.Status = "approved"
	}
	_, oerr = e.putGrant(r, t, teamsops.GrantDeviceCode, g.Key, d, g.ExpiresAt)
	if oerr == nil {
		e.dir.DeleteSignInGrant(r.Context(), t.ID, teamsops.GrantUserCode, normalizeUserCode(userCode))
	}
	return oerr
}

// deviceByUserCode finds the pending device code a user code names, for
// the device page to name its app and then record the user's answer.
func (e *endpoints) deviceByUserCode(ctx context.Context, t *teamsops.Tenant, userCode string) (*teamsops.SignInGrant, deviceData, *oauthError) {
	var d deviceData
	uc, err := e.dir.SignInGrant(ctx, t.ID, teamsops.GrantUserCode, normalizeUserCode(userCode))
	if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return nil, d, serverError(err)
	}
	var ud userCodeData
	if err == nil {
		json.Unmarshal(uc.Data, &ud)
	}
	g, err := e.dir.SignInGrant(ctx, t.ID, teamsops.GrantDeviceCode, ud.DeviceKey)
	if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return nil, d, serverError(err)
	}
	if err != nil || e.iss.Now().After(g.ExpiresAt) {
		return nil, d, badRequest("invalid_grant", 70000, "The code you entered has expired or is not valid. Get a new code from the device you're trying to sign in to and try again.")
	}
	if err := json.Unmarshal(g.Data, &d); err != nil {
		return nil, d, serverError(err)
	}
	if d.Status != "pending" {
		return nil, d, badRequest("invalid_grant", 70000, "The code you entered has been used already. Get a new code from the device you're trying to sign in to and try again.")
	}
	return g, d, nil
}
