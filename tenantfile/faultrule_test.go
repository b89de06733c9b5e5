package tenantfile_test

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

const (
	northwindID  = "0d7c3a5e-9f1b-4e2d-8c6a-4b3e2d1c0f9a"
	provisioning = "4e8a2c6d-1b3f-4d5e-9a7c-8b6d4f2e0a1c"
	desk         = "2a4c6e8b-0d1f-4b3a-9c5e-7f9b1d3a5c7e"
)

// TestFaultRules reads the larger example's rules: references resolved,
// ids derived or given, each action's fields.
func TestFaultRules(t *testing.T) {
	d := decodeFile(t, "../examples/northwind.yaml")
	want := []*teamsops.FaultRule{
		// The derived id is pinned: it must not change between versions.
		{ID: "e955d956-a3b3-5501-b6d2-6264849c82bb", TenantID: northwindID, ClientAppID: provisioning,
			OperationType: teamsops.OperationTypeCloneTeam, Action: teamsops.FaultActionFail,
			ErrorCode: "QuotaExceeded", ErrorMessage: "The tenant has reached its quota of teams."},
		{ID: "desk-flaky", TenantID: northwindID, ClientAppID: desk, Action: teamsops.FaultActionTransient, Attempts: 2},
	}
	if !reflect.DeepEqual(d.FaultRules, want) {
		for i, r := range d.FaultRules {
			t.Errorf("rule %d: %+v", i, *r)
		}
	}
}

// TestCommentedFaultRule uncomments the fault rule examples/tenant.yaml
// shows in comments: it must declare a rule as it says.
func TestCommentedFaultRule(t *testing.T) {
	data, err := os.ReadFile("../examples/tenant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?m)^# faultRules:\n(#   .*\n|#\s+.*\n)+`).Find(data)
	if block == nil {
		t.Fatal("examples/tenant.yaml shows no commented faultRules")
	}
	uncommented := regexp.MustCompile(`(?m)^# ?`).ReplaceAll(block, nil)
	d, err := tenantfile.Decode("tenant.yaml", append(data, uncommented...))
	if err != nil {
		t.Fatalf("%v\n%s", err, uncommented)
	}
	if len(d.FaultRules) != 1 || d.FaultRules[0].ClientAppID != "3c9e2b7a-5d1f-4a8e-b6c4-2e0d9f7a1b3c" ||
		d.FaultRules[0].OperationType != teamsops.OperationTypeCreateTeam || d.FaultRules[0].Action != teamsops.FaultActionFail {
		t.Errorf("the commented rule declares %+v", d.FaultRules)
	}
}

// TestDecodeFaultRule reads rules as the admin API receives them: the
// file's shape, references to the tenant's apps, the file's ids.
func TestDecodeFaultRule(t *testing.T) {
	d := decodeFile(t, "../examples/northwind.yaml")
	for _, body := range []string{
		`{"app": "northwind provisioning", "operationType": "cloneTeam", "action": "fail",
		  "errorCode": "QuotaExceeded", "errorMessage": "The tenant has reached its quota of teams."}`,
		`{"app": "4E8A2C6D-1B3F-4D5E-9A7C-8B6D4F2E0A1C", "operationType": "cloneTeam", "action": "fail",
		  "errorCode": "QuotaExceeded", "errorMessage": "The tenant has reached its quota of teams."}`,
		"app: Northwind Provisioning\noperationType: cloneTeam\naction: fail\nerrorCode: QuotaExceeded\n" +
			"errorMessage: The tenant has reached its quota of teams.\n",
	} {
		r, err := tenantfile.DecodeFaultRule("request body", []byte(body), d)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if !reflect.DeepEqual(r, d.FaultRules[0]) {
			t.Errorf("%s:\n got %+v\nwant the file's %+v", body, r, d.FaultRules[0])
		}
	}
	// Encoded, a rule decodes to itself.
	for _, r := range d.FaultRules {
		b, err := tenantfile.EncodeFaultRule(r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := tenantfile.DecodeFaultRule("encoded", b, d)
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("%s decodes to %+v, %v", b, back, err)
		}
	}
}

// TestDecodeFaultRuleErrors: a rule's problems are reported as a file's.
func TestDecodeFaultRuleErrors(t *testing.T) {
	d := decodeFile(t, "../examples/northwind.yaml")
	tests := []struct{ body, want string }{
		{``, `body:1:1: the data is empty: it must be one fault rule`},
		{"app: a\n---\napp: b\n", `body:3:4: the data holds several documents: it must be one fault rule`},
		{`[]`, `body:1:1: want a mapping, got a list`},
		{`null`, `body:1:1: want a mapping, got null`},
		{`"fail"`, `body:1:1: want a mapping, got a string (fail)`},
		{`{`, `body:1:1: not valid YAML or JSON: could not find flow mapping end token '}'`},
		{`{"app": "northwind provisionin", "action": "fial"}`,
			`body:1:9: app: app registration "northwind provisionin" is not an app registration of this tenant; did you mean "northwind provisioning"?` + "\n" +
				`body:1:44: action: action "fial" is not known; did you mean "fail"?`},
		{`{"app": "northwind desk", "action": "transient", "attempts": 3, "errorCode": "x"}`,
			`body:1:78: errorCode: a transient rule has no errorCode: its operations succeed once its attempts have failed`},
		{`{"id": "a/b", "app": "northwind desk", "action": "transient", "attempts": 3, "extra": 1}`,
			`body:1:8: id: "a/b" is not a fault rule id: use letters, digits, '-', '_' and '.'` + "\n" +
				`body:1:78: extra: unknown field "extra"`},
		{`{}`, `body:1:1: app: app is required: the app registration whose operations fail` + "\n" +
			`body:1:1: action: action is required: fail or transient`},
	}
	for _, tt := range tests {
		_, err := tenantfile.DecodeFaultRule("body", []byte(tt.body), d)
		if _, ok := err.(tenantfile.Errors); !ok || err.Error() != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.body, err, tt.want)
		}
	}
	// An app of another tenant is not one of this tenant's.
	other := decodeFile(t, "../examples/tenant.yaml")
	_, err := tenantfile.DecodeFaultRule("body", []byte(`{"app": "northwind desk", "action": "transient", "attempts": 1}`), other)
	if err == nil || !strings.Contains(err.Error(), `app registration "northwind desk" is not an app registration of this tenant`) {
		t.Errorf("another tenant's app: %v", err)
	}
}
