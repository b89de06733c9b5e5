package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
)

// Another tenant, with a user and a Teams app of its own.
const (
	otherTenant    = "0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a"
	otherUser      = "6c5b4a39-2817-4f6e-9d5c-4b3a29180f7e"
	otherTenantApp = "7e6d5c4b-3a29-4187-8f6e-5d4c3b2a1908"
)

func addOtherTenant(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	err := e.store.CreateTenant(ctx, &teamsops.Tenant{ID: otherTenant, DisplayName: "Fabrikam"})
	if err == nil {
		err = e.store.CreateUser(ctx, &teamsops.User{ID: otherUser, TenantID: otherTenant, DisplayName: "Fay", UserPrincipalName: "fay@fabrikam.com"})
	}
	if err == nil {
		err = e.store.CreateTeamsApp(ctx, &teamsops.TeamsApp{ID: otherTenantApp, TenantID: otherTenant, DisplayName: "Fabrikam Bot"})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestCreateChatBadRequests: every bad request is a 400 in Graph's format
// and writes nothing — no chat, member, operation or installation.
func TestCreateChatBadRequests(t *testing.T) {
	e := newEnv(t)
	addOtherTenant(t, e)
	token := e.consoleToken()
	two := []string{demo.UserAdele, demo.UserAlex}
	federated := strings.Replace(string(newChatBody("oneOnOne", "", two).json(t)), `"roles":["owner"],"user@odata.bind":"https://graph.microsoft.com/v1.0/users('`+demo.UserAlex+`')"`,
		`"roles":["owner"],"user@odata.bind":"https://graph.microsoft.com/v1.0/users('`+demo.UserAlex+`')","tenantId":"`+otherTenant+`"`, 1)
	tests := []struct {
		name    string
		body    string
		headers []string
		message string
	}{
		{"malformed JSON", `{"chatType":"group",`, nil, "Unable to read JSON request payload"},
		{"wrong type", `{"chatType":"group","members":"all"}`, nil, "'members' must be an array"},
		{"unknown property", `{"chatType":"group","color":"blue","members":[]}`, nil, "'color' does not exist on type 'microsoft.graph.chat'"},
		{"no members", `{"chatType":"group","members":[]}`, nil, "between 2 and 250"},
		{"unknown user", string(newChatBody("group", "", []string{demo.UserAdele, "nobody@contoso.onmicrosoft.com"}).json(t)), nil, "'nobody@contoso.onmicrosoft.com' was not found"},
		{"user of another tenant", string(newChatBody("group", "", []string{demo.UserAdele, otherUser}).json(t)), nil, "'" + otherUser + "' was not found"},
		{"federated member", federated, nil, "'" + demo.UserAlex + "' was not found"},
		{"the same user twice", string(newChatBody("group", "", []string{demo.UserAdele, "AdeleV@contoso.onmicrosoft.com"}).json(t)), nil, "more than once"},
		{"two apps", string(newChatBody("group", "", two, demo.TeamsAppID, demo.TeamsAppID).json(t)), nil, "Only one app"},
		{"unknown app", string(newChatBody("group", "", two, "00000000-0000-0000-0000-000000000000").json(t)), nil, "not found in the tenant's app catalog"},
		{"app of another tenant", string(newChatBody("group", "", two, otherTenantApp).json(t)), nil, "not found in the tenant's app catalog"},
		{"topic on oneOnOne", string(newChatBody("oneOnOne", "x", two).json(t)), nil, "only on a group chat"},
		{"three in a oneOnOne", string(newChatBody("oneOnOne", "", append(two, demo.UserMegan)).json(t)), nil, "exactly 2 members"},
		{"malformed fault header", string(newChatBody("group", "", two, demo.TeamsAppID).json(t)), []string{"X-Teamsops-Fault", "sometimes"}, "X-Teamsops-Fault"},
		{"no content type", string(newChatBody("group", "", two).json(t)), []string{"Content-Type", ""}, "Content-Type header"},
		{"a text body", string(newChatBody("group", "", two).json(t)), []string{"Content-Type", "text/plain"}, "Content-Type header"},
		{"too large", `{"chatType":"group","topic":"` + strings.Repeat("x", 1<<20) + `","members":[]}`, nil, "larger than"},
		{"a query option", string(newChatBody("group", "", two).json(t)), nil, "Expand"},
	}
	before := rows(t, e)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/beta/chats"
			if tt.name == "a query option" {
				path += "?$expand=members"
			}
			headers := append([]string{"Content-Type", "application/json"}, tt.headers...)
			res := e.doBody(http.MethodPost, path, token, []byte(tt.body), headers...)
			if res.status != http.StatusBadRequest || res.errorCode(t) != "BadRequest" {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if msg := res.json(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, tt.message) {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
			if strings.Contains(string(res.body), otherTenant) || strings.Contains(string(res.body), "Fabrikam") {
				t.Errorf("the answer reveals the other tenant: %s", res.body)
			}
		})
	}
	if after := rows(t, e); after["chats"] != before["chats"] || after["chat_members"] != before["chat_members"] ||
		after["operations"] != before["operations"] || after["app_installations"] != before["app_installations"] {
		t.Errorf("bad requests wrote: %v, then %v", before, after)
	}
}

// TestCreateChatDelegated: a signed-in user creates chats that include
// them, and only those ("including the user who initiates the request").
func TestCreateChatDelegated(t *testing.T) {
	e := newEnv(t)
	megan := e.userToken(demo.UserMegan, "Chat.Create")
	res := e.createChat("v1.0", megan, newChatBody("group", "", []string{demo.UserAdele, demo.UserAlex}).json(t))
	if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "must be one of the chat's members") {
		t.Errorf("without the caller: %d %s", res.status, res.body)
	}
	res = e.createChat("v1.0", megan, newChatBody("group", "", []string{demo.UserAdele, demo.UserMegan}, demo.TeamsAppID).json(t))
	if res.status != http.StatusAccepted {
		t.Fatalf("with the caller: %d %s", res.status, res.body)
	}
	reader := e.userToken(demo.UserMegan, "Chat.Read")
	if op := poll(t, e, e.base+"/beta"+res.header.Get("Location"), reader); op["status"] != "succeeded" {
		t.Errorf("operation %v", op)
	}
}

