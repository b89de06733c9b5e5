package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// origin is a request that started an operation.
var origin = &teamsops.Origin{Method: "POST", Path: "/v1.0/teams/" + teamID + "/archive", ClientAppID: clientApp,
	UserID: user1, Fault: "transient=1", RequestID: "5d6c7b8a-0000-4000-8000-000000000001"}

// startedOperation is an operation as the service creates it: notStarted,
// with the request that started it.
func startedOperation(tenant, id string, created time.Time) *teamsops.Operation {
	return &teamsops.Operation{ID: id, TenantID: tenant, Resource: teamRef, Type: teamsops.OperationTypeArchiveTeam,
		Status: teamsops.OperationStatusNotStarted, CreatedDateTime: created, LastActionDateTime: created,
		TargetResourceID: teamID, TargetResourceLocation: "/teams('" + teamID + "')", Origin: origin}
}

// testHistory: every write of an operation records a transition, in the
// same transaction; the creation records the origin; a rollback records
// nothing; another tenant's operation of the same id has its own history;
// deleting the operation deletes its history.
func testHistory(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	t0 := graphTime("2024-03-04T10:00:00Z")
	op := startedOperation(tenantA, "op-history", t0)
	must(t, s.CreateOperation(ctx, op))
	must(t, s.CreateOperation(ctx, startedOperation(tenantB, "op-history", t0)))

	// Attempt 1 starts and fails, attempt 2 starts, then the operation
	// ends failed: the two-step path of the engine, each in a transaction.
	failure := &teamsops.OperationError{Code: "ServiceUnavailable", Message: "The service is temporarily unavailable."}
	final := &teamsops.OperationError{Code: "BadRequest", Message: "The team is archived."}
	steps := []func(op *teamsops.Operation){
		func(op *teamsops.Operation) { op.Status, op.AttemptsCount = teamsops.OperationStatusInProgress, 1 },
		func(op *teamsops.Operation) { op.AttemptError = failure },
		func(op *teamsops.Operation) { op.AttemptsCount = 2 },
		func(op *teamsops.Operation) { op.Status, op.Error = teamsops.OperationStatusFailed, final },
	}
	for i, step := range steps {
		must(t, s.Update(ctx, func(tx teamsops.Tx) error {
			op, err := tx.OperationByID(ctx, tenantA, "op-history")
			if err != nil {
				return err
			}
			step(op)
			op.LastActionDateTime = t0.Add(time.Duration(i+1) * time.Second)
			return tx.UpdateOperation(ctx, op)
		}))
	}
	// A write that rolls back leaves no transition.
	rolledBack := errors.New("rolled back")
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		op, err := tx.OperationByID(ctx, tenantA, "op-history")
		if err != nil {
			return err
		}
		op.LastActionDateTime = t0.Add(time.Hour)
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return err
		}
		return rolledBack
	})
	if !errors.Is(err, rolledBack) {
		t.Fatalf("Update = %v, want %v", err, rolledBack)
	}

	h, err := s.OperationHistory(ctx, tenantA, "op-history")
	must(t, err)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	wantEqual(t, "history", h, &teamsops.History{Origin: origin, Transitions: []teamsops.Transition{
		{At: at(0), Status: teamsops.OperationStatusNotStarted},
		{At: at(1), Status: teamsops.OperationStatusInProgress, Attempt: 1},
		{At: at(2), Status: teamsops.OperationStatusInProgress, Attempt: 1, Error: failure},
		{At: at(3), Status: teamsops.OperationStatusInProgress, Attempt: 2},
		{At: at(4), Status: teamsops.OperationStatusFailed, Attempt: 2, Error: final},
	}})
	got, err := s.OperationByID(ctx, tenantA, "op-history")
	must(t, err)
	if got.Origin != nil || got.AttemptError != nil {
		t.Errorf("Graph's read of the operation carries %+v, %+v; want neither", got.Origin, got.AttemptError)
	}

	hb, err := s.OperationHistory(ctx, tenantB, "op-history")
	must(t, err)
	if len(hb.Transitions) != 1 || hb.Origin == nil {
		t.Errorf("tenant B's operation of the same id: %+v", hb)
	}
	// An operation without a record, or none at all, has an empty history.
	must(t, s.CreateOperation(ctx, seedOperation(tenantA)))
	for _, id := range []string{"no-such-operation", seedOperationID} {
		h, err := s.OperationHistory(ctx, tenantC, id)
		must(t, err)
		if h.Origin != nil || len(h.Transitions) != 0 {
			t.Errorf("history of %s in an empty tenant: %+v", id, h)
		}
	}
	if h, err := s.OperationHistory(ctx, tenantA, seedOperationID); err != nil || h.Origin != nil || len(h.Transitions) != 1 {
		t.Errorf("history of a declared operation: %+v, %v; want one transition and no origin", h, err)
	}

	must(t, s.DeleteOperation(ctx, tenantA, "op-history"))
	h, err = s.OperationHistory(ctx, tenantA, "op-history")
	must(t, err)
	if len(h.Transitions) != 0 || h.Origin != nil {
		t.Errorf("history after the operation's deletion: %+v", h)
	}
	if hb, err := s.OperationHistory(ctx, tenantB, "op-history"); err != nil || len(hb.Transitions) != 1 {
		t.Errorf("tenant B's history after tenant A's deletion: %+v, %v", hb, err)
	}
}

