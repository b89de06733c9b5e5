package engine

import (
	"context"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestDeleteTenantJobs deletes the jobs of one tenant's operations, queued
// or finished, and no other tenant's.
func TestDeleteTenantJobs(t *testing.T) {
	ctx := context.Background()
	s := tempStore(t)
	const other = "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d"
	must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: other}))
	must(t, s.CreateUser(ctx, &teamsops.User{ID: userID, TenantID: other}))
	e := newEngine(t, s, Config{Profile: profile(t, "instant", nil)})
	for n := range 3 {
		accept(t, s, e, newOperation(n), nil)
		op := newOperation(n)
		op.TenantID = other
		accept(t, s, e, op, nil)
	}
	jobs := func(tenant string) int {
		t.Helper()
		q := `SELECT count(*) FROM river_job WHERE args->>'tenant_id' = $1`
		if testdb.Backend() == "sqlite" {
			q = `SELECT count(*) FROM river_job WHERE json_extract(args, '$.tenant_id') = $1`
		}
		n, err := testdb.Int(ctx, s, q, tenant)
		must(t, err)
		return n
	}
	if a, b := jobs(tenantID), jobs(other); a != 3 || b != 3 {
		t.Fatalf("jobs before: %d and %d, want 3 and 3", a, b)
	}
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return e.DeleteTenantJobs(ctx, tx, tenantID) }))
	if a, b := jobs(tenantID), jobs(other); a != 0 || b != 3 {
		t.Errorf("jobs after deleting the tenant's: %d and %d, want 0 and 3", a, b)
	}
}
