package http_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
)

const demoChat = "/v1.0/chats/" + demo.ChatID

func TestGetChat(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(otherApp, "Chat.Read.All")
	res := e.get(demoChat, token)
	want := `{"@odata.context":"` + e.base + `/v1.0/$metadata#chats/$entity","id":"` + demo.ChatID + `","topic":"Contoso launch",` +
		`"createdDateTime":"2021-05-27T21:23:41.9085453Z","lastUpdatedDateTime":"2021-05-27T21:23:41.9085453Z","chatType":"group",` +
		`"webUrl":"https://teams.microsoft.com/l/chat/19%3Ac253a29b5f694b55a6baad8e83510af7@thread.v2/0?tenantId=` + demo.TenantID + `",` +
		`"tenantId":"` + demo.TenantID + `","onlineMeetingInfo":null}`
	if res.status != http.StatusOK || string(res.body) != want {
		t.Errorf("GET chat: %d\n%s\nwant\n%s", res.status, res.body, want)
	}
	res = e.get("/beta/chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')?$select=topic,id", token)
	want = `{"@odata.context":"` + e.base + `/beta/$metadata#chats(topic,id)/$entity","id":"` + demo.ChatID + `","topic":"Contoso launch"}`
	if string(res.body) != want {
		t.Errorf("$select: %s\nwant %s", res.body, want)
	}
	// "Get chat" example 3.
	body := e.get(demoChat+"?$expand=members", token).json(t)
	members, _ := body["members"].([]any)
	if body["@odata.context"] != e.base+"/v1.0/$metadata#chats(members())/$entity" || len(members) != 2 ||
		body["members@odata.context"] != e.base+"/v1.0/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/members" {
		t.Errorf("$expand=members: %v", body)
	}
	for _, q := range []string{"?$select=nope", "?$expand=installedApps", "?$top=1", "?$expand=members($select=id)"} {
		if res := e.get(demoChat+q, token); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, res.status, res.body)
		}
	}
	if res := e.get("/v1.0/chats/19:00000000000000000000000000000000@thread.v2", token); res.status != http.StatusNotFound {
		t.Errorf("unknown chat: %d", res.status)
	}
}

func TestListChatMembers(t *testing.T) {
	e := newEnv(t)
	res := e.get(demoChat+"/members", e.appToken(otherApp, "ChatMember.Read.All"))
	body := res.json(t)
	values, _ := body["value"].([]any)
	if res.status != http.StatusOK || body["@odata.count"] != 2.0 || len(values) != 2 ||
		body["@odata.context"] != e.base+"/v1.0/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/members" {
		t.Fatalf("%d %s", res.status, res.body)
	}
	byUser := map[string]map[string]any{}
	for _, v := range values {
		m := v.(map[string]any)
		byUser[m["userId"].(string)] = m
	}
	adele := byUser[demo.UserAdele]
	wantID := base64.StdEncoding.EncodeToString([]byte("0##" + demo.TenantID + "##" + demo.ChatID + "##" + demo.UserAdele))
	if adele["@odata.type"] != "#microsoft.graph.aadUserConversationMember" || adele["id"] != wantID ||
		adele["displayName"] != "Adele Vance" || adele["email"] != "AdeleV@contoso.onmicrosoft.com" ||
		adele["tenantId"] != demo.TenantID || adele["visibleHistoryStartDateTime"] != "0001-01-01T00:00:00Z" {
		t.Errorf("Adele %v", adele)
	}
	if roles, _ := adele["roles"].([]any); len(roles) != 1 || roles[0] != "owner" {
		t.Errorf("roles %v", adele["roles"])
	}
	if res := e.get(demoChat+"/members?$top=1", e.appToken(otherApp, "ChatMember.Read.All")); res.status != http.StatusBadRequest {
		t.Errorf("$top on members: %d", res.status)
	}
}

func TestListInstalledApps(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(otherApp, "TeamsAppInstallation.ReadForChat.All")
	installID := base64.StdEncoding.EncodeToString([]byte(demo.ChatID + "##" + demo.TeamsAppID))
	res := e.get(demoChat+"/installedApps", token)
	want := `{"@odata.context":"` + e.base + `/v1.0/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/installedApps",` +
		`"value":[{"id":"` + installID + `"}]}`
	if res.status != http.StatusOK || string(res.body) != want {
		t.Errorf("%d\n%s\nwant\n%s", res.status, res.body, want)
	}
	res = e.get(demoChat+"/installedApps?$expand=teamsApp&$count=true", token)
	want = `{"@odata.context":"` + e.base + `/v1.0/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/installedApps(teamsApp())",` +
		`"@odata.count":1,"value":[{"id":"` + installID + `","teamsApp":{"id":"` + demo.TeamsAppID + `","externalId":null,` +
		`"displayName":"Contoso Bot","distributionMethod":"organization"}}]}`
	if string(res.body) != want {
		t.Errorf("$expand=teamsApp:\n%s\nwant\n%s", res.body, want)
	}
	res = e.get(demoChat+"/installedApps?$top=0", token)
	if body := res.json(t); len(body["value"].([]any)) != 0 || body["@odata.nextLink"] != nil {
		t.Errorf("$top=0: %s", res.body)
	}
	for _, q := range []string{"?$expand=teamsAppDefinition($expand=bot)", "?$filter=teamsApp/externalId eq 'x'", "?$select=displayName"} {
		if res := e.get(demoChat+"/installedApps"+q, token); res.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, res.status, res.body)
		}
	}
}

