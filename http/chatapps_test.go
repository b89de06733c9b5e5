package http_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

// consoleTeamsApp is a Teams app of the demo catalog whose bot is the ops
// console, so the console may install it with a Self permission.
const consoleTeamsApp = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"

func addConsoleTeamsApp(t *testing.T, e *env) {
	t.Helper()
	err := e.store.CreateTeamsApp(context.Background(), &teamsops.TeamsApp{
		ID: consoleTeamsApp, TenantID: demo.TenantID, DisplayName: "Console", ClientAppID: demo.ConsoleApp,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func installBody(app string, extra ...any) map[string]any {
	b := map[string]any{"teamsApp@odata.bind": graphV1 + "/appCatalogs/teamsApps/" + app}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

// TestGetInstalledApp reads one installation of the demo chat, with and
// without $expand=teamsApp.
func TestGetInstalledApp(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	id := service.InstallationID(demo.ChatID, demo.TeamsAppID)
	path := "/v1.0/chats/" + demo.ChatID + "/installedApps/" + id
	got := e.getOK(path, token)
	if got["id"] != id || got["teamsApp"] != nil ||
		got["@odata.context"] != e.base+"/v1.0/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/installedApps/$entity" {
		t.Errorf("installation %v", got)
	}
	got = e.getOK("/beta/chats('"+demo.ChatID+"')/installedApps('"+id+"')?$expand=teamsApp", token)
	if app, _ := got["teamsApp"].(map[string]any); app["id"] != demo.TeamsAppID {
		t.Errorf("expanded %v", got)
	}
	for _, tt := range []struct {
		name, path, token string
		status            int
	}{
		{"unknown installation", "/v1.0/chats/" + demo.ChatID + "/installedApps/bm9uZQ==", token, http.StatusNotFound},
		{"$top", path + "?$top=1", token, http.StatusBadRequest},
		{"no permission", path, e.appToken(demo.ConsoleApp, "Chat.Read.All"), http.StatusForbidden},
		{"not a member", path, e.userToken(demo.UserMegan, "TeamsAppInstallation.ReadForChat"), http.StatusForbidden},
		{"a member", path, e.userToken(demo.UserAlex, "TeamsAppInstallation.ReadForChat"), http.StatusOK},
		{"RSC grant", path, e.appToken(demo.ChatBotApp), http.StatusForbidden}, // ChatSettings.Read.Chat is not enough
	} {
		if res := e.get(tt.path, tt.token); res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
}

// TestInstallChatApp installs apps in an existing chat: 201 at once, then
// listed; Self permissions install the caller's own app only; the same
// app twice is 409; consented permissions become grants.
func TestInstallChatApp(t *testing.T) {
	e := newEnv(t)
	addConsoleTeamsApp(t, e)
	path := "/v1.0/chats/" + demo.ChatID + "/installedApps"
	self := e.appToken(demo.ConsoleApp, "TeamsAppInstallation.ReadWriteSelfForChat.All")
	consent := map[string]any{"resourceSpecificPermissions": []any{
		map[string]any{"permissionValue": "ChatMember.Read.Chat", "permissionType": "Application"},
	}}
	res := e.send(http.MethodPost, path, self, installBody(consoleTeamsApp, "consentedPermissionSet", consent))
	if res.status != http.StatusCreated || len(res.body) != 0 {
		t.Fatalf("install own app: %d %s", res.status, res.body)
	}
	reader := e.consoleToken()
	if got := installedApps(t, e, demo.ChatID, reader); len(got) != 2 {
		t.Errorf("installed apps %v", got)
	}
	grants := e.getOK("/beta/chats/"+demo.ChatID+"/permissionGrants", reader)
	found := false
	for _, g := range values(grants) {
		g := g.(map[string]any)
		found = found || g["clientAppId"] == demo.ConsoleApp && g["permission"] == "ChatMember.Read.Chat"
	}
	if !found {
		t.Errorf("no grant for the consented permission: %v", grants)
	}
	// The members now read with the new grant alone.
	if res := e.get("/v1.0/chats/"+demo.ChatID+"/members", e.appToken(demo.ConsoleApp)); res.status != http.StatusOK {
		t.Errorf("members with the consented RSC grant: %d %s", res.status, res.body)
	}
	if res := e.send(http.MethodPost, path, self, installBody(consoleTeamsApp)); res.status != http.StatusConflict {
		t.Errorf("installed twice: %d %s", res.status, res.body)
	}

	chat := e.createChat("v1.0", reader, newChatBody("group", "", []string{demo.UserAdele, demo.UserMegan}).json(t))
	chatID := chat.json(t)["id"].(string)
	other := "/beta/chats/" + chatID + "/installedApps"
	anyApp := e.appToken(demo.ConsoleApp, "TeamsAppInstallation.ReadWriteForChat.All")
	tests := []struct {
		name   string
		token  string
		body   any
		status int
	}{
		{"another's app with Self", self, installBody(demo.TeamsAppID), http.StatusForbidden},
		{"no permission", e.appToken(demo.ConsoleApp, "Chat.ReadWrite.All"), installBody(demo.TeamsAppID), http.StatusForbidden},
		{"delegated non-member", e.userToken(demo.UserAlex, "TeamsAppInstallation.ReadWriteForChat"), installBody(demo.TeamsAppID), http.StatusForbidden},
		{"unknown app", anyApp, installBody("0c0c0c0c-0000-4000-8000-000000000000"), http.StatusBadRequest},
		{"no bind", anyApp, map[string]any{}, http.StatusBadRequest},
		{"unknown property", anyApp, installBody(demo.TeamsAppID, "color", "red"), http.StatusBadRequest},
		{"bad permission type", anyApp, installBody(demo.TeamsAppID, "consentedPermissionSet", map[string]any{
			"resourceSpecificPermissions": []any{map[string]any{"permissionValue": "X.Chat", "permissionType": "Both"}}}), http.StatusBadRequest},
		{"another's app", anyApp, installBody(demo.TeamsAppID), http.StatusCreated},
		{"delegated member", e.userToken(demo.UserMegan, "TeamsAppInstallation.ReadWriteForChat"), installBody(consoleTeamsApp), http.StatusCreated},
	}
	for _, tt := range tests {
		if res := e.send(http.MethodPost, other, tt.token, tt.body); res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
	if got := installedApps(t, e, chatID, reader); len(got) != 2 {
		t.Errorf("apps of the new chat %v", got)
	}
	if res := e.doBody(http.MethodPost, other, anyApp, []byte(`{`), "Content-Type", "application/json"); res.status != http.StatusBadRequest {
		t.Errorf("malformed body: %d", res.status)
	}
}
