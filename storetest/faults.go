package storetest

import (
	"testing"

	"github.com/teamsops/teamsops"
)

const (
	consoleApp = "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	botApp     = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10"
)

func failRule(tenant, id, app string, typ teamsops.OperationType) *teamsops.FaultRule {
	return &teamsops.FaultRule{
		ID: id, TenantID: tenant, ClientAppID: app, OperationType: typ, Action: teamsops.FaultActionFail,
		ErrorCode: "Forbidden", ErrorMessage: "Teams creation is disabled for this app.",
	}
}

// testFaultRules: rules are upserted by id, listed per app or all in id
// order, deleted, and kept per tenant; an invalid rule writes nothing.
func testFaultRules(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	r1 := failRule(tenantA, "rule-1", consoleApp, teamsops.OperationTypeCreateTeam)
	r2 := &teamsops.FaultRule{ID: "rule-0", TenantID: tenantA, ClientAppID: consoleApp, Action: teamsops.FaultActionTransient, Attempts: 2}
	r3 := failRule(tenantA, "rule-2", botApp, "")
	rb := failRule(tenantB, "rule-1", consoleApp, teamsops.OperationTypeCloneTeam)
	for _, r := range []*teamsops.FaultRule{r1, r2, r3, rb} {
		must(t, s.CreateFaultRule(ctx, r))
	}
	list := func(tenant, app string) []*teamsops.FaultRule {
		t.Helper()
		got, err := s.FaultRules(ctx, tenant, app)
		must(t, err)
		if got == nil {
			t.Errorf("FaultRules(%s, %q) is nil, want a list", tenant[:4], app)
		}
		return got
	}
	wantEqual(t, "console's rules", list(tenantA, consoleApp), []*teamsops.FaultRule{r2, r1})
	wantEqual(t, "all rules", list(tenantA, ""), []*teamsops.FaultRule{r2, r1, r3})
	wantEqual(t, "tenant B's rules", list(tenantB, consoleApp), []*teamsops.FaultRule{rb})
	wantEqual(t, "tenant C's rules", list(tenantC, ""), []*teamsops.FaultRule{})

	// Writing a rule again replaces it.
	changed := *r1
	changed.Action, changed.ErrorCode, changed.ErrorMessage, changed.Attempts = teamsops.FaultActionTransient, "", "", 3
	must(t, s.CreateFaultRule(ctx, &changed))
	wantEqual(t, "replaced rule", list(tenantA, consoleApp), []*teamsops.FaultRule{r2, &changed})

	// Tx reads its own writes.
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		if err := tx.CreateFaultRule(ctx, failRule(tenantA, "rule-3", consoleApp, "")); err != nil {
			return err
		}
		got, err := tx.FaultRules(ctx, tenantA, consoleApp)
		if err == nil && len(got) != 3 {
			t.Errorf("inside the transaction: %d rules, want 3", len(got))
		}
		return err
	}))

	must(t, s.DeleteFaultRule(ctx, tenantA, "rule-3"))
	wantCode(t, s.DeleteFaultRule(ctx, tenantA, "rule-3"), teamsops.ENOTFOUND, "rule-3")
	wantCode(t, s.DeleteFaultRule(ctx, tenantC, "rule-1"), teamsops.ENOTFOUND, "rule-1")
	wantEqual(t, "tenant B's rules after deletes in A", list(tenantB, ""), []*teamsops.FaultRule{rb})

	invalid := []*teamsops.FaultRule{
		{ID: "bad", TenantID: tenantA, ClientAppID: consoleApp, Action: "explode"},
		{ID: "bad", TenantID: tenantA, ClientAppID: consoleApp, Action: teamsops.FaultActionFail},
		{ID: "bad", TenantID: tenantA, ClientAppID: consoleApp, Action: teamsops.FaultActionTransient},
		{ID: "bad", TenantID: tenantA, ClientAppID: consoleApp, Action: teamsops.FaultActionTransient, Attempts: 1, OperationType: "createTeams"},
		{ID: "", TenantID: tenantA, ClientAppID: consoleApp, Action: teamsops.FaultActionTransient, Attempts: 1},
		{ID: "bad", TenantID: "no-such-tenant", ClientAppID: consoleApp, Action: teamsops.FaultActionTransient, Attempts: 1},
	}
	for _, r := range invalid {
		wantCode(t, s.CreateFaultRule(ctx, r), teamsops.EINVALID, "")
	}
	wantEqual(t, "rules after invalid writes", len(list(tenantA, "")), 3)
}