// TestChatPermissionTables walks every row of the three read tables, as
// package authz holds them, allowed and refused, over HTTP; then Create
// chat's.
func TestChatPermissionTables(t *testing.T) {
	e := newEnv(t)
	chat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: demo.ChatID}
	tables := []struct {
		name, path string
		rule       authz.Rule
	}{
		{"chat", demoChat, authz.ChatRead},
		{"members", demoChat + "/members", authz.ChatMembersRead},
		{"installedApps", demoChat + "/installedApps", authz.ChatInstalledAppsRead},
	}
	for i, table := range tables {
		path := table.path
		for _, scope := range table.rule.Delegated {
			expect(t, e, table.name+" delegated "+scope, path, e.userToken(demo.UserAlex, scope), http.StatusOK)
			expect(t, e, table.name+" delegated non-member "+scope, path, e.userToken(demo.UserMegan, scope), http.StatusForbidden)
		}
		for _, role := range table.rule.Application {
			expect(t, e, table.name+" application "+role, path, e.appToken(otherApp, role), http.StatusOK)
		}
		for j, perm := range table.rule.ResourceSpecific {
			app := fmt.Sprintf("6a1b2c3d-4e5f-4a6b-8c7d-%06d%06d", i, j)
			grant(t, e, chat, app, perm)
			expect(t, e, table.name+" RSC "+perm, path, e.appToken(app), http.StatusOK)
		}
		expect(t, e, table.name+" delegated without scope", path, e.userToken(demo.UserAdele, "User.Read"), http.StatusForbidden)
		expect(t, e, table.name+" application without role", path, e.appToken(otherApp, "Team.ReadBasic.All"), http.StatusForbidden)
		expect(t, e, table.name+" another tenant", path,
			e.token(identity.Claims{TenantID: otherTenant, AppID: otherApp, Roles: table.rule.Application}), http.StatusNotFound)
	}
	// The chat bot holds ChatSettings.Read.Chat only: it may read the chat,
	// not its members or apps.
	expect(t, e, "chat bot reads the chat", demoChat, e.appToken(demo.ChatBotApp), http.StatusOK)
	expect(t, e, "chat bot lists members", demoChat+"/members", e.appToken(demo.ChatBotApp), http.StatusForbidden)
	expect(t, e, "Chat.Read.All lists no apps", demoChat+"/installedApps", e.appToken(otherApp, "Chat.Read.All"), http.StatusForbidden)

	body := newChatBody("group", "", []string{demo.UserAdele, demo.UserAlex}).json(t)
	create := []struct {
		name   string
		token  string
		status int
	}{
		{"delegated Chat.Create", e.userToken(demo.UserAdele, "Chat.Create"), http.StatusCreated},
		{"delegated Chat.ReadWrite", e.userToken(demo.UserAlex, "Chat.ReadWrite"), http.StatusCreated},
		{"delegated Chat.Read", e.userToken(demo.UserAdele, "Chat.Read"), http.StatusForbidden},
		{"application Chat.Create", e.appToken(otherApp, "Chat.Create"), http.StatusCreated},
		{"application Chat.ReadWrite.All", e.appToken(otherApp, "Chat.ReadWrite.All"), http.StatusForbidden},
		{"application with an RSC grant only", e.appToken(demo.ChatBotApp), http.StatusForbidden},
		{"personal account", e.token(identity.Claims{TenantID: teamsops.ConsumerTenantID, UserID: demo.UserAdele, AppID: demo.ConsoleApp, Scopes: []string{"Chat.Create"}}), http.StatusForbidden},
		{"the demo console", e.consoleToken(), http.StatusCreated},
	}
	for _, tt := range create {
		if res := e.createChat("beta", tt.token, body); res.status != tt.status {
			t.Errorf("POST /chats, %s: %d, want %d: %s", tt.name, res.status, tt.status, res.body)
		}
	}
}

func expect(t *testing.T, e *env, name, path, token string, status int) {
	t.Helper()
	if res := e.get(path, token); res.status != status {
		t.Errorf("%s: %d, want %d: %s", name, res.status, status, res.body)
	}
}
