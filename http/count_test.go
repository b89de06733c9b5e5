package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// TestCountSegment checks GET .../operations/$count, which the Graph SDKs
// call as Operations().Count(): a plain-text number, after $filter, not
// changed by $top or $skip.
func TestCountSegment(t *testing.T) {
	e := newEnv(t)
	addOperations(t, e, 10) // 11 on the chat: 6 succeeded, 5 failed
	console := e.appToken(demo.ConsoleApp, demo.ConsoleRoles...)
	team := "/v1.0/teams/" + demo.TeamID + "/operations/$count"
	tests := []struct {
		path, token string
		status      int
		body        string
	}{
		{chatOps + "/$count", console, http.StatusOK, "11"},
		{chatOps + "/%24count", console, http.StatusOK, "11"},
		{"/beta/chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations/$count", console, http.StatusOK, "11"},
		// v1.0's chat has no operations (route.go, inVersion).
		{"/v1.0/chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations/$count", console, http.StatusBadRequest, ""},
		{chatOps + "/$count?$filter=" + url.PathEscape("status eq 'failed'"), console, http.StatusOK, "5"},
		{chatOps + "/$count?$top=2&$skip=3", console, http.StatusOK, "11"},
		{team, console, http.StatusOK, "1"},
		{team + "?$filter=" + url.PathEscape("status eq 'failed'"), console, http.StatusOK, "0"},
		{team + "?$filter=nope%20eq%201", console, http.StatusBadRequest, ""},
		{team + "?$orderby=id", console, http.StatusBadRequest, ""},
		{team, e.appToken(demo.ChatBotApp), http.StatusForbidden, ""},
		{chatOps + "/$count/x", console, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		res := e.get(tt.path, tt.token)
		if res.status != tt.status {
			t.Errorf("GET %s: status %d, want %d: %s", tt.path, res.status, tt.status, res.body)
			continue
		}
		if tt.status != http.StatusOK {
			if code := res.errorCode(t); code == "" {
				t.Errorf("GET %s: no Graph error code: %s", tt.path, res.body)
			}
			continue
		}
		if got := string(res.body); got != tt.body {
			t.Errorf("GET %s: body %q, want %q", tt.path, got, tt.body)
		}
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
			t.Errorf("GET %s: Content-Type %q, want text/plain", tt.path, ct)
		}
	}
}
