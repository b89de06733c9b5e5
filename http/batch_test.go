package http_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// batchItem is one request of a batch body.
type batchItem map[string]any

// batch POSTs requests to /{version}/$batch and returns the responses by
// id, after checking the 200 and Graph's shape.
func (e *env) batch(version, token string, items ...batchItem) map[string]map[string]any {
	e.t.Helper()
	res := e.send(http.MethodPost, "/"+version+"/$batch", token, map[string]any{"requests": items})
	if res.status != http.StatusOK {
		e.t.Fatalf("batch: %d %s", res.status, res.body)
	}
	out := map[string]map[string]any{}
	for _, r := range res.json(e.t)["responses"].([]any) {
		r := r.(map[string]any)
		if _, ok := r["headers"].(map[string]any); !ok {
			e.t.Errorf("response without headers: %v", r)
		}
		out[r["id"].(string)] = r
	}
	if len(out) != len(items) {
		e.t.Errorf("%d responses for %d requests", len(out), len(items))
	}
	return out
}

func status(r map[string]any) int { n, _ := r["status"].(float64); return int(n) }

func header(r map[string]any, name string) string {
	s, _ := r["headers"].(map[string]any)[name].(string)
	return s
}

func bodyOf(r map[string]any) map[string]any { b, _ := r["body"].(map[string]any); return b }

