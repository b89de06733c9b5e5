package http_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
)

const (
	otherApp = "5e0c2a8b-3f4d-4e6a-9b1c-7d8e9f0a1b2c"
	teamOp   = "/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation
)

// grant gives app an RSC permission on a demo chat or team.
func grant(t *testing.T, e *env, ref teamsops.ResourceRef, app, permission string) {
	t.Helper()
	err := e.store.CreatePermissionGrant(context.Background(), &teamsops.PermissionGrant{
		ID: demo.GrantID(app, permission, "Application"), TenantID: demo.TenantID, Resource: ref,
		ClientAppID: app, ClientID: "c0ffee00-0000-4000-8000-000000000001", PermissionType: "Application", Permission: permission,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPermissionTable walks every row of the seed's permission table, and
// the team table, allowed and refused, over HTTP.
func TestPermissionTable(t *testing.T) {
	e := newEnv(t)
	chat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: demo.ChatID}
	team := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID}
	grant(t, e, chat, otherApp, "ChatSettings.ReadWrite.Chat")
	const managerApp = "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	grant(t, e, chat, managerApp, "Chat.Manage.Chat")
	grant(t, e, team, otherApp, "TeamSettings.Read.Group")

	tests := []struct {
		name   string
		path   string
		token  string
		status int
	}{
		{"delegated Chat.ReadBasic, member", seedPath, e.userToken(demo.UserAdele, "Chat.ReadBasic"), 200},
		{"delegated Chat.Read, member", seedPath, e.userToken(demo.UserAlex, "Chat.Read"), 200},
		{"delegated Chat.ReadWrite, member", seedPath, e.userToken(demo.UserAdele, "Chat.ReadWrite"), 200},
		{"delegated Chat.Read, non-member", seedPath, e.userToken(demo.UserMegan, "Chat.Read"), 403},
		{"delegated without a chat scope", seedPath, e.userToken(demo.UserAdele, "User.Read"), 403},
		{"application Chat.ReadBasic.All", seedPath, e.appToken(otherApp, "Chat.ReadBasic.All"), 200},
		{"application Chat.Read.All", seedPath, e.appToken(otherApp, "Chat.Read.All"), 200},
		{"application Chat.ReadWrite.All", seedPath, e.appToken(otherApp, "Chat.ReadWrite.All"), 200},
		{"RSC ChatSettings.Read.Chat (the demo chat bot)", seedPath, e.appToken(demo.ChatBotApp), 200},
		{"RSC ChatSettings.ReadWrite.Chat", seedPath, e.appToken(otherApp), 200},
		{"RSC Chat.Manage.Chat", seedPath, e.appToken(managerApp), 200},
		{"application without roles or grants", seedPath, e.appToken("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"), 403},
		{"application with a team role only", seedPath, e.appToken(demo.ConsoleApp, "Team.ReadBasic.All"), 403},
		{"personal account", seedPath, e.token(identity.Claims{TenantID: teamsops.ConsumerTenantID, UserID: demo.UserAdele, AppID: demo.ConsoleApp, Scopes: []string{"Chat.Read"}}), 403},
		{"application of another tenant", seedPath, e.token(identity.Claims{TenantID: "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a", AppID: demo.ConsoleApp, Roles: []string{"Chat.Read.All"}}), 404},
		{"user of another tenant", seedPath, e.token(identity.Claims{TenantID: "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a", UserID: demo.UserAdele, AppID: demo.ConsoleApp, Scopes: []string{"Chat.Read"}}), 404},
		{"team: application Team.ReadBasic.All", teamOp, e.appToken(demo.ConsoleApp, "Team.ReadBasic.All"), 200},
		{"team: application Chat.Read.All only", teamOp, e.appToken(demo.ConsoleApp, "Chat.Read.All"), 403},
		{"team: RSC TeamSettings.Read.Group", teamOp, e.appToken(otherApp), 200},
		{"team: delegated member", teamOp, e.userToken(demo.UserAlex, "Team.ReadBasic.All"), 200},
		{"team: delegated owner", teamOp, e.userToken(demo.UserAdele, "TeamSettings.Read.All"), 200},
		{"team: delegated non-member", teamOp, e.userToken(demo.UserMegan, "Team.ReadBasic.All"), 403},
		{"team: delegated Chat.Read only", teamOp, e.userToken(demo.UserAdele, "Chat.Read"), 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(tt.path, tt.token)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
		})
	}
}

