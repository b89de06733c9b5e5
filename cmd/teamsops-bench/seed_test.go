package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/sqlite"
)

// TestSeed writes a small scale set through the SQLite store and reads it
// back as teamsops would: the big chat holds its share, the others split
// the rest evenly, and statuses follow the one-in-twenty pattern.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	var reports []int
	ids, err := seed(ctx, s, scaleSet{ops: 12_000, resources: 4, big: 10_000}, func(done int) { reports = append(reports, done) })
	if err != nil {
		t.Fatal(err)
	}
	// Transactions of 5,000 operations, the big chat's split over them.
	if !slices.Equal(reports, []int{5_000, 10_000, 12_000}) {
		t.Errorf("progress %v, want [5000 10000 12000]", reports)
	}
	failed := &teamsops.Filter{Property: "status", Op: teamsops.FilterEq, Value: "failed"}
	for _, c := range []struct {
		ref          teamsops.ResourceRef
		all, failing int
	}{
		{teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: ids.big}, 10_000, 500},
		{teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: ids.typical}, 500, 25},
		{teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: demo.ChatID}, 1, 0},
	} {
		if _, n, err := s.ListOperations(ctx, demo.TenantID, c.ref, teamsops.OperationQuery{Top: 1, Count: true}); err != nil || n != c.all {
			t.Errorf("%s: %d operations (%v), want %d", c.ref.ID, n, err, c.all)
		}
		if _, n, err := s.ListOperations(ctx, demo.TenantID, c.ref, teamsops.OperationQuery{Top: 1, Count: true, Filter: failed}); err != nil || n != c.failing {
			t.Errorf("%s: %d failed (%v), want %d", c.ref.ID, n, err, c.failing)
		}
		if acc, err := s.Access(ctx, demo.TenantID, c.ref, demo.UserAdele, ""); err != nil || !acc.Exists || !acc.Member {
			t.Errorf("%s: access %+v, %v", c.ref.ID, acc, err)
		}
	}
}