// testPruneHistory: a prune deletes what was recorded before its time and
// nothing recorded after, whatever the times of the transitions.
func testPruneHistory(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	// The seed's operation took place in 2021, but is recorded now.
	must(t, s.CreateOperation(ctx, seedOperation(tenantA)))
	before := time.Now()
	if n, err := s.PruneHistory(ctx, before.Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("prune of an hour ago = %d, %v; want nothing deleted", n, err)
	}
	for i := range 3 {
		must(t, s.CreateOperation(ctx, startedOperation(tenantA, fmt.Sprintf("op-%d", i), time.Now())))
	}
	n, err := s.PruneHistory(ctx, before)
	must(t, err)
	if n != 1 {
		t.Errorf("pruned %d transitions, want the seed operation's 1", n)
	}
	if h, err := s.OperationHistory(ctx, tenantA, seedOperationID); err != nil || len(h.Transitions) != 0 {
		t.Errorf("the seed operation's history after the prune: %+v, %v", h, err)
	}
	if h, err := s.OperationHistory(ctx, tenantA, "op-2"); err != nil || len(h.Transitions) != 1 || h.Origin == nil {
		t.Errorf("a later operation's history after the prune: %+v, %v", h, err)
	}
	// The operations themselves stay: only their history goes.
	if _, err := s.OperationByID(ctx, tenantA, seedOperationID); err != nil {
		t.Errorf("the operation after the prune: %v", err)
	}
	if n, err := s.PruneHistory(ctx, time.Now().Add(time.Minute)); err != nil || n != 3 {
		t.Errorf("prune of everything = %d, %v; want 3", n, err)
	}
}

