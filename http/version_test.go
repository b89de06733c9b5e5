package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// TestChatOperationsOutsideV1: Graph's v1.0 metadata has no operations
// navigation on chat (beta's chat and v1.0's team have one), so every form
// of a chat's operations path on v1.0 is answered as Graph answers a path
// outside the version — 400 BadRequest, "Resource not found for the
// segment 'operations'." — whatever the method, while the same paths on
// beta, and a team's operations on v1.0, are served.
func TestChatOperationsOutsideV1(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, demo.ConsoleRoles...)
	const encoded = "19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2"
	paths := []string{
		"/chats/" + demo.ChatID + "/operations",
		"/chats/" + demo.ChatID + "/operations?$select=status,id&$count=true",
		"/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation,
		"/chats/" + encoded + "/operations/" + demo.ChatOperation,
		"/chats('" + demo.ChatID + "')/operations('" + demo.ChatOperation + "')",
		"/chats('" + encoded + "')/operations('" + demo.ChatOperation + "')",
		"/chats/" + demo.ChatID + "/Operations",
		"/chats/" + demo.ChatID + "/operations/$count",
		"/chats('" + encoded + "')/operations/%24count",
	}
	for _, p := range paths {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			res := e.do(method, "/v1.0"+p, token)
			if res.status != http.StatusBadRequest || res.errorCode(t) != "BadRequest" ||
				!strings.Contains(string(res.body), `"Resource not found for the segment 'operations'."`) {
				t.Errorf("%s /v1.0%s: %d %s", method, p, res.status, res.body)
			}
			if res.header.Get("Allow") != "" {
				t.Errorf("%s /v1.0%s: Allow %q on a path outside the version", method, p, res.header.Get("Allow"))
			}
		}
		if res := e.get("/beta"+p, token); res.status != http.StatusOK {
			t.Errorf("GET /beta%s: %d %s", p, res.status, res.body)
		}
	}
	for _, p := range []string{
		"/v1.0/teams/" + demo.TeamID + "/operations",
		"/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation,
		"/v1.0/teams('" + demo.TeamID + "')/operations/$count",
		"/v1.0/chats/" + demo.ChatID,
		"/v1.0/chats/" + demo.ChatID + "/members",
	} {
		if res := e.get(p, token); res.status != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, res.status, res.body)
		}
	}

	// In a batch, the request's version decides the same way.
	got := e.batch("v1.0", token,
		batchItem{"id": "1", "method": "GET", "url": "/chats/" + demo.ChatID + "/operations"},
		batchItem{"id": "2", "method": "GET", "url": "/beta/chats/" + demo.ChatID + "/operations"})
	if got["1"]["status"] != 400.0 || got["2"]["status"] != 200.0 {
		t.Errorf("batch: %v", got)
	}
}
