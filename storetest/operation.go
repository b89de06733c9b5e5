package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

const seedOperationID = "2432b57b-0abd-43db-aa7b-16eadd115d34-e88ae9aa-887e-4972-ac3e-bd578e38232e-cf58835e-43f0-4fc1-825e-5de55630e7e4"

// seedOperation is the operation of the seed page's example response.
func seedOperation(tenant string) *teamsops.Operation {
	return &teamsops.Operation{
		ID: seedOperationID, TenantID: tenant, Resource: chatRef,
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusSucceeded,
		CreatedDateTime:        graphTime("2021-05-27T21:23:41.9085453Z"),
		LastActionDateTime:     graphTime("2021-05-27T21:23:45.1899277Z"),
		AttemptsCount:          1,
		TargetResourceID:       chatID,
		TargetResourceLocation: "/chats('" + chatID + "')",
		Values:                 `{"appIds":["1542629c-01b3-4a6d-8f76-1938b779e48d"]}`,
	}
}

func testOperation(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	op := seedOperation(tenantA)
	must(t, s.CreateOperation(ctx, op))
	got, err := s.Operation(ctx, tenantA, chatRef, op.ID)
	must(t, err)
	wantEqual(t, "seed operation", got, op)
	if got.CreatedDateTime.Format(time.RFC3339Nano) != "2021-05-27T21:23:41.9085453Z" {
		t.Errorf("createdDateTime = %s, want 7 fractional digits kept", got.CreatedDateTime.Format(time.RFC3339Nano))
	}

	// Creating again with the same id replaces the operation: a failed one
	// with an error, no target and no values, times in another zone.
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	failed := &teamsops.Operation{
		ID: op.ID, TenantID: tenantA, Resource: chatRef,
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusFailed,
		CreatedDateTime:    time.Date(2021, 5, 28, 3, 0, 0, 123456700, zone),
		LastActionDateTime: time.Date(2021, 5, 28, 3, 0, 1, 1, zone),
		AttemptsCount:      3,
		Error:              &teamsops.OperationError{Code: "Conflict", Message: "The chat already exists."},
	}
	must(t, s.CreateOperation(ctx, failed))
	got, err = s.Operation(ctx, tenantA, chatRef, op.ID)
	must(t, err)
	want := *failed
	want.CreatedDateTime, want.LastActionDateTime = failed.CreatedDateTime.UTC(), failed.LastActionDateTime.UTC()
	wantEqual(t, "replaced operation", got, &want)
	if got.CreatedDateTime.Location() != time.UTC || got.LastActionDateTime.Location() != time.UTC {
		t.Errorf("times in %v and %v, want UTC", got.CreatedDateTime.Location(), got.LastActionDateTime.Location())
	}

	// An error whose code and message are empty is still an error.
	failed.Error = &teamsops.OperationError{}
	must(t, s.CreateOperation(ctx, failed))
	got, err = s.Operation(ctx, tenantA, chatRef, op.ID)
	must(t, err)
	if got.Error == nil {
		t.Error("empty error read back as no error")
	}

	_, err = s.Operation(ctx, tenantA, chatRef, "no-such-operation")
	wantCode(t, err, teamsops.ENOTFOUND, "no-such-operation")
}

func testOperationIsolation(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	opA, opB := seedOperation(tenantA), seedOperation(tenantB)
	opB.Status, opB.AttemptsCount = teamsops.OperationStatusInProgress, 2
	opT := seedOperation(tenantA)
	opT.ID, opT.Resource, opT.Type = "team-operation", teamRef, teamsops.OperationTypeCreateTeam
	for _, op := range []*teamsops.Operation{opA, opB, opT} {
		must(t, s.CreateOperation(ctx, op))
	}
	for _, want := range []*teamsops.Operation{opA, opB, opT} {
		got, err := s.Operation(ctx, want.TenantID, want.Resource, want.ID)
		must(t, err)
		wantEqual(t, "operation "+want.ID+" of "+want.TenantID, got, want)
	}
	misses := []struct {
		tenant string
		ref    teamsops.ResourceRef
		id     string
	}{
		{tenantC, chatRef, opA.ID},
		{tenantA, chat2Ref, opA.ID},
		{tenantA, teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: chatID}, opA.ID},
		{tenantA, chatRef, opT.ID},
		{tenantB, teamRef, opT.ID},
	}
	for _, m := range misses {
		_, err := s.Operation(ctx, m.tenant, m.ref, m.id)
		wantCode(t, err, teamsops.ENOTFOUND, m.id)
	}
	ops, n, err := s.ListOperations(ctx, tenantB, chatRef, teamsops.OperationQuery{Count: true})
	must(t, err)
	wantEqual(t, "operations of tenant B", ops, []*teamsops.Operation{opB})
	wantEqual(t, "count of tenant B", n, 1)
	ops, n, err = s.ListOperations(ctx, tenantC, chatRef, teamsops.OperationQuery{Count: true})
	must(t, err)
	if len(ops) != 0 || n != 0 {
		t.Errorf("tenant C lists %d operations, count %d; want none", len(ops), n)
	}
}