// TestBatchCreatesTeamAndPolls creates a team and reads the demo team in
// one batch, then polls the new operation with batches until it ends,
// as a client polling twenty operations would.
func TestBatchCreatesTeamAndPolls(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	raw, _ := json.Marshal(newTeamBody("Batched"))
	got := e.batch("v1.0", token,
		batchItem{"id": "create", "method": "POST", "url": "/teams", "headers": map[string]any{"Content-Type": "application/json"}, "body": json.RawMessage(raw)},
		batchItem{"id": "ops", "method": "GET", "url": "/teams/" + demo.TeamID + "/operations?$select=id,status"},
	)
	create := got["create"]
	loc := header(create, "Location")
	if status(create) != http.StatusAccepted || !strings.HasPrefix(loc, "/teams('") || create["body"] != nil {
		t.Fatalf("create: %v", create)
	}
	if ops := got["ops"]; status(ops) != 200 || len(bodyOf(ops)["value"].([]any)) != 1 {
		t.Errorf("operations: %v", ops)
	}
	var polls []batchItem
	for i := range 20 {
		polls = append(polls, batchItem{"id": fmt.Sprint(i), "method": "GET", "url": loc})
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := e.batch("beta", token, polls...)
		op := bodyOf(res["0"])
		for id, r := range res {
			if status(r) != 200 || bodyOf(r)["id"] != op["id"] {
				t.Fatalf("poll %s: %v", id, r)
			}
		}
		if op["status"] == "succeeded" {
			if op["operationType"] != "createTeam" {
				t.Errorf("beta operation %v", op)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation never ended: %v", op)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestBatchRules: dependencies run in order and a failed one fails its
// dependents with 424; each request is authorized with the batch's token
// and answers as alone; bodies of other types come as base64.
func TestBatchRules(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	got := e.batch("v1.0", token,
		batchItem{"id": "missing", "method": "GET", "url": "/teams/0b0b0b0b-0000-4000-8000-000000000000"},
		batchItem{"id": "after-missing", "method": "GET", "url": "/teams/" + demo.TeamID, "dependsOn": []string{"MISSING"}},
		batchItem{"id": "after-after", "method": "GET", "url": "/teams/" + demo.TeamID, "dependsOn": []string{"after-missing"}},
		batchItem{"id": "team", "method": "GET", "url": "teams/" + demo.TeamID + "?$select=displayName",
			"headers": map[string]any{"Authorization": "Bearer not-a-token"}},
		batchItem{"id": "after-team", "method": "GET", "url": "/teams/" + demo.TeamID + "/channels", "dependsOn": []string{"team"}},
		batchItem{"id": "count", "method": "GET", "url": "/teams/" + demo.TeamID + "/operations/$count"},
		batchItem{"id": "beta", "method": "GET", "url": "/beta/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation},
		batchItem{"id": "app-on-me", "method": "GET", "url": "/me/joinedTeams"},
		batchItem{"id": "bad-method", "method": "DELETE", "url": "/teams/" + demo.TeamID},
		batchItem{"id": "bad-body", "method": "POST", "url": "/teams", "headers": map[string]any{"Content-Type": "application/json"}, "body": map[string]any{}},
		batchItem{"id": "base64", "method": "POST", "url": "/teams", "headers": map[string]any{"Content-Type": "text/plain"},
			"body": base64.StdEncoding.EncodeToString([]byte("not json"))},
	)
	want := map[string]int{"missing": 404, "after-missing": 424, "after-after": 424, "team": 200, "after-team": 200, "count": 200,
		"beta": 200, "app-on-me": 400, "bad-method": 405, "bad-body": 400, "base64": 400}
	for id, st := range want {
		if status(got[id]) != st {
			t.Errorf("%s: %v, want %d", id, got[id], st)
		}
	}
	if e := bodyOf(got["after-missing"])["error"].(map[string]any); e["code"] != "FailedDependency" || !strings.Contains(e["message"].(string), "MISSING") {
		t.Errorf("424 body %v", e)
	}
	if b := bodyOf(got["team"]); b["displayName"] != "Contoso Marketing" || len(b) != 2 {
		t.Errorf("team %v", b)
	}
	if n, _ := base64.StdEncoding.DecodeString(got["count"]["body"].(string)); string(n) != "1" || !strings.HasPrefix(header(got["count"], "Content-Type"), "text/plain") {
		t.Errorf("count %v", got["count"])
	}
	if bodyOf(got["beta"])["operationType"] != "createChat" || header(got["bad-method"], "Allow") == "" ||
		header(got["team"], "request-id") == "" || header(got["team"], "OData-Version") != "4.0" {
		t.Errorf("beta %v, 405 %v", got["beta"], got["bad-method"])
	}
	// The same on /beta.
	if r := e.batch("beta", token, batchItem{"id": "1", "method": "GET", "url": "/chats/" + demo.ChatID})["1"]; status(r) != 200 {
		t.Errorf("beta batch %v", r)
	}
}

// TestBatchThrottlesEachRequest: with throttling on, the requests of a
// batch count one by one, and the refused ones answer 429 with their own
// Retry-After, while the batch is 200.
func TestBatchThrottlesEachRequest(t *testing.T) {
	e := newEnv(t)
	throttled(e, 0.1) // GET /teams/{id}: 4 per app on the team, scaled to 1
	token := e.consoleToken()
	var items []batchItem
	for i := range 5 {
		items = append(items, batchItem{"id": fmt.Sprint(i), "method": "GET", "url": "/teams/" + demo.TeamID})
	}
	items = append(items, batchItem{"id": "fault", "method": "GET", "url": "/teams/" + demo.TeamID + "/channels",
		"headers": map[string]any{"X-Teamsops-Fault": "unavailable;retry-after=9"}})
	got := e.batch("v1.0", token, items...)
	// The requests run side by side, so which one passes is not known.
	counts := map[int]int{}
	for i := range 5 {
		r := got[fmt.Sprint(i)]
		counts[status(r)]++
		if status(r) == 429 && header(r, "Retry-After") == "" {
			t.Errorf("429 without Retry-After: %v", r)
		}
	}
	if counts[200] != 1 || counts[429] != 4 {
		t.Errorf("statuses %v, want one 200 and four 429", counts)
	}
	if f := got["fault"]; status(f) != 503 || header(f, "Retry-After") != "9" {
		t.Errorf("fault %v", f)
	}
}

// TestBatchErrors: a batch that cannot run at all is a 400 and runs
// nothing.
func TestBatchErrors(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	get := func(id string) batchItem { return batchItem{"id": id, "method": "GET", "url": "/teams/" + demo.TeamID} }
	var many []batchItem
	for i := range 21 {
		many = append(many, get(fmt.Sprint(i)))
	}
	cycle := []batchItem{get("a"), get("b")}
	cycle[0]["dependsOn"], cycle[1]["dependsOn"] = []string{"b"}, []string{"a"}
	missing := get("a")
	missing["dependsOn"] = []string{"z"}
	create, _ := json.Marshal(newTeamBody("Never"))
	tests := []struct {
		name  string
		items []batchItem
	}{
		{"more than 20", many},
		{"duplicate ids", []batchItem{get("x"), get("X")}},
		{"a cycle", cycle},
		{"a missing dependency", []batchItem{missing}},
		{"a nested batch", []batchItem{get("1"), {"id": "2", "method": "POST", "url": "/$batch"}}},
		{"a body without Content-Type", []batchItem{{"id": "1", "method": "POST", "url": "/teams", "body": json.RawMessage(create)}}},
	}
	for _, tt := range tests {
		res := e.send(http.MethodPost, "/v1.0/$batch", token, map[string]any{"requests": tt.items})
		if res.status != http.StatusBadRequest || res.errorCode(t) != "BadRequest" {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
	if rows(t, e)["operations"] != 2 {
		t.Errorf("a refused batch wrote: %v", rows(t, e))
	}
	for _, tt := range []struct {
		name   string
		res    response
		status int
	}{
		{"no token", e.send(http.MethodPost, "/v1.0/$batch", "", map[string]any{"requests": []batchItem{get("1")}}), 401},
		{"not JSON", e.doBody(http.MethodPost, "/v1.0/$batch", token, []byte(`{`), "Content-Type", "application/json"), 400},
		{"no content type", e.doBody(http.MethodPost, "/v1.0/$batch", token, []byte(`{"requests":[]}`)), 400},
		{"a query option", e.send(http.MethodPost, "/v1.0/$batch?$top=1", token, map[string]any{"requests": []batchItem{get("1")}}), 400},
	} {
		if tt.res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, tt.res.status, tt.res.body)
		}
	}
	big := []byte(`{"requests":[],"pad":"` + strings.Repeat("x", 4<<20) + `"}`)
	if res := e.doBody(http.MethodPost, "/v1.0/$batch", token, big, "Content-Type", "application/json"); res.status != 400 ||
		!strings.Contains(string(res.body), "The batch body is larger than 4194304 bytes.") {
		t.Errorf("too large: %d %.200s", res.status, res.body)
	}
}
