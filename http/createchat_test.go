package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// chatBody is a "Create chat" body as the page's examples write it:
// members bound by URL, and at most the apps listed.
type chatBody struct {
	ChatType string          `json:"chatType"`
	Topic    string          `json:"topic,omitempty"`
	Members  []memberBody    `json:"members"`
	Apps     []installedBody `json:"installedApps,omitempty"`
}

type memberBody struct {
	Type  string   `json:"@odata.type"`
	Roles []string `json:"roles"`
	Bind  string   `json:"user@odata.bind"`
}

type installedBody struct {
	Bind string `json:"teamsApp@odata.bind"`
}

// newChatBody binds users by id (or UPN) on Graph's host, apps likewise.
func newChatBody(chatType, topic string, users []string, apps ...string) chatBody {
	b := chatBody{ChatType: chatType, Topic: topic}
	for _, u := range users {
		b.Members = append(b.Members, memberBody{"#microsoft.graph.aadUserConversationMember", []string{"owner"},
			"https://graph.microsoft.com/v1.0/users('" + u + "')"})
	}
	for _, a := range apps {
		b.Apps = append(b.Apps, installedBody{"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/" + a})
	}
	return b
}

func (b chatBody) json(t *testing.T) []byte {
	t.Helper()
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// createChat POSTs body to {version}/chats with a JSON content type.
func (e *env) createChat(version, token string, body []byte, headers ...string) response {
	e.t.Helper()
	return e.doBody(http.MethodPost, "/"+version+"/chats", token, body, append([]string{"Content-Type", "application/json"}, headers...)...)
}

// consoleToken is the ops console's token with the demo's roles.
func (e *env) consoleToken() string { return e.appToken(demo.ConsoleApp, demo.ConsoleRoles...) }

// rows counts what a create may write, straight from the database.
func rows(t *testing.T, e *env) map[string]int {
	t.Helper()
	out := make(map[string]int)
	for _, table := range []string{"chats", "chat_members", "operations", "app_installations"} {
		n, err := testdb.Int(t.Context(), e.store, "SELECT count(*) FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// poll GETs an operation until it ends, and returns its last body.
func poll(t *testing.T, e *env, url, token string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// As lro does: teamifyGroup, createChannel, archiveChannel and
		// unarchiveChannel come only to a client that asks for them.
		res := e.get(url, token, "Prefer", "include-unknown-enum-members")
		if res.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", url, res.status, res.body)
		}
		op := res.json(t)
		if s := op["status"]; s == "succeeded" || s == "failed" {
			return op
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never ended: %s", url, res.body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// installedApps lists the Teams app ids installed in a chat.
func installedApps(t *testing.T, e *env, chatID, token string) []string {
	t.Helper()
	res := e.get("/v1.0/chats/"+chatID+"/installedApps?$expand=teamsApp", token)
	if res.status != http.StatusOK {
		t.Fatalf("installedApps: %d %s", res.status, res.body)
	}
	var ids []string
	for _, v := range res.json(t)["value"].([]any) {
		ids = append(ids, v.(map[string]any)["teamsApp"].(map[string]any)["id"].(string))
	}
	return ids
}

// TestCreateChatWithApp walks the whole flow on both versions: POST, 202,
// GET the Location appended to the beta base URL until it succeeds, and
// the app is installed. v1.0's "Create chat" answers the same 202
// (api-reference/v1.0/api/chat-post.md, example 3), but v1.0 has no chat
// operations: the Location appended to the v1.0 base URL is a 400, as on
// Graph (docs/compatibility.md).
func TestCreateChatWithApp(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	for _, version := range []string{"v1.0", "beta"} {
		t.Run(version, func(t *testing.T) {
			res := e.createChat(version, token, newChatBody("group", "Launch", []string{demo.UserAdele, demo.UserAlex, demo.UserMegan}, demo.TeamsAppID).json(t))
			if res.status != http.StatusAccepted || len(res.body) != 0 {
				t.Fatalf("status %d, body %q", res.status, res.body)
			}
			loc := res.header.Get("Location")
			if !strings.HasPrefix(loc, "/chats('19:") || !strings.Contains(loc, "@thread.v2')/operations('") {
				t.Fatalf("Location %q", loc)
			}
			if version == "v1.0" {
				res := e.get("/v1.0"+loc, token)
				if res.status != http.StatusBadRequest || !strings.Contains(string(res.body), "Resource not found for the segment 'operations'.") {
					t.Errorf("GET /v1.0%s: %d %s", loc, res.status, res.body)
				}
			}
			op := poll(t, e, e.base+"/beta"+loc, token)
			chatID := op["targetResourceId"].(string)
			if op["status"] != "succeeded" || op["error"] != nil || op["attemptsCount"].(float64) < 1 ||
				op["targetResourceLocation"] != "/chats('"+chatID+"')" || !strings.HasSuffix(loc, "/operations('"+op["id"].(string)+"')") {
				t.Errorf("operation %v", op)
			}
			if version == "beta" && (op["operationType"] != "createChat" || op["values"] != `{"appIds":["`+demo.TeamsAppID+`"]}`) {
				t.Errorf("beta operation %v", op)
			}
			if apps := installedApps(t, e, chatID, token); len(apps) != 1 || apps[0] != demo.TeamsAppID {
				t.Errorf("installed apps %v", apps)
			}
			members := e.get("/beta/chats/"+chatID+"/members", token).json(t)
			if members["@odata.count"] != 3.0 {
				t.Errorf("members %v", members)
			}
		})
	}
}

// TestCreateChatFaults: "fail" ends the operation failed with an error and
// no app; "transient=N" succeeds after N failed attempts.
func TestCreateChatFaults(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	users := []string{demo.UserAdele, demo.UserMegan}
	res := e.createChat("beta", token, newChatBody("group", "", users, demo.TeamsAppID).json(t), "X-Teamsops-Fault", "fail")
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	op := poll(t, e, e.base+"/beta"+res.header.Get("Location"), token)
	errObj, _ := op["error"].(map[string]any)
	if op["status"] != "failed" || errObj["code"] == "" || errObj["message"] == "" || op["attemptsCount"].(float64) < 2 {
		t.Errorf("failed operation %v", op)
	}
	if apps := installedApps(t, e, op["targetResourceId"].(string), token); len(apps) != 0 {
		t.Errorf("a failed operation installed %v", apps)
	}

	res = e.createChat("v1.0", token, newChatBody("group", "", users, demo.TeamsAppID).json(t), "X-Teamsops-Fault", "transient=1")
	op = poll(t, e, e.base+"/beta"+res.header.Get("Location"), token)
	if op["status"] != "succeeded" || op["attemptsCount"] != 2.0 {
		t.Errorf("transient=1: %v", op)
	}
	if apps := installedApps(t, e, op["targetResourceId"].(string), token); len(apps) != 1 {
		t.Errorf("transient=1 installed %v", apps)
	}
}

// TestCreateChatWithoutApps: 201 and the chat, for group and one-on-one
// chats; a second one-on-one between the same users returns the first.
func TestCreateChatWithoutApps(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	res := e.createChat("v1.0", token, newChatBody("group", "Plans", []string{demo.UserAdele, demo.UserAlex}).json(t))
	chat := res.json(t)
	if res.status != http.StatusCreated || chat["chatType"] != "group" || chat["topic"] != "Plans" ||
		chat["@odata.context"] != e.base+"/v1.0/$metadata#chats/$entity" || !strings.HasSuffix(chat["id"].(string), "@thread.v2") ||
		chat["tenantId"] != demo.TenantID || chat["createdDateTime"] != chat["lastUpdatedDateTime"] {
		t.Fatalf("group: %d %s", res.status, res.body)
	}
	if got := e.get("/v1.0/chats/"+chat["id"].(string), token).json(t); got["id"] != chat["id"] {
		t.Errorf("GET the new chat: %v", got)
	}

	// Alex first, Adele by UPN: the id orders the two object ids.
	one := newChatBody("oneOnOne", "", []string{demo.UserAdele, "alexw@CONTOSO.onmicrosoft.com"}).json(t)
	want := "19:" + demo.UserAlex + "_" + demo.UserAdele + "@unq.gbl.spaces"
	first := e.createChat("beta", token, one)
	if first.status != http.StatusCreated || first.json(t)["id"] != want || first.json(t)["topic"] != nil {
		t.Fatalf("oneOnOne: %d %s", first.status, first.body)
	}
	if want != service.OneOnOneChatID(demo.UserAdele, demo.UserAlex) {
		t.Errorf("OneOnOneChatID disagrees")
	}
	before := rows(t, e)
	again := e.createChat("beta", token, newChatBody("oneOnOne", "", []string{demo.UserAlex, demo.UserAdele}).json(t))
	if again.status != http.StatusCreated || again.json(t)["id"] != want || again.json(t)["createdDateTime"] != first.json(t)["createdDateTime"] {
		t.Errorf("the same oneOnOne again: %d %s", again.status, again.body)
	}
	if after := rows(t, e); after["chats"] != before["chats"] {
		t.Errorf("rows %v, then %v", before, after)
	}
	sel := e.doBody(http.MethodPost, "/beta/chats?$select=id", token, one, "Content-Type", "application/json")
	if want := `{"@odata.context":"` + e.base + `/beta/$metadata#chats(id)/$entity","id":"` + want + `"}`; string(sel.body) != want {
		t.Errorf("$select on create: %s", sel.body)
	}
}
