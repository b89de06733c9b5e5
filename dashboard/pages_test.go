package dashboard_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
)

// get answers a GET on an open dashboard.
func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	w := serve(h, request("GET", path, ""))
	return w.Code, w.Body.String()
}

// rowIDs lists the operation ids of a table's rows, in order.
func rowIDs(body string) []string {
	var ids []string
	for _, m := range regexp.MustCompile(`<th scope="row" data-label="Operation"><a href="/_teamsops/ui/operations/[^/"]+/([^"]+)"`).FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// seedOperations writes n operations of tenant, a second apart from t0,
// in one transaction: the i-th is op-{i}, on the demo team, and has the
// status and type status(i) and typ(i) give.
func seedOperations(t testing.TB, store teamsops.Store, tenant string, n int, t0 time.Time) {
	t.Helper()
	statuses := []teamsops.OperationStatus{teamsops.OperationStatusSucceeded, teamsops.OperationStatusFailed, teamsops.OperationStatusInProgress}
	err := store.Update(t.Context(), func(tx teamsops.Tx) error {
		for i := range n {
			at := t0.Add(time.Duration(i) * time.Second)
			op := &teamsops.Operation{ID: fmt.Sprintf("op-%05d", i), TenantID: tenant,
				Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
				Type:     teamsops.OperationTypeArchiveTeam, Status: statuses[i%3], CreatedDateTime: at, LastActionDateTime: at,
				AttemptsCount: 1, TargetResourceID: demo.TeamID, TargetResourceLocation: "/teams('" + demo.TeamID + "')",
				Origin: &teamsops.Origin{Method: "POST", Path: "/v1.0/teams/" + demo.TeamID + "/archive", ClientAppID: demo.ConsoleApp}}
			if op.Status == teamsops.OperationStatusFailed {
				op.Error = &teamsops.OperationError{Code: "invalidRequest", Message: "It could not be done."}
			}
			if err := tx.CreateOperation(t.Context(), op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOperationsTable: the demo's operations, newest first, with their
// status in words, and who started them when that is recorded.
func TestOperationsTable(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true})
	seedOperations(t, store, demo.TenantID, 3, time.Now().UTC().Truncate(time.Second))
	code, body := get(t, h, "/_teamsops/ui/")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	want := []string{"op-00002", "op-00001", "op-00000", demo.TeamOperation, demo.ChatOperation}
	if got := rowIDs(body); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rows %v, want %v", got, want)
	}
	for _, s := range []string{"createChat", "✓</span> succeeded", "✗</span> failed", "invalidRequest",
		"ops console", "not recorded", "Contoso", `<label for="f-status">Status</label>`} {
		if !strings.Contains(body, s) {
			t.Errorf("the table lacks %q", s)
		}
	}
}

// TestFilters: tenant, status, type and resource narrow the table, as a
// GET form; a value no operation could have is a 400 that says why.
func TestFilters(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true})
	seedOperations(t, store, demo.TenantID, 6, time.Now().UTC())
	tests := []struct {
		query string
		want  []string
	}{
		{"status=failed", []string{"op-00004", "op-00001"}},
		{"status=inProgress&type=archiveTeam", []string{"op-00005", "op-00002"}},
		{"type=createChat", []string{demo.ChatOperation}},
		{"resource=" + demo.ChatID, []string{demo.ChatOperation}},
		{"tenant=" + demo.TenantID + "&status=notStarted", nil},
		{"tenant=0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", nil},
		{"tenant=&status=&type=&resource=", []string{"op-00005", "op-00004", "op-00003", "op-00002", "op-00001", "op-00000", demo.TeamOperation, demo.ChatOperation}},
	}
	for _, tt := range tests {
		code, body := get(t, h, "/_teamsops/ui/?"+tt.query)
		if got := rowIDs(body); code != http.StatusOK || strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: %d %v, want %v", tt.query, code, got, tt.want)
		}
		if len(tt.want) == 0 && !strings.Contains(body, "No operation matches") {
			t.Errorf("%s: no word for an empty table", tt.query)
		}
	}
	// The form shows the filters it applied.
	_, body := get(t, h, "/_teamsops/ui/?status=failed&resource=abc")
	if !strings.Contains(body, `<option selected>failed</option>`) || !strings.Contains(body, `value="abc"`) {
		t.Errorf("the form forgot its filters")
	}
	// The form offers the statuses and types an operation can have, and
	// no others: not invalid, nor unknownFutureValue.
	_, body = get(t, h, "/_teamsops/ui/")
	statuses := regexp.MustCompile(`(?s)<select id="f-status".*?</select>`).FindString(body)
	for _, want := range []string{"notStarted", "inProgress", "succeeded", "failed"} {
		if !strings.Contains(statuses, "<option>"+want+"</option>") {
			t.Errorf("the status filter lacks %s: %s", want, statuses)
		}
	}
	if strings.Contains(body, "<option>invalid</option>") || strings.Contains(body, "<option>unknownFutureValue</option>") {
		t.Errorf("the form offers a value no operation has: %s", body)
	}
	for _, bad := range []string{"status=invalid", "status=unknownFutureValue", "type=invalid", "type=unknownFutureValue"} {
		code, body := get(t, h, "/_teamsops/ui/?"+bad)
		if code != http.StatusBadRequest || !strings.Contains(body, "is not a status an operation can have: notStarted, inProgress, succeeded, failed") &&
			!strings.Contains(body, "is not a type an operation can have: cloneTeam,") {
			t.Errorf("%s: %d, want 400 with the values there are", bad, code)
		}
	}
	for _, bad := range []string{"status=done", "type=makeCoffee", "before=%25%25", "before=" + strings.Repeat("A", 40),
		"tenant=" + strings.Repeat("x", 300), "resource=%ff"} {
		code, body := get(t, h, "/_teamsops/ui/?"+bad)
		if code != http.StatusBadRequest || !strings.Contains(body, "not valid") && !strings.Contains(body, "is not a") {
			t.Errorf("%s: %d, want 400 with a reason", bad, code)
		}
	}
}

