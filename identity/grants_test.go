package identity

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// pkcePair returns a code verifier and its S256 challenge.
func pkcePair(seed string) (verifier, challenge string) {
	verifier = strings.Repeat(seed, 43)[:43]
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestRedeemingClient redeems codes issued straight from the store: a
// single-page app's without credentials, from its origin; none by a client
// other than the one it was issued to.
func TestRedeemingClient(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	dir := demoDirectory(t)
	h := iss.Handler(dir)
	e := &endpoints{iss: iss, dir: dir}
	tenant, _ := dir.Tenant(t.Context(), tenantA)
	verifier, challenge := pkcePair("v")
	issue := func(client, redirect, platform string) string {
		code, oerr := e.newCode(httptest.NewRequest("GET", "/", nil), tenant, codeData{ClientID: client, RedirectURI: redirect,
			Platform: platform, Challenge: challenge, Method: "S256", UserID: ana, Scope: "User.Read offline_access",
			AuthTime: time.Now().Unix()})
		if oerr != nil {
			t.Fatal(oerr.msg)
		}
		return code
	}
	redeem := func(client, code, redirect string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "client_id": {client}, "code": {code},
			"redirect_uri": {redirect}, "code_verifier": {verifier}}
	}
	origin := []string{"Origin", "https://spa.contoso.example"}

	status, body, hdr := post(t, h, tokenPath(tenantA), redeem(spaApp, issue(spaApp, spaRedirect, "spa"), spaRedirect), origin...)
	if status != 200 || hdr.Get("Access-Control-Allow-Origin") != origin[1] {
		t.Fatalf("SPA code: %d %v", status, body)
	}
	refresh := url.Values{"grant_type": {"refresh_token"}, "client_id": {spaApp}, "refresh_token": {body["refresh_token"].(string)}}
	if status, body, _ := post(t, h, tokenPath(tenantA), refresh, origin...); status != 200 {
		t.Errorf("SPA refresh token: %d %v", status, body)
	}
	status, body, _ = post(t, h, tokenPath(tenantA), redeem(spaApp, issue(spaApp, spaRedirect, "spa"), spaRedirect))
	wantError(t, status, body, 400, "invalid_request", 9002327)

	// A certificate's assertion without client_id names its own app, which
	// is not the one the code was issued to.
	f := redeem("", issue(cliApp, "http://localhost", "public"), "http://localhost")
	f.Del("client_id")
	f.Set("client_assertion_type", clientAssertionType)
	f.Set("client_assertion", assertion(t, jose.RS256, false, nil))
	status, body, _ = post(t, h, tokenPath(tenantA), f)
	wantError(t, status, body, 400, "invalid_grant", 70000)
}

// TestTokenPreflight: a single-page app's browser asks before its
// cross-origin POST; the answer lets the POST through, and the POST's own
// answer decides whether the page may read it (TestRedeemingClient).
func TestTokenPreflight(t *testing.T) {
	iss, _ := testSetup(t, time.Now())
	h := iss.Handler(demoDirectory(t))
	req := httptest.NewRequest("OPTIONS", tokenPath(tenantA), nil)
	req.Header.Set("Origin", "https://spa.contoso.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, client-request-id")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	hdr := rec.Header()
	if rec.Code != 204 || hdr.Get("Access-Control-Allow-Origin") != "https://spa.contoso.example" ||
		!strings.Contains(hdr.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(strings.ToLower(hdr.Get("Access-Control-Allow-Headers")), "client-request-id") {
		t.Errorf("preflight: %d %v", rec.Code, hdr)
	}
}
