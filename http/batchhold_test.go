package http_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
)

// timedBatch POSTs a batch and returns its responses in the order they
// came, and how long it took.
func (e *env) timedBatch(token string, items ...batchItem) ([]map[string]any, time.Duration) {
	e.t.Helper()
	start := time.Now()
	res := e.send(http.MethodPost, "/v1.0/$batch", token, map[string]any{"requests": items})
	took := time.Since(start)
	if res.status != http.StatusOK {
		e.t.Fatalf("batch: %d %s", res.status, res.body)
	}
	var out []map[string]any
	for _, r := range res.json(e.t)["responses"].([]any) {
		out = append(out, r.(map[string]any))
	}
	if len(out) != len(items) {
		e.t.Fatalf("%d responses for %d requests", len(out), len(items))
	}
	return out, took
}

func delayed(id, latency string, dependsOn ...string) batchItem {
	item := batchItem{"id": id, "method": "GET", "url": "/teams/" + demo.TeamID,
		"headers": map[string]any{"X-Teamsops-Fault": "latency=" + latency}}
	if len(dependsOn) > 0 {
		item["dependsOn"] = dependsOn
	}
	return item
}

// TestBatchRunsRequestsConcurrently: five independent requests delayed a
// second each answer together, not one after another.
func TestBatchRunsRequestsConcurrently(t *testing.T) {
	e := newEnv(t)
	var items []batchItem
	for i := range 5 {
		items = append(items, delayed(fmt.Sprint(i), "1s"))
	}
	got, took := e.timedBatch(e.consoleToken(), items...)
	for _, r := range got {
		if status(r) != 200 {
			t.Errorf("%v", r)
		}
	}
	if took < time.Second || took >= 4*time.Second {
		t.Errorf("five requests of 1s each took %s together", took)
	}
}

// TestBatchDependsOnStillOrders: a chain of three delayed requests runs
// one after another while the independent ones run beside it, and the
// responses list each request after those it depends on.
func TestBatchDependsOnStillOrders(t *testing.T) {
	e := newEnv(t)
	items := []batchItem{
		delayed("c", "400ms", "b"),
		delayed("b", "400ms", "a"),
		delayed("a", "400ms"),
		delayed("x", "400ms"), delayed("y", "400ms"), delayed("z", "400ms"),
	}
	got, took := e.timedBatch(e.consoleToken(), items...)
	var ids []string
	for _, r := range got {
		ids = append(ids, r["id"].(string))
		if status(r) != 200 {
			t.Errorf("%v", r)
		}
	}
	if a, b, c := slices.Index(ids, "a"), slices.Index(ids, "b"), slices.Index(ids, "c"); a > b || b > c {
		t.Errorf("responses in the order %v", ids)
	}
	// The chain takes three delays; the rest run beside it.
	if took < 1200*time.Millisecond || took >= 2400*time.Millisecond {
		t.Errorf("took %s, want about 1.2s", took)
	}
}

// TestBatchHoldsNoLongerThanOneRequest: twenty requests asking to be held
// a minute each, or delayed, hold the batch no longer than the limit of
// one request (scaled down to 2s here), not twenty times it.
func TestBatchHoldsNoLongerThanOneRequest(t *testing.T) {
	e := newEnv(t)
	httpapi.SetBatchHold(e.api, 2*time.Second)
	e.stuckOperation()
	token := e.consoleToken()
	const slack = 1500 * time.Millisecond

	var waits []batchItem
	for i := range 20 {
		waits = append(waits, batchItem{"id": fmt.Sprint(i), "method": "GET", "url": strings.TrimPrefix(stuckPath("v1.0"), "/v1.0"),
			"headers": map[string]any{"Prefer": "wait=60"}})
	}
	got, took := e.timedBatch(token, waits...)
	if took > 2*time.Second+slack {
		t.Errorf("twenty held requests took %s", took)
	}
	held := 0
	for _, r := range got {
		if status(r) != 200 || bodyOf(r)["status"] != "inProgress" {
			t.Errorf("%v", r)
		}
		switch applied := header(r, "Preference-Applied"); applied {
		case "wait=1":
			held++
		case "", "wait=0":
		default:
			t.Errorf("held past the batch's limit: %v", r)
		}
	}
	if held == 0 || held > 5 {
		t.Errorf("%d requests held, want 1 to 5 (the first round)", held)
	}

	var delays []batchItem
	for i := range 20 {
		delays = append(delays, delayed(fmt.Sprint(i), "1500ms"))
	}
	got, took = e.timedBatch(token, delays...)
	if took > 2*time.Second+slack {
		t.Errorf("twenty delayed requests took %s", took)
	}
	counts := map[int]int{}
	for _, r := range got {
		counts[status(r)]++
		if status(r) == 503 && (header(r, "Retry-After") != "1" || bodyOf(r)["error"].(map[string]any)["code"] != "ServiceUnavailable") {
			t.Errorf("%v", r)
		}
	}
	// A delay that no longer fits before the deadline is refused at once.
	if counts[200] < 1 || counts[200] > 5 || counts[200]+counts[503] != 20 {
		t.Errorf("statuses %v", counts)
	}
}

// TestBatchPastItsDeadline: a request that cannot start before the
// batch's deadline is a 503 with Retry-After, without running, and those
// that depend on it fail with 424.
func TestBatchPastItsDeadline(t *testing.T) {
	e := newEnv(t)
	httpapi.SetBatchHold(e.api, time.Nanosecond)
	got := e.batch("v1.0", e.consoleToken(),
		batchItem{"id": "a", "method": "GET", "url": "/teams/" + demo.TeamID},
		batchItem{"id": "b", "method": "GET", "url": "/teams/" + demo.TeamID, "dependsOn": []string{"a"}},
	)
	a := got["a"]
	msg, _ := bodyOf(a)["error"].(map[string]any)["message"].(string)
	if status(a) != 503 || header(a, "Retry-After") != "1" || !strings.Contains(msg, "did not run") {
		t.Errorf("a: %v", a)
	}
	if status(got["b"]) != 424 {
		t.Errorf("b: %v", got["b"])
	}
}
