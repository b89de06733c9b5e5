package service_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// rules1 declares two apps and three rules; rules2 edits the first rule's
// message, drops the second and the third, and keeps the apps; rules3
// drops the app "bot".
const rules1 = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
appRegistrations:
  - displayName: console
  - displayName: bot
faultRules:
  - {app: console, operationType: createTeam, action: fail, errorCode: QuotaExceeded, errorMessage: No more teams.}
  - {id: flaky, app: console, action: transient, attempts: 2}
  - {id: bot-chats, app: bot, operationType: createChat, action: transient, attempts: 1}
`

const rules2 = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
appRegistrations:
  - displayName: console
  - displayName: bot
faultRules:
  - {app: console, operationType: createTeam, action: fail, errorCode: QuotaExceeded, errorMessage: Still no more teams.}
`

const rules3 = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
appRegistrations:
  - displayName: console
`

// ruleIDs lists the ids of the tenant's rules in the store.
func ruleIDs(t *testing.T, tenants *service.Tenants) []string {
	t.Helper()
	rules, err := tenants.FaultRules(t.Context(), editTenant)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestApplyFaultRules applies a file's rules, then edits of it, beside a
// rule created at run time: declared rules are written, skipped when
// unchanged, rewritten when changed and deleted when dropped; the run
// time's rule stays until its app goes.
func TestApplyFaultRules(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	tenants := &service.Tenants{Store: s}
	v1 := applied(t, tenants, "v1.yaml", rules1)
	declared, flaky := v1.FaultRules[0], v1.FaultRules[1]
	bot := v1.AppRegistrations[1].ClientID
	if got := ruleIDs(t, tenants); !reflect.DeepEqual(got, sortedIDs(declared.ID, "flaky", "bot-chats")) {
		t.Fatalf("rules after the first apply: %v", got)
	}
	byID := slices.SortedFunc(slices.Values(v1.FaultRules), func(a, b *teamsops.FaultRule) int { return strings.Compare(a.ID, b.ID) })
	if got, err := tenants.Get(ctx, editTenant); err != nil || !reflect.DeepEqual(got.FaultRules, byID) {
		t.Errorf("Get: %v; want the declared rules by id", err)
	}

	// The run time's changes: a rule of its own, one declared rule
	// replaced, another deleted.
	own := &teamsops.FaultRule{ID: "own", TenantID: editTenant, ClientAppID: bot, Action: teamsops.FaultActionTransient, Attempts: 3}
	replaced := *flaky
	replaced.Attempts = 5
	for _, r := range []*teamsops.FaultRule{own, &replaced} {
		if created, err := tenants.PutFaultRule(ctx, r); err != nil || created != (r == own) {
			t.Fatalf("PutFaultRule(%s) = %v, %v", r.ID, created, err)
		}
	}
	if err := tenants.DeleteFaultRule(ctx, editTenant, "bot-chats"); err != nil {
		t.Fatal(err)
	}

	// The same file again writes nothing: the run time's changes stay.
	if err := tenants.Apply(ctx, decode(t, "v1.yaml", rules1)); err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(t, tenants); !reflect.DeepEqual(got, sortedIDs(declared.ID, "flaky", "own")) {
		t.Errorf("rules after applying the same file: %v", got)
	}
	rules, err := s.FaultRules(ctx, editTenant, v1.AppRegistrations[0].ClientID)
	if i := slices.IndexFunc(rules, func(r *teamsops.FaultRule) bool { return r.ID == "flaky" }); err != nil || i < 0 || rules[i].Attempts != 5 {
		t.Errorf("the replaced rule was written again: %v", err)
	}

	// An edit rewrites the changed rule and deletes the dropped ones, one
	// of them deleted already; the run time's rule stays.
	v2 := applied(t, tenants, "v2.yaml", rules2)
	if got := ruleIDs(t, tenants); !reflect.DeepEqual(got, sortedIDs(declared.ID, "own")) {
		t.Errorf("rules after the edit: %v", got)
	}
	if v2.FaultRules[0].ID != declared.ID {
		t.Fatalf("editing a rule's message changed its id: %s, then %s", declared.ID, v2.FaultRules[0].ID)
	}
	if rules, _ := s.FaultRules(ctx, editTenant, v1.AppRegistrations[0].ClientID); len(rules) != 1 || rules[0].ErrorMessage != "Still no more teams." {
		t.Errorf("the edited rule: %+v", rules)
	}

	// An app that goes takes its rules, the run time's too.
	if err := tenants.Apply(ctx, decode(t, "v3.yaml", rules3)); err != nil {
		t.Fatal(err)
	}
	if got := ruleIDs(t, tenants); len(got) != 0 {
		t.Errorf("rules after dropping them and the bot: %v", got)
	}

	// A deleted tenant has no rules, and none can be set.
	if _, err := tenants.PutFaultRule(ctx, own); err != nil {
		t.Fatal(err)
	}
	if err := tenants.Delete(ctx, editTenant); err != nil {
		t.Fatal(err)
	}
	if rules, err := s.FaultRules(ctx, editTenant, ""); err != nil || len(rules) != 0 {
		t.Errorf("rules of the deleted tenant: %v, %v", rules, err)
	}
	for what, err := range map[string]error{
		"FaultRules":      second(tenants.FaultRules(ctx, editTenant)),
		"PutFaultRule":    second(tenants.PutFaultRule(ctx, own)),
		"DeleteFaultRule": tenants.DeleteFaultRule(ctx, editTenant, "own"),
	} {
		if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
			t.Errorf("%s on a deleted tenant: %v, want ENOTFOUND", what, err)
		}
	}
}

// TestPutFaultRuleInvalid: the store's rules hold for the run time's rules.
func TestPutFaultRuleInvalid(t *testing.T) {
	ctx := t.Context()
	tenants := &service.Tenants{Store: testdb.New(t)}
	if err := tenants.Apply(ctx, decode(t, "v1.yaml", rules1)); err != nil {
		t.Fatal(err)
	}
	bad := &teamsops.FaultRule{ID: "bad", TenantID: editTenant, ClientAppID: "x", Action: teamsops.FaultActionTransient}
	if _, err := tenants.PutFaultRule(ctx, bad); teamsops.ErrorCode(err) != teamsops.EINVALID {
		t.Errorf("a transient rule without attempts: %v", err)
	}
	if err := tenants.DeleteFaultRule(ctx, editTenant, "nothing"); teamsops.ErrorCode(err) != teamsops.ENOTFOUND ||
		!strings.Contains(err.Error(), "nothing") {
		t.Errorf("deleting a rule that does not exist: %v", err)
	}
}

// sortedIDs is ids in the store's order of rules.
func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// TestFaultRulesOverlap: a tenant holds one rule per app and operation
// type, as a tenant file does. The run time may not add a second beside
// a declared one (only replace it, by its id), an apply may not declare
// one beside the run time's, and a file that moves a type from one of
// its rules to another is no overlap.
func TestFaultRulesOverlap(t *testing.T) {
	ctx := t.Context()
	tenants := &service.Tenants{Store: testdb.New(t)}
	v1 := applied(t, tenants, "v1.yaml", rules1)
	declared := v1.FaultRules[0]
	console, bot := v1.AppRegistrations[0].ClientID, v1.AppRegistrations[1].ClientID
	second := &teamsops.FaultRule{ID: "no-teams", TenantID: editTenant, ClientAppID: console, OperationType: teamsops.OperationTypeCreateTeam,
		Action: teamsops.FaultActionFail, ErrorCode: "QuotaExceeded", ErrorMessage: "No more teams."}
	_, err := tenants.PutFaultRule(ctx, second)
	if teamsops.ErrorCode(err) != teamsops.ECONFLICT || !strings.Contains(err.Error(), "rule '"+declared.ID+"' has the same app and operationType") {
		t.Errorf("a second rule of one app and type: %v, want ECONFLICT naming %s", err, declared.ID)
	}
	if got := ruleIDs(t, tenants); slices.Contains(got, "no-teams") {
		t.Errorf("the refused rule was written: %v", got)
	}
	second.ID = declared.ID
	if created, err := tenants.PutFaultRule(ctx, second); err != nil || created {
		t.Errorf("replacing the declared rule by its id: %v, %v", created, err)
	}
	everyOp := &teamsops.FaultRule{ID: "bot-any", TenantID: editTenant, ClientAppID: bot, Action: teamsops.FaultActionTransient, Attempts: 1}
	if _, err := tenants.PutFaultRule(ctx, everyOp); err != nil {
		t.Fatalf("a rule of another type: %v", err)
	}

	// A file that declares a rule for every operation of bot meets the
	// run time's: refused, naming it, and nothing is written.
	overlapping := rules1 + "  - {app: bot, action: transient, attempts: 4}\n"
	err = tenants.Apply(ctx, decode(t, "v1.yaml", overlapping))
	if teamsops.ErrorCode(err) != teamsops.ECONFLICT || !strings.Contains(err.Error(), "the rule 'bot-any', set through the admin API") {
		t.Errorf("apply beside the run time's rule: %v, want ECONFLICT naming bot-any", err)
	}
	if got := ruleIDs(t, tenants); !reflect.DeepEqual(got, sortedIDs(declared.ID, "flaky", "bot-chats", "bot-any")) {
		t.Errorf("rules after the refused apply: %v", got)
	}

	// The file's own rules trade places: createTeam moves to a new rule
	// listed first, the rule that had it now fails archiveTeam.
	traded := strings.Replace(rules1, "  - {app: console, operationType: createTeam, action: fail",
		"  - {id: quota, app: console, operationType: createTeam, action: fail, errorCode: E, errorMessage: M.}\n"+
			"  - {id: "+declared.ID+", app: console, operationType: archiveTeam, action: fail", 1)
	if err := tenants.Apply(ctx, decode(t, "v1.yaml", traded)); err != nil {
		t.Errorf("a file whose rules trade a type: %v", err)
	}
}
