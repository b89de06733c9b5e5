package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
)

// TestOperationHistory: an operation started through Graph records the
// request that started it — method, path, app, user, fault header and
// request-id — and every transition, a retried attempt with its error;
// one started by a delegated caller records its user.
func TestOperationHistory(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	body := newChatBody("group", "", []string{demo.UserAdele, demo.UserMegan}, demo.TeamsAppID).json(t)
	res := e.createChat("v1.0", token, body, "X-Teamsops-Fault", "transient=1")
	if res.status != http.StatusAccepted {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	op := poll(t, e, e.base+"/beta"+res.header.Get("Location"), token)
	h, err := e.store.OperationHistory(t.Context(), demo.TenantID, op["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	want := teamsops.Origin{Method: "POST", Path: "/v1.0/chats", ClientAppID: demo.ConsoleApp,
		Fault: "transient=1", RequestID: res.header.Get("request-id")}
	if h.Origin == nil || *h.Origin != want {
		t.Errorf("origin = %+v, want %+v", h.Origin, want)
	}
	var steps []string
	for _, tr := range h.Transitions {
		step := string(tr.Status) + "/" + string(rune('0'+tr.Attempt))
		if tr.Error != nil {
			step += " " + tr.Error.Code
		}
		steps = append(steps, step)
	}
	if got := strings.Join(steps, ", "); got != "notStarted/0, inProgress/1, inProgress/1 serviceNotAvailable, inProgress/2, succeeded/2" {
		t.Errorf("transitions: %s", got)
	}
	if tr := h.Transitions[2]; tr.Error == nil || !strings.HasPrefix(tr.Error.Message, "Attempt 1 failed: ") {
		t.Errorf("the failed attempt's error: %+v", tr.Error)
	}

	// A delegated caller's team action, in OData key syntax with a query.
	user := e.userToken(demo.UserAdele, "TeamSettings.ReadWrite.All")
	path := "/beta/teams('" + demo.TeamID + "')/archive?x=1"
	res = e.do(http.MethodPost, path, user)
	if res.status != http.StatusAccepted {
		t.Fatalf("archive: %d %s", res.status, res.body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(res.header.Get("Location"), "/teams('"+demo.TeamID+"')/operations('"), "')")
	h, err = e.store.OperationHistory(t.Context(), demo.TenantID, id)
	if err != nil {
		t.Fatal(err)
	}
	if h.Origin == nil || h.Origin.UserID != demo.UserAdele || h.Origin.Path != path || h.Origin.Fault != "" {
		t.Errorf("a delegated caller's origin: %+v", h.Origin)
	}
}

// TestOperationJSON: the exported rendering is what a GET answers, for a
// chat's operation on beta (v1.0 has none) and a team's on both versions.
func TestOperationJSON(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	tests := []struct{ version, path, id string }{
		{"beta", "/chats/" + demo.ChatID + "/operations/", demo.ChatOperation},
		{"beta", "/teams/" + demo.TeamID + "/operations/", demo.TeamOperation},
		{"v1.0", "/teams/" + demo.TeamID + "/operations/", demo.TeamOperation},
	}
	for _, tt := range tests {
		res := e.get("/"+tt.version+tt.path+tt.id, token)
		op, err := e.store.OperationByID(t.Context(), demo.TenantID, tt.id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := httpapi.OperationJSON(e.base, tt.version)(op)
		if err != nil || res.status != http.StatusOK || string(got) != string(res.body) {
			t.Errorf("%s %s: OperationJSON = %s, %v\nGET answers %d %s", tt.version, tt.path, got, err, res.status, res.body)
		}
	}
}