func TestForbiddenNamesPermissions(t *testing.T) {
	e := newEnv(t)
	res := e.get(seedPath, e.appToken(demo.ConsoleApp, "Team.ReadBasic.All"))
	if res.status != http.StatusForbidden || res.errorCode(t) != "Forbidden" {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	for _, perm := range []string{"ChatSettings.Read.Chat", "ChatSettings.ReadWrite.Chat", "Chat.Manage.Chat", "Chat.ReadBasic.All", "Chat.Read.All", "Chat.ReadWrite.All"} {
		if !strings.Contains(string(res.body), perm) {
			t.Errorf("403 does not name %s: %s", perm, res.body)
		}
	}
	res = e.get(seedPath, e.userToken(demo.UserAdele, "User.Read"))
	for _, perm := range []string{"Chat.ReadBasic", "Chat.Read", "Chat.ReadWrite"} {
		if !strings.Contains(string(res.body), perm) {
			t.Errorf("delegated 403 does not name %s: %s", perm, res.body)
		}
	}
}

// TestBadTokens: everything but a well-signed, current RS256 token for
// Graph from a known issuer is a 401.
func TestBadTokens(t *testing.T) {
	e := newEnv(t)
	good := e.appToken(demo.ConsoleApp, "Chat.Read.All")
	header, payload, sig := split3(t, good)

	e.issuer.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired := e.appToken(demo.ConsoleApp, "Chat.Read.All")
	e.issuer.Now = time.Now

	tamperedPayload := strings.Replace(decode(t, payload), `"Chat.Read.All"`, `"Chat.ReadWrite.All"`, 1)
	tests := []struct {
		name, token string
	}{
		{"no token", ""},
		{"not a JWT", "hello"},
		{"expired", expired},
		{"tampered signature", header + "." + payload + "." + flip(sig)},
		{"tampered payload", header + "." + encode(tamperedPayload) + "." + sig},
		{"alg none", encode(`{"alg":"none","typ":"JWT"}`) + "." + payload + "."},
		{"HMAC signed with the public key", hmacToken(t, e, payload)},
		{"wrong audience", e.signedClaims(t, map[string]any{"aud": "https://management.azure.com"})},
		{"wrong issuer", e.signedClaims(t, map[string]any{"iss": "https://login.microsoftonline.com/" + demo.TenantID + "/v2.0"})},
		{"issuer of another tenant", e.signedClaims(t, map[string]any{"iss": e.issuer.IssuerURL("0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a")})},
		{"not yet valid", e.signedClaims(t, map[string]any{"nbf": time.Now().Add(time.Hour).Unix()})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(seedPath, tt.token)
			if res.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", res.status, res.body)
			}
			if code := res.errorCode(t); code != "InvalidAuthenticationToken" {
				t.Errorf("code %q", code)
			}
			if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("no WWW-Authenticate challenge")
			}
		})
	}
	if res := e.get(seedPath, good); res.status != http.StatusOK {
		t.Fatalf("the untouched token: status %d", res.status)
	}
}

// TestTokenEndpoint gets tokens the way an app does: client credentials.
func TestTokenEndpoint(t *testing.T) {
	e := newEnv(t)
	post := func(secret string) (int, map[string]any) {
		form := url.Values{
			"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp},
			"client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"},
		}
		res, err := e.srv.Client().PostForm(e.base+"/"+demo.TenantID+"/oauth2/v2.0/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	status, body := post(demo.ConsoleSecret)
	if status != http.StatusOK {
		t.Fatalf("right secret: status %d: %v", status, body)
	}
	token, _ := body["access_token"].(string)
	if res := e.get(seedPath, token); res.status != http.StatusOK {
		t.Errorf("the endpoint's token on the seed: status %d: %s", res.status, res.body)
	}
	status, body = post("wrong-secret")
	if status != http.StatusUnauthorized || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: status %d: %v", status, body)
	}
	// MSAL asks the user realm before signing a user in with a password.
	res, err := e.srv.Client().Get(e.base + "/common/UserRealm/AdeleV@contoso.onmicrosoft.com?api-version=1.0")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var realm map[string]any
	json.NewDecoder(res.Body).Decode(&realm)
	if res.StatusCode != http.StatusOK || realm["account_type"] != "Managed" {
		t.Errorf("user realm: status %d: %v", res.StatusCode, realm)
	}
}

func split3(t *testing.T, tok string) (string, string, string) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	return parts[0], parts[1], parts[2]
}

func decode(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func encode(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func flip(sig string) string {
	b := []byte(sig)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

// hmacToken signs payload with HS256 keyed by the issuer's public key in
// PEM: the key-confusion attack on validators that trust the header's alg.
func hmacToken(t *testing.T, e *env, payload string) string {
	keys := e.issuer.JWKS().Keys
	der, err := x509.MarshalPKIXPublicKey(keys[0].Key)
	if err != nil {
		t.Fatal(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	signing := encode(`{"alg":"HS256","typ":"JWT","kid":"`+keys[0].KeyID+`"}`) + "." + payload
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// signedClaims signs, with the server's own key, a valid app token whose
// claims are overridden by over.
func (e *env) signedClaims(t *testing.T, over map[string]any) string {
	t.Helper()
	keys, err := e.store.SigningKeys(context.Background())
	if err != nil || len(keys) == 0 {
		t.Fatal("no signing key", err)
	}
	block, _ := pem.Decode(keys[0].PEM)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: keys[0].ID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	claims := map[string]any{
		"aud": "https://graph.microsoft.com", "iss": e.issuer.IssuerURL(demo.TenantID), "tid": demo.TenantID,
		"appid": demo.ConsoleApp, "roles": []string{"Chat.Read.All"}, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
	for k, v := range over {
		claims[k] = v
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
