package admin_test

import (
	"runtime"
	"strings"
	"testing"
)

// TestDeepDocument: a tenant document nesting 100,000 lists deep (200 KB)
// is a 400 in Graph's error shape naming the depth, answered without the
// YAML parser building its tree (which took gigabytes); a deep fault rule
// likewise.
func TestDeepDocument(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	const n = 100_000
	doc := `{"tenant": {"id": "` + tenantA + `"}, "users": ` + strings.Repeat("[", n) + strings.Repeat("]", n) + "}"
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	status, body, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, []byte(doc))
	runtime.ReadMemStats(&after)
	code, message, inner := graphError(t, body)
	if status != 400 || code != "BadRequest" || !strings.HasPrefix(message, "The tenant document has 1 error: request body:1:") {
		t.Fatalf("status %d: %.300s", status, body)
	}
	errs, _ := inner["errors"].([]any)
	if len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["message"].(string), "nests more than 64 levels deep") {
		t.Errorf("innerError.errors = %v, want the depth named", inner["errors"])
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 50<<20 {
		t.Errorf("the request allocated %d MB, want less than 50", alloc>>20)
	}
	rule := `{"app": "x", "action": "fail", "when": ` + strings.Repeat("{\"a\": ", 5_000) + "1" + strings.Repeat("}", 5_000) + "}"
	const demoTenant = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	status, body, _ = e.do(t, "POST", "/_teamsops/tenants/"+demoTenant+"/faultRules", "Bearer "+adminToken, []byte(rule))
	if code, _, _ := graphError(t, body); status != 400 || code != "BadRequest" || !strings.Contains(string(body), "levels deep") {
		t.Errorf("deep fault rule: status %d: %.300s", status, body)
	}
}
