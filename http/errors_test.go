package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

func TestErrors(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, "Chat.Read.All", "Team.ReadBasic.All")
	const missingChat = "19:00000000000000000000000000000000@thread.v2"
	tests := []struct {
		name, method, path string
		status             int
		code               string
	}{
		{"unknown chat", "GET", "/beta/chats/" + missingChat + "/operations/" + demo.ChatOperation, 404, "NotFound"},
		{"unknown chat, list", "GET", "/beta/chats/" + missingChat + "/operations", 404, "NotFound"},
		{"unknown operation", "GET", "/beta/chats/" + demo.ChatID + "/operations/nope", 404, "NotFound"},
		{"operation of another resource", "GET", "/v1.0/teams/" + demo.TeamID + "/operations/" + demo.ChatOperation, 404, "NotFound"},
		{"unknown team", "GET", "/v1.0/teams/00000000-0000-0000-0000-000000000000/operations", 404, "NotFound"},
		{"POST on an operation", "POST", seedPath, 405, "MethodNotAllowed"},
		{"DELETE on an operation", "DELETE", seedPath, 405, "MethodNotAllowed"},
		{"PATCH on a list", "PATCH", "/beta/chats/" + demo.ChatID + "/operations", 405, "MethodNotAllowed"},
		{"unknown segment", "GET", "/beta/chats/" + demo.ChatID + "/widgets", 400, "BadRequest"},
		{"unknown entity set", "GET", "/beta/widgets", 400, "BadRequest"},
		{"trailing segment", "GET", seedPath + "/more", 400, "BadRequest"},
		{"unknown version", "GET", "/v2.0/chats", 400, "BadRequest"},
		{"permissionGrants on a team", "GET", "/v1.0/teams/" + demo.TeamID + "/permissionGrants", 400, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(tt.method, tt.path, token)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d: %s", res.status, tt.status, res.body)
			}
			if code := res.errorCode(t); code != tt.code {
				t.Errorf("code %q, want %q", code, tt.code)
			}
			inner, _ := res.json(t)["error"].(map[string]any)["innerError"].(map[string]any)
			if inner["request-id"] == "" || inner["request-id"] != res.header.Get("request-id") || inner["date"] == nil {
				t.Errorf("innerError %v, request-id header %q", inner, res.header.Get("request-id"))
			}
		})
	}
}

// TestRequestIDs: every response carries request-id and echoes
// client-request-id, errors included.
func TestRequestIDs(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, "Chat.Read.All")
	for _, path := range []string{seedPath, "/beta/nope", "/healthz"} {
		res := e.get(path, token, "client-request-id", "7b0d4f4e-1c55-4c89-9d49-7a0c2d0a4f01")
		if res.header.Get("request-id") == "" {
			t.Errorf("%s: no request-id", path)
		}
		if got := res.header.Get("client-request-id"); got != "7b0d4f4e-1c55-4c89-9d49-7a0c2d0a4f01" {
			t.Errorf("%s: client-request-id %q", path, got)
		}
	}
	res := e.get(seedPath, "")
	if res.header.Get("client-request-id") != res.header.Get("request-id") {
		t.Errorf("without a client-request-id, it should be the request-id")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if res := e.get(path, ""); res.status != http.StatusOK {
			t.Errorf("%s: %d", path, res.status)
		}
	}
	e.stopEngine() // before its database goes
	e.store.Close()
	if res := e.get("/readyz", ""); res.status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the store closed: %d", res.status)
	}
	if res := e.get("/healthz", ""); res.status != http.StatusOK {
		t.Errorf("healthz with the store closed: %d", res.status)
	}
}

func TestPermissionGrants(t *testing.T) {
	e := newEnv(t)
	path := "/beta/chats/" + demo.ChatID + "/permissionGrants"
	res := e.get(path, e.appToken(demo.ConsoleApp, "ResourceSpecificPermissionGrant.ReadForChat.All"))
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	body := res.json(t)
	values := body["value"].([]any)
	if len(values) != 1 {
		t.Fatalf("%d grants, want 1: %s", len(values), res.body)
	}
	g := values[0].(map[string]any)
	if g["clientAppId"] != demo.ChatBotApp || g["permission"] != "ChatSettings.Read.Chat" || g["permissionType"] != "Application" ||
		g["resourceAppId"] != "00000003-0000-0000-c000-000000000000" || g["id"] != demo.GrantID(demo.ChatBotApp, "ChatSettings.Read.Chat", "Application") {
		t.Errorf("grant %v", g)
	}
	if ctx := body["@odata.context"]; !strings.HasSuffix(ctx.(string), "/beta/$metadata#permissionGrants") {
		t.Errorf("context %v", ctx)
	}
	// Chat.Read.All alone does not list grants: the page's table differs.
	if res := e.get(path, e.appToken(demo.ConsoleApp, "Chat.Read.All")); res.status != http.StatusForbidden {
		t.Errorf("with Chat.Read.All: %d", res.status)
	}
	if res := e.get(path, e.userToken(demo.UserAdele, "ResourceSpecificPermissionGrant.ReadForChat")); res.status != http.StatusOK {
		t.Errorf("delegated member: %d", res.status)
	}
}
