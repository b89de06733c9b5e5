package admin_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/testdb"
)

// rulesPath is the demo tenant's fault rules.
const rulesPath = "/_teamsops/tenants/" + demo.TenantID + "/faultRules"

// TestFaultRuleEndpoints: every answer of the fault rule endpoints.
func TestFaultRuleEndpoints(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	admin := "Bearer " + adminToken
	rule := `{"app": "ops console", "operationType": "createTeam", "action": "fail",
		"errorCode": "QuotaExceeded", "errorMessage": "No more teams."}`
	// The id is derived as a tenant file's would be.
	const derived = "/_teamsops/tenants/" + demo.TenantID + "/faultRules/"
	tests := []struct {
		name, method, path, auth, body string
		status                         int
		want                           string // in the body
	}{
		{"list, none yet", "GET", rulesPath, admin, "", 200, `{"value":[]}`},
		{"create", "POST", rulesPath, admin, rule, 201,
			`"app":"7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f","operationType":"createTeam","action":"fail","errorCode":"QuotaExceeded","errorMessage":"No more teams."}`},
		{"create again: replaced", "POST", rulesPath, admin, rule, 200, `"errorMessage":"No more teams."`},
		{"create with an id", "POST", rulesPath, admin, `{"id": "flaky", "app": "chat bot", "action": "transient", "attempts": 2}`, 201,
			`{"id":"flaky","app":"0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10","action":"transient","attempts":2}`},
		{"list", "GET", rulesPath, admin, "", 200, `"errorMessage":"No more teams."},{"id":"flaky"`},
		{"get one", "GET", rulesPath + "/flaky", admin, "", 200, `{"id":"flaky","app":"0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10","action":"transient","attempts":2}`},
		{"get one that does not exist", "GET", rulesPath + "/nothing", admin, "", 404, `"Fault rule 'nothing' was not found."`},
		{"a bad rule", "POST", rulesPath, admin, `{"app": "ops consol", "action": "transient"}`, 400,
			`"message":"The fault rule has 2 errors: request body:1:1: attempts: attempts is required`},
		{"not JSON", "POST", rulesPath, admin, `{`, 400, `"message":"The fault rule has 1 error: request body:1:1: not valid YAML or JSON`},
		{"too large", "POST", rulesPath, admin, `{"app": "` + strings.Repeat("x", 70_000) + `"}`, 400, `larger than 65536 bytes`},
		{"an unknown tenant", "POST", "/_teamsops/tenants/" + tenantA + "/faultRules", admin, rule, 404, `"code":"NotFound"`},
		{"an unknown tenant's list", "GET", "/_teamsops/tenants/" + tenantA + "/faultRules", admin, "", 404, `"code":"NotFound"`},
		{"delete", "DELETE", rulesPath + "/flaky", admin, "", 204, ""},
		{"delete again", "DELETE", rulesPath + "/flaky", admin, "", 404, `"Fault rule 'flaky' was not found."`},
		{"delete in an unknown tenant", "DELETE", "/_teamsops/tenants/" + tenantA + "/faultRules/flaky", admin, "", 404, `"code":"NotFound"`},
		{"a method the list does not take", "PUT", rulesPath, admin, rule, 405, `"code":"MethodNotAllowed"`},
		{"a method a rule does not take", "PATCH", rulesPath + "/flaky", admin, rule, 405, `"code":"MethodNotAllowed"`},
		{"below a rule", "GET", rulesPath + "/flaky/more", admin, "", 404, `"No admin endpoint at`},
		{"no token", "GET", rulesPath, "", "", 401, `"code":"InvalidAuthenticationToken"`},
		{"no token, POST", "POST", rulesPath, "", rule, 401, `"code":"InvalidAuthenticationToken"`},
		{"no token, DELETE", "DELETE", rulesPath + "/flaky", "Bearer wrong", "", 401, `"code":"InvalidAuthenticationToken"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			status, b, header := e.do(t, tt.method, tt.path, tt.auth, body)
			if status != tt.status || !strings.Contains(string(b), tt.want) {
				t.Fatalf("status %d, want %d; body %.400s, want it to hold %s", status, tt.status, b, tt.want)
			}
			switch {
			case status >= 400:
				graphError(t, b)
			case status == 201 && !strings.HasPrefix(header.Get("Location"), derived):
				t.Errorf("Location %q", header.Get("Location"))
			case tt.method == "POST":
				var got struct{ ID string }
				if err := json.Unmarshal(b, &got); err != nil || got.ID == "" || header.Get("Location") != derived+got.ID {
					t.Errorf("rule %s at Location %q", b, header.Get("Location"))
				}
			}
			if allow := header.Get("Allow"); status == 405 && allow == "" {
				t.Error("a 405 without Allow")
			}
		})
	}
}

// TestBadFaultRule: a rule's problems are listed as a tenant file's are.
func TestBadFaultRule(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	status, body, _ := e.do(t, "POST", rulesPath, "Bearer "+adminToken, []byte(`{"app": "ops consol",
 "action": "transient", "attempts": 2000}`))
	_, _, inner := graphError(t, body)
	got := problems(t, inner)
	want := []problem{
		{"request body", 1, 9, "app", `app registration "ops consol" is not an app registration of this tenant; did you mean "ops console"?`},
		{"request body", 2, 37, "attempts", "attempts is 1 to 1000, not 2000"},
	}
	if status != 400 || !reflect.DeepEqual(got, want) {
		t.Errorf("status %d, innerError.errors:\n%+v\nwant:\n%+v", status, got, want)
	}
}

// TestFaultRuleTakesEffect: a rule set through the admin API fails the
// next operation its app starts, at once; once deleted, the next one
// runs. A tenant file's apply leaves the rule. On the back end the tests
// run on.
func TestFaultRuleTakesEffect(t *testing.T) {
	e := start(t, testdb.DSN(t), adminToken)
	admin := "Bearer " + adminToken
	token, err := e.srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if op := createTeam(t, e, token, "Before"); op.Status != "succeeded" {
		t.Fatalf("createTeam before any rule: %+v", op)
	}
	status, body, header := e.do(t, "POST", rulesPath, admin, []byte(`{"app": "ops console", "operationType": "createTeam",
		"action": "fail", "errorCode": "QuotaExceeded", "errorMessage": "No more teams."}`))
	if status != 201 {
		t.Fatalf("POST the rule: %d %s", status, body)
	}
	if op := createTeam(t, e, token, "Refused"); op.Status != "failed" || op.Error.Code != "QuotaExceeded" || op.Error.Message != "No more teams." {
		t.Errorf("createTeam under the rule: %+v", op)
	}
	// Applying the demo tenant's document again does not delete the rule:
	// it is not in the tenant's record.
	_, doc, _ := e.do(t, "GET", "/_teamsops/tenants/"+demo.TenantID, admin, nil)
	if strings.Contains(string(doc), "faultRules") {
		t.Errorf("the tenant's document holds the run time's rule: %s", doc)
	}
	if status, b, _ := e.do(t, "POST", "/_teamsops/tenants", admin, doc); status != 200 {
		t.Fatalf("POST the tenant again: %d %s", status, b)
	}
	if op := createTeam(t, e, token, "Still refused"); op.Status != "failed" {
		t.Errorf("createTeam after the tenant was applied again: %+v", op)
	}
	if status, b, _ := e.do(t, "DELETE", header.Get("Location"), admin, nil); status != 204 {
		t.Fatalf("DELETE the rule: %d %s", status, b)
	}
	if op := createTeam(t, e, token, "After"); op.Status != "succeeded" {
		t.Errorf("createTeam after the rule's deletion: %+v", op)
	}
}

type teamOperation struct {
	Status string
	Error  struct{ Code, Message string }
}

// createTeam creates a team of the demo tenant and polls its operation
// until it ends.
func createTeam(t *testing.T, e *env, token, name string) teamOperation {
	t.Helper()
	body := fmt.Sprintf(`{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
		"displayName": %q, "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
		"user@odata.bind": "https://graph.microsoft.com/v1.0/users('%s')"}]}`, name, demo.UserAdele)
	status, b, header := e.do(t, "POST", "/v1.0/teams", "Bearer "+token, []byte(body))
	if status != 202 {
		t.Fatalf("POST /teams: %d %s", status, b)
	}
	location := header.Get("Location")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		req, _ := http.NewRequest("GET", e.base+"/v1.0"+location, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var op teamOperation
		if err := json.Unmarshal(b, &op); res.StatusCode != 200 || err != nil {
			t.Fatalf("GET %s: %d %s", location, res.StatusCode, b)
		}
		if op.Status == "succeeded" || op.Status == "failed" {
			return op
		}
	}
	t.Fatalf("the operation at %s did not end", location)
	return teamOperation{}
}

// TestFaultRuleOverlap: a second rule of one app and operation type is
// refused with 409, naming the rule it would sit beside, as a tenant file
// refuses it; posting it under that rule's id replaces that rule.
func TestFaultRuleOverlap(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	admin := "Bearer " + adminToken
	status, body, _ := e.do(t, "POST", rulesPath, admin, []byte(`{"id": "quota", "app": "ops console", "operationType": "createTeam",
		"action": "fail", "errorCode": "QuotaExceeded", "errorMessage": "No more teams."}`))
	if status != 201 {
		t.Fatalf("the first rule: %d %s", status, body)
	}
	second := []byte(`{"id": "no-teams", "app": "ops console", "operationType": "createTeam",
		"action": "fail", "errorCode": "Forbidden", "errorMessage": "No teams at all."}`)
	status, body, _ = e.do(t, "POST", rulesPath, admin, second)
	code, message, _ := graphError(t, body)
	if status != 409 || code != "Conflict" || !strings.HasPrefix(message, "The tenant's rule 'quota' has the same app and operationType as the fault rule 'no-teams'") {
		t.Errorf("a second rule of one app and type: %d %s", status, body)
	}
	if status, body, _ := e.do(t, "GET", rulesPath+"/no-teams", admin, nil); status != 404 {
		t.Errorf("the refused rule is there: %d %s", status, body)
	}
	status, body, _ = e.do(t, "POST", rulesPath, admin, []byte(strings.Replace(string(second), "no-teams", "quota", 1)))
	if status != 200 || !strings.Contains(string(body), `"errorCode":"Forbidden"`) {
		t.Errorf("replacing the rule by its id: %d %s", status, body)
	}
}
