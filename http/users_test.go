package http_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
)

// disabledUser is a user of the demo tenant whose account is disabled.
const disabledUser = "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706"

// TestGetUser: GET /me and /users/{id | userPrincipalName} on v1.0 and
// beta, with Get user's permissions, $select and Graph's errors.
func TestGetUser(t *testing.T) {
	e := newEnv(t)
	addOtherTenant(t, e)
	err := e.store.CreateUser(context.Background(), &teamsops.User{ID: disabledUser, TenantID: demo.TenantID,
		DisplayName: "Former Employee", UserPrincipalName: "former@contoso.onmicrosoft.com", AccountDisabled: true})
	if err != nil {
		t.Fatal(err)
	}
	var (
		adele      = e.userToken(demo.UserAdele, "User.Read")
		alexBasic  = e.userToken(demo.UserAlex, "User.ReadBasic.All")
		adeleChats = e.userToken(demo.UserAdele, "Chat.Read")
		app        = e.appToken(demo.ConsoleApp, "User.Read.All")
		appBasic   = e.appToken(demo.ConsoleApp, "User.ReadBasic.All")
		appChats   = e.appToken(demo.ConsoleApp, "Chat.Read.All")
		adeleAll   = "me.golden.json"
	)
	tests := []struct {
		name, path, token string
		status            int
		// want is the body: a golden file, or JSON with {{base}}. On
		// beta, /v1.0/ in it reads /beta/.
		want string
		// code and msg are those of an error.
		code, msg string
	}{
		{"the signed-in user", "/me", adele, 200, adeleAll, "", ""},
		{"oneself by id", "/users/" + demo.UserAdele, adele, 200, adeleAll, "", ""},
		{"oneself by user principal name, in another case", "/users/ADELEV@contoso.onmicrosoft.com", adele, 200, adeleAll, "", ""},
		{"another user by id", "/users/" + demo.UserAdele, alexBasic, 200, adeleAll, "", ""},
		{"another user, id in upper case", "/users/" + strings.ToUpper(demo.UserAdele), alexBasic, 200, adeleAll, "", ""},
		{"another user by user principal name, in another case", "/users/adelev@CONTOSO.onmicrosoft.com", alexBasic, 200, adeleAll, "", ""},
		{"OData key syntax", "/users('AdeleV@contoso.onmicrosoft.com')", app, 200, adeleAll, "", ""},
		{"OData key syntax, percent-encoded", "/users('AdeleV%40contoso.onmicrosoft.com')", appBasic, 200, adeleAll, "", ""},
		{"an application", "/users/" + demo.UserAdele, app, 200, adeleAll, "", ""},
		{"$select with accountEnabled", "/users/" + demo.UserAdele + "?$select=id,accountEnabled", app, 200,
			`{"@odata.context":"{{base}}/v1.0/$metadata#users(id,accountEnabled)/$entity","accountEnabled":true,"id":"` + demo.UserAdele + `"}`, "", ""},
		{"$select on /me", "/me?$select=displayName,mail", adele, 200,
			`{"@odata.context":"{{base}}/v1.0/$metadata#users(displayName,mail)/$entity","displayName":"Adele Vance","mail":"AdeleV@contoso.onmicrosoft.com"}`, "", ""},
		{"a disabled user", "/users/former@contoso.onmicrosoft.com?$select=accountEnabled,displayName", app, 200,
			`{"@odata.context":"{{base}}/v1.0/$metadata#users(accountEnabled,displayName)/$entity","accountEnabled":false,"displayName":"Former Employee"}`, "", ""},
		{"a property teamsops does not serve", "/me?$select=postalCode", adele, 400, "",
			"BadRequest", "Could not find a property named 'postalCode' on type 'microsoft.graph.user'."},
		{"a list's option", "/me?$top=1", adele, 400, "", "BadRequest", "not a collection"},
		{"/me with an application token", "/me", app, 400, "",
			"BadRequest", "/me request is only valid with delegated authentication flow."},
		{"delegated without a user scope", "/me", adeleChats, 403, "",
			"Authorization_RequestDenied", "API requires one of 'User.Read, User.ReadWrite, User.ReadBasic.All, User.Read.All"},
		{"application without a user role", "/users/" + demo.UserAdele, appChats, 403, "",
			"Authorization_RequestDenied", "API requires one of 'User.ReadBasic.All, User.Read.All, User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All'. Roles on the request 'Chat.Read.All'"},
		{"User.Read on another user", "/users/" + demo.UserAlex, adele, 403, "",
			"Authorization_RequestDenied", "'User.Read, User.ReadWrite' reach only the signed-in user"},
		{"User.Read on another user by name", "/users/AlexW@contoso.onmicrosoft.com", adele, 403, "",
			"Authorization_RequestDenied", "'User.Read, User.ReadWrite' reach only the signed-in user"},
		{"a user of another tenant", "/users/" + otherUser, app, 404, "",
			"Request_ResourceNotFound", "Resource '" + otherUser + "' does not exist or one of its queried reference-property objects are not present."},
		{"another tenant's user by name", "/users/fay@fabrikam.com", alexBasic, 404, "",
			"Request_ResourceNotFound", "Resource 'fay@fabrikam.com' does not exist"},
		{"the signed-in user, unknown to the tenant", "/me",
			e.token(identity.Claims{TenantID: demo.TenantID, UserID: otherUser, AppID: demo.ConsoleApp, Scopes: []string{"User.Read"}}), 404, "",
			"Request_ResourceNotFound", "Resource '" + otherUser + "' does not exist"},
		{"the users collection", "/users", app, 400, "", "BadRequest", "Resource not found for the segment 'users'."},
	}
	for _, version := range []string{"v1.0", "beta"} {
		for _, tt := range tests {
			t.Run(version+" "+tt.name, func(t *testing.T) {
				res := e.get("/"+version+tt.path, tt.token)
				if res.status != tt.status {
					t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
				}
				if tt.code != "" {
					if code := res.errorCode(t); code != tt.code || !strings.Contains(string(res.body), tt.msg) {
						t.Errorf("error %s, want code %s mentioning %q", res.body, tt.code, tt.msg)
					}
					return
				}
				var want []byte
				if strings.HasSuffix(tt.want, ".golden.json") {
					want = golden(t, tt.want, e.base)
				} else {
					want = []byte(strings.ReplaceAll(tt.want, "{{base}}", e.base))
				}
				want = bytes.ReplaceAll(want, []byte("/v1.0/"), []byte("/"+version+"/"))
				if !bytes.Equal(res.body, want) {
					t.Errorf("body:\n%s\nwant:\n%s", res.body, want)
				}
			})
		}
	}
}