// nextLink finds the link to a table's next page.
var nextLink = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

// TestPaging: pages of 50 after a cursor, newest first, each operation
// once, and links between them.
func TestPaging(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true})
	seedOperations(t, store, demo.TenantID, 118, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	seen := map[string]bool{}
	path, pages := "/_teamsops/ui/?tenant="+demo.TenantID, 0
	for path != "" && pages < 5 {
		code, body := get(t, h, path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		ids := rowIDs(body)
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s shown twice", id)
			}
			seen[id] = true
		}
		if pages == 0 && (len(ids) != 50 || ids[0] != "op-00117") {
			t.Errorf("first page: %d rows from %v", len(ids), ids[:1])
		}
		path = ""
		if m := nextLink.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
		pages++
	}
	if pages != 3 || len(seen) != 120 {
		t.Errorf("%d pages, %d operations; want 3 and 120", pages, len(seen))
	}
}

// TestOperationPage: the timeline of every transition with its attempt and
// error, the request that started it, Graph's JSON, and the curl and wait
// lines; an unknown operation is a 404.
func TestOperationPage(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true, PublicURL: "http://127.0.0.1:8080"})
	ctx := t.Context()
	t0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	op := &teamsops.Operation{ID: "op-timeline", TenantID: demo.TenantID, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
		Type: teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusNotStarted, CreatedDateTime: t0, LastActionDateTime: t0,
		TargetResourceID: demo.TeamID, TargetResourceLocation: "/teams('" + demo.TeamID + "')",
		Origin: &teamsops.Origin{Method: "POST", Path: "/v1.0/teams/" + demo.TeamID + "/archive", ClientAppID: demo.ConsoleApp,
			UserID: demo.UserAdele, Fault: "transient=1; fail", RequestID: "1f2e3d4c-0000-4000-8000-000000000000"}}
	if err := store.CreateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	steps := []func(){
		func() { op.Status, op.AttemptsCount = teamsops.OperationStatusInProgress, 1 },
		func() {
			op.AttemptError = &teamsops.OperationError{Code: "serviceNotAvailable", Message: "Attempt 1 failed: the service is temporarily unavailable."}
		},
		func() { op.AttemptError, op.AttemptsCount = nil, 2 },
		func() {
			op.Status = teamsops.OperationStatusFailed
			op.Error = &teamsops.OperationError{Code: "serviceNotAvailable", Message: "The operation failed after 2 attempts."}
		},
	}
	for i, step := range steps {
		step()
		op.LastActionDateTime = t0.Add(time.Duration(i+1) * 1500 * time.Millisecond)
		if err := store.UpdateOperation(ctx, op); err != nil {
			t.Fatal(err)
		}
	}
	code, body := get(t, h, "/_teamsops/ui/operations/"+demo.TenantID+"/op-timeline")
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	op.Origin, op.AttemptError = nil, nil
	graph, err := httpapi.OperationJSON("http://127.0.0.1:8080", "v1.0")(op)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"Accepted (202)", "Attempt 1 started", "Attempt 1 failed; it will be retried", "Attempt 2 started", ">Failed<",
		"+1.5s", "+6s", "The operation failed after 2 attempts.", "Attempt 1 failed: the service is temporarily unavailable.",
		"POST /v1.0/teams/" + demo.TeamID + "/archive", "ops console", "Adele Vance", "X-Teamsops-Fault: transient=1; fail",
		"1f2e3d4c-0000-4000-8000-000000000000", `"attemptsCount": 2`,
		`curl -s -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/v1.0/teams/` + demo.TeamID + `/operations/op-timeline'`,
		`teamsops wait --token "$TOKEN" 'http://127.0.0.1:8080/v1.0/teams/`,
	} {
		if !strings.Contains(html.UnescapeString(body), s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(html.UnescapeString(body)), ""), strings.Join(strings.Fields(string(graph)), "")) {
		t.Errorf("the page's JSON is not Graph's:\n%s", graph)
	}
	// A declared operation: no request, its one recorded state.
	_, body = get(t, h, "/_teamsops/ui/operations/"+demo.TenantID+"/"+demo.ChatOperation)
	for _, s := range []string{"Recorded as succeeded (declared", "No request is recorded", "/beta/chats/19:c253a29b5f694b55a6baad8e83510af7@thread.v2/operations/"} {
		if !strings.Contains(body, s) {
			t.Errorf("the declared operation's page lacks %q", s)
		}
	}
	for _, path := range []string{"/_teamsops/ui/operations/" + demo.TenantID + "/no-such-op", "/_teamsops/ui/operations/no-such-tenant/op-timeline"} {
		if code, _ := get(t, h, path); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
}