// testSearchOperations: operations across tenants, newest first, filtered,
// with their origins; a keyset walk visits each exactly once, ties on
// createdDateTime included.
func testSearchOperations(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	t0 := graphTime("2024-03-04T10:00:00Z")
	var all []*teamsops.Operation
	for i := range 12 {
		for _, tenant := range []string{tenantA, tenantB} {
			// Pairs share a createdDateTime, and both tenants the ids.
			op := startedOperation(tenant, fmt.Sprintf("op-%02d", i), t0.Add(time.Duration(i/2)*time.Minute))
			if i%3 == 0 {
				op.Resource, op.Type, op.Origin = chatRef, teamsops.OperationTypeCreateChat, nil
				op.TargetResourceID, op.TargetResourceLocation = chatID, "/chats('"+chatID+"')"
			}
			if i%4 == 0 {
				op.Status = teamsops.OperationStatusSucceeded
			}
			must(t, s.CreateOperation(ctx, op))
			all = append(all, op)
		}
	}
	newestFirst := slices.Clone(all)
	slices.SortFunc(newestFirst, func(a, b *teamsops.Operation) int {
		if c := b.CreatedDateTime.Compare(a.CreatedDateTime); c != 0 {
			return c
		}
		if c := compareText(b.TenantID, a.TenantID); c != 0 {
			return c
		}
		return compareText(b.ID, a.ID)
	})

	tests := []struct {
		name string
		q    teamsops.OperationSearch
		keep func(*teamsops.Operation) bool
	}{
		{"all", teamsops.OperationSearch{}, func(*teamsops.Operation) bool { return true }},
		{"tenant", teamsops.OperationSearch{TenantID: tenantB}, func(op *teamsops.Operation) bool { return op.TenantID == tenantB }},
		{"empty tenant", teamsops.OperationSearch{TenantID: tenantC}, func(*teamsops.Operation) bool { return false }},
		{"status", teamsops.OperationSearch{Status: teamsops.OperationStatusSucceeded},
			func(op *teamsops.Operation) bool { return op.Status == teamsops.OperationStatusSucceeded }},
		{"type", teamsops.OperationSearch{Type: teamsops.OperationTypeCreateChat},
			func(op *teamsops.Operation) bool { return op.Type == teamsops.OperationTypeCreateChat }},
		{"resource", teamsops.OperationSearch{ResourceID: teamID}, func(op *teamsops.Operation) bool { return op.Resource.ID == teamID }},
		{"all filters", teamsops.OperationSearch{TenantID: tenantA, Status: teamsops.OperationStatusNotStarted,
			Type: teamsops.OperationTypeArchiveTeam, ResourceID: teamID}, func(op *teamsops.Operation) bool {
			return op.TenantID == tenantA && op.Status == teamsops.OperationStatusNotStarted && op.Resource == teamRef
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []*teamsops.Operation
			for _, op := range newestFirst {
				if tt.keep(op) {
					want = append(want, op)
				}
			}
			// Pages of 5, each after the last of the page before.
			var got []*teamsops.Operation
			q := tt.q
			q.Limit = 5
			for page := 0; ; page++ {
				ops, err := s.SearchOperations(ctx, q)
				must(t, err)
				got = append(got, ops...)
				if len(ops) < q.Limit || page > 10 {
					break
				}
				c := teamsops.CursorOf(ops[len(ops)-1])
				q.Before = &c
			}
			wantEqual(t, "operations", ids(got), ids(want))
			for i := range min(len(got), len(want)) {
				wantEqual(t, "operation "+want[i].ID, got[i], want[i])
			}
		})
	}
	if ops, err := s.SearchOperations(ctx, teamsops.OperationSearch{}); err != nil || len(ops) != len(all) {
		t.Errorf("search without a limit: %d operations, %v; want all %d (under the default limit)", len(ops), err, len(all))
	}
}

// ids lists operations as tenant/id.
func ids(ops []*teamsops.Operation) []string {
	out := []string{}
	for _, op := range ops {
		out = append(out, op.TenantID[:4]+"/"+op.ID)
	}
	return out
}

// compareText compares bytewise, as both stores order text.
func compareText(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// testTenants: every tenant, by id.
func testTenants(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	if got, err := s.Tenants(ctx); err != nil || len(got) != 0 {
		t.Errorf("tenants of an empty store: %v, %v", got, err)
	}
	createTenants(t, s)
	got, err := s.Tenants(ctx)
	must(t, err)
	var want []*teamsops.Tenant
	for _, id := range []string{tenantB, tenantA, tenantC} { // by id
		want = append(want, &teamsops.Tenant{ID: id, DisplayName: "Tenant " + id[:4]})
	}
	wantEqual(t, "tenants", got, want)
}