// TestChatRoutesMethods: methods a route does not serve get 405 with an
// Allow header naming the served ones.
func TestChatRoutesMethods(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	tests := []struct{ method, path, allow string }{
		{http.MethodPatch, "/v1.0/chats", "GET, POST"},
		{http.MethodDelete, "/beta/chats", "GET, POST"},
		{http.MethodPost, "/v1.0/chats/" + demo.ChatID, "GET"},
		{http.MethodPatch, "/v1.0/chats('" + demo.ChatID + "')", "GET"},
		{http.MethodPost, "/v1.0/chats/" + demo.ChatID + "/members", "GET"},
		{http.MethodDelete, "/v1.0/chats/" + demo.ChatID + "/installedApps", "GET, POST"},
		{http.MethodPost, "/v1.0/chats/" + demo.ChatID + "/installedApps/x", "GET"},
		{http.MethodPost, seedPath, "GET"},
		{http.MethodDelete, "/v1.0/teams", "GET, POST"},
		{http.MethodPost, "/v1.0/me/chats", "GET"},
		{http.MethodGet, "/v1.0/$batch", "POST"},
		{http.MethodDelete, "/v1.0/teams/" + demo.TeamID + "/channels", "GET, POST"},
		{http.MethodPost, "/v1.0/groups/" + demo.SalesGroup + "/team", "GET, PUT"},
	}
	for _, tt := range tests {
		res := e.do(tt.method, tt.path, token)
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != tt.allow || res.errorCode(t) != "MethodNotAllowed" {
			t.Errorf("%s %s: %d, Allow %q: %s", tt.method, tt.path, res.status, res.header.Get("Allow"), res.body)
		}
	}
	for _, path := range []string{"/v1.0/teams/" + demo.TeamID + "/tabs", "/v1.0/chats/" + demo.ChatID + "/installedApps/x/teamsApp",
		"/v1.0/chats/" + demo.ChatID + "/tabs", "/v1.0/users", "/v1.0/me('x')", "/v1.0/me/chats/x", "/v1.0/users/x/calendar"} {
		if res := e.get(path, token); res.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s", path, res.status, res.body)
		}
	}
}
