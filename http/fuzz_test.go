package http_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// FuzzServeGraph sends arbitrary paths and query strings through the whole
// stack with a valid token: whatever comes in, the answer is never a 5xx.
func FuzzServeGraph(f *testing.F) {
	h, _, token := stack(f)
	for _, s := range []string{
		seedPath, chatOps + "?$top=2&$count=true", "/v1.0/teams/" + demo.TeamID + "/operations?$filter=status eq 'failed'",
		"/beta/chats('19%3Aa%40thread.v2')/operations('x')?$select=id", "/beta/chats/%ZZ/operations", "/beta/chats(''')/operations",
		"/v1.0/teams/" + demo.TeamID + "/operations?$filter=not (attemptsCount gt 2) or createdDateTime lt 2020-01-01T00:00:00Z",
		"/v1.0/chats", "/beta/chats/" + demo.ChatID + "?$select=topic&$expand=members", "/v1.0/chats('" + demo.ChatID + "')/members",
		"/v1.0/chats/" + demo.ChatID + "/installedApps?$expand=teamsApp&$top=1&$count=true",
		"/v1.0/teams/" + demo.TeamID + "?$select=displayName,funSettings", "/beta/teams('" + demo.TeamID + "')/channels?$select=id",
		"/v1.0/teams/" + demo.TeamID + "/channels/19%3Ax%40thread.tacv2", "/v1.0/teams/" + demo.TeamID + "/members",
		"/beta/groups/" + demo.SalesGroup, "/v1.0/groups('" + demo.SalesGroup + "')/team", "/v1.0/teams/x/channels('')/archive",
		"/v1.0/teams", "/beta/teams/" + demo.TeamID + "/clone",
		"/v1.0/subscriptions", "/beta/subscriptions('x')", "/v1.0/subscriptions/x/reauthorize",
		"/v1.0/me/chats?$top=2&$expand=members", "/beta/users/" + demo.UserAdele + "/chats?$filter=chatType eq 'group'",
		"/v1.0/users('x')/joinedTeams", "/v1.0/teams?$filter=displayName eq 'x'&$select=id&$count=true", "/v1.0/teams?$filter=startswith(displayName,'C')",
		"/v1.0/chats/" + demo.ChatID + "/installedApps/x?$expand=teamsApp", "/v1.0/$batch", "/beta/me",
		"/v1.0/me?$select=displayName,accountEnabled", "/v1.0/users/AdeleV@contoso.onmicrosoft.com",
		"/beta/users('%24x%40y.com')?select=id", "/v1.0/users(" + demo.UserAdele + ")",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+target, nil)
		if err != nil || req.URL.Host != "127.0.0.1:8080" {
			return // not a request a client could send
		}
		req.RequestURI = req.URL.RequestURI()
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%q: status %d: %s", target, rec.Code, rec.Body)
		}
	})
}