// TestTenantPages: the tenants, and a tenant's users, apps with their
// permissions, teams and chats.
func TestTenantPages(t *testing.T) {
	h, _ := newDashboard(t, dashboard.Config{Loopback: true})
	code, body := get(t, h, "/_teamsops/ui/tenants")
	if code != http.StatusOK || !strings.Contains(body, "Contoso") || !strings.Contains(body, "/_teamsops/ui/tenants/"+demo.TenantID) {
		t.Errorf("tenants: %d", code)
	}
	code, body = get(t, h, "/_teamsops/ui/tenants/"+demo.TenantID)
	for _, s := range []string{"Megan Bowen", "AdeleV@contoso.onmicrosoft.com", "chat bot", "ops console", "Team.Create",
		"ChatSettings.Read.Chat", "Contoso Marketing", "Adele Vance (owner)", "Contoso launch", "Contoso Bot"} {
		if code != http.StatusOK || !strings.Contains(body, s) {
			t.Errorf("the tenant's page (%d) lacks %q", code, s)
		}
	}
	if code, _ := get(t, h, "/_teamsops/ui/tenants/0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d"); code != http.StatusNotFound {
		t.Errorf("an unknown tenant: %d, want 404", code)
	}
	if code, _ := get(t, h, "/_teamsops/ui/nothing/here"); code != http.StatusNotFound {
		t.Errorf("an unknown page: %d, want 404", code)
	}
}