// TestGetUserMethods: Get user is a GET; anything else is a 405 naming it.
func TestGetUserMethods(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/v1.0/me", "/beta/users/" + demo.UserAdele} {
		res := e.do(http.MethodPatch, path, e.userToken(demo.UserAdele, "User.ReadWrite"))
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET" {
			t.Errorf("PATCH %s: %d, Allow %q", path, res.status, res.header.Get("Allow"))
		}
	}
}

// TestGetUserInBatch: a client that signs in often asks for /me and other
// users in one $batch, which runs them through the same routes.
func TestGetUserInBatch(t *testing.T) {
	e := newEnv(t)
	got := e.batch("v1.0", e.userToken(demo.UserAdele, "User.ReadBasic.All"),
		batchItem{"id": "me", "method": "GET", "url": "/me"},
		batchItem{"id": "alex", "method": "GET", "url": "/users/alexw@contoso.onmicrosoft.com?$select=id"},
		batchItem{"id": "nobody", "method": "GET", "url": "/users('nobody@contoso.onmicrosoft.com')"},
	)
	if me := got["me"]; status(me) != 200 || bodyOf(me)["userPrincipalName"] != "AdeleV@contoso.onmicrosoft.com" ||
		bodyOf(me)["@odata.context"] != e.base+"/v1.0/$metadata#users/$entity" {
		t.Errorf("me: %v", me)
	}
	if alex := got["alex"]; status(alex) != 200 || bodyOf(alex)["id"] != demo.UserAlex || len(bodyOf(alex)) != 2 {
		t.Errorf("alex: %v", alex)
	}
	nobody := got["nobody"]
	if code, _ := bodyOf(nobody)["error"].(map[string]any)["code"].(string); status(nobody) != 404 || code != "Request_ResourceNotFound" {
		t.Errorf("nobody: %v", nobody)
	}
}
