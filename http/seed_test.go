package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// golden reads testdata/name with {{base}} replaced, compacted: responses
// must match it byte for byte, member order included.
func golden(t *testing.T, name, base string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(strings.ReplaceAll(string(raw), "{{base}}", base))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSeedRoundTrip(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, demo.ConsoleRoles...)
	tests := []struct {
		name, path, golden string
	}{
		{"the seed's request on beta", seedPath, "seed.golden.json"},
		{"the demo team's operation", "/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation, "team-operation.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.get(tt.path, token)
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if want := golden(t, tt.golden, e.base); !bytes.Equal(res.body, want) {
				t.Errorf("body:\n%s\nwant:\n%s", res.body, want)
			}
			if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// TestKeySyntaxes addresses the seed's operation in every form Graph
// accepts: keys as segments or in OData key syntax, raw or percent-encoded.
func TestKeySyntaxes(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, "Chat.Read.All", "Team.ReadBasic.All")
	const (
		chat    = "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
		encoded = "19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2"
		op      = demo.ChatOperation
	)
	paths := []string{
		"/beta/chats/" + chat + "/operations/" + op,
		"/beta/chats/" + encoded + "/operations/" + op,
		"/beta/chats('" + chat + "')/operations('" + op + "')",
		"/beta/chats('" + encoded + "')/operations('" + op + "')",
		"/beta/chats%28%27" + encoded + "%27%29/operations%28%27" + op + "%27%29",
		"/beta/chats('" + chat + "')/operations/" + op,
		"/beta/chats/" + encoded + "/operations('" + op + "')",
		"/beta/Chats/" + chat + "/Operations/" + op,
	}
	for _, p := range paths {
		res := e.get(p, token)
		if res.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", p, res.status, res.body)
			continue
		}
		if id := res.json(t)["id"]; id != op {
			t.Errorf("%s: id %v", p, id)
		}
	}
	teamPaths := []string{
		"/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation,
		"/v1.0/teams('" + demo.TeamID + "')/operations('" + demo.TeamOperation + "')",
		"/v1.0/teams(" + demo.TeamID + ")/operations(" + demo.TeamOperation + ")",
	}
	for _, p := range teamPaths {
		if res := e.get(p, token); res.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", p, res.status, res.body)
		}
	}
}

func TestSelect(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, "Chat.Read.All")
	res := e.get(seedPath+"?$select=status,id", token)
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	want := `{"@odata.context":"` + e.base + `/beta/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations(status,id)/$entity",` +
		`"id":"` + demo.ChatOperation + `","status":"succeeded"}`
	if string(res.body) != want {
		t.Errorf("body:\n%s\nwant:\n%s", res.body, want)
	}

	list := e.get("/beta/chats/19:c253a29b5f694b55a6baad8e83510af7@thread.v2/operations?$select=values", token)
	body := list.json(t)
	if ctx := body["@odata.context"]; ctx != e.base+"/beta/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations(values)" {
		t.Errorf("list context %v", ctx)
	}
	values := body["value"].([]any)
	if len(values) != 1 || len(values[0].(map[string]any)) != 1 {
		t.Errorf("value %v", values)
	}
}

// TestChatOperationsCount: the seed chat's operations, listed as the beta
// page's example lists them (api-reference/beta/api/chat-list-operations.md):
// a bare GET answers "@odata.count": 1, then the operation.
func TestChatOperationsCount(t *testing.T) {
	e := newEnv(t)
	path := strings.TrimSuffix(seedPath, "/"+demo.ChatOperation)
	res := e.get(path, e.appToken(demo.ChatBotApp))
	body := res.json(t)
	values, _ := body["value"].([]any)
	if res.status != http.StatusOK || body["@odata.count"] != float64(1) || len(values) != 1 {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	if !bytes.Contains(res.body, []byte(`/operations","@odata.count":1,"value":[`)) {
		t.Errorf("members out of the page's order: %s", res.body)
	}
}