// orderedOperations returns n operations of tenant A's chat, in list
// order. Several share a creation time, so the id must break ties; ids are
// created out of order so insertion order cannot pass for the sort.
func orderedOperations(n int) []*teamsops.Operation {
	base := graphTime("2024-01-01T00:00:00.0000001Z")
	ops := make([]*teamsops.Operation, n)
	for i := range ops {
		created := base.Add(time.Duration(i/3) * time.Minute) // three per minute
		ops[i] = &teamsops.Operation{
			ID: fmt.Sprintf("op-%03d", i), TenantID: tenantA, Resource: chatRef,
			Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusNotStarted,
			CreatedDateTime: created, LastActionDateTime: created,
		}
	}
	return ops
}

func testListOperations(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	ops := orderedOperations(10)
	for i := len(ops) - 1; i >= 0; i-- {
		must(t, s.CreateOperation(ctx, ops[i]))
	}
	other := seedOperation(tenantA) // another resource's operation is not listed
	other.Resource = chat2Ref
	must(t, s.CreateOperation(ctx, other))

	got, n, err := s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{})
	must(t, err)
	wantEqual(t, "all operations", got, ops)
	wantEqual(t, "count not asked", n, -1)

	got, n, err = s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{Count: true})
	must(t, err)
	wantEqual(t, "count", n, len(ops))
	wantEqual(t, "operations with count", got, ops)

	after := &teamsops.Filter{Op: teamsops.FilterGe, Property: "createdDateTime", Value: ops[6].CreatedDateTime}
	got, n, err = s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{Filter: after, Top: 2, Count: true})
	must(t, err)
	wantEqual(t, "filtered first page", got, ops[6:8])
	wantEqual(t, "filtered count ignores paging", n, 4)

	got, n, err = s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{Skip: 50, Count: true})
	must(t, err)
	if len(got) != 0 || n != len(ops) {
		t.Errorf("skip past the end: %d operations, count %d; want none, %d", len(got), n, len(ops))
	}

	got, _, err = s.ListOperations(ctx, tenantA, teamRef, teamsops.OperationQuery{})
	must(t, err)
	if len(got) != 0 {
		t.Errorf("a resource without operations lists %d", len(got))
	}
}

func testListPaging(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	ops := orderedOperations(130)               // more than any page size a store might default to
	for _, i := range []int{5, 0, 129, 11, 3} { // some first, in no order
		must(t, s.CreateOperation(ctx, ops[i]))
	}
	for _, op := range ops {
		must(t, s.CreateOperation(ctx, op))
	}
	all, _, err := s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{})
	must(t, err)
	wantEqual(t, "all operations, top 0", all, ops)
	for _, top := range []int{1, 7, 50, 130, 1000} {
		var walked []*teamsops.Operation
		for skip := 0; ; skip += top {
			page, n, err := s.ListOperations(ctx, tenantA, chatRef, teamsops.OperationQuery{Top: top, Skip: skip, Count: true})
			must(t, err)
			if n != len(ops) {
				t.Fatalf("top %d skip %d: count %d, want %d", top, skip, n, len(ops))
			}
			if len(page) > top {
				t.Fatalf("top %d skip %d: page of %d", top, skip, len(page))
			}
			walked = append(walked, page...)
			if len(page) < top {
				break
			}
			if len(walked) > len(ops) {
				t.Fatalf("top %d: walked %d operations of %d", top, len(walked), len(ops))
			}
		}
		wantEqual(t, fmt.Sprintf("walk with top %d", top), walked, ops)
	}
}
