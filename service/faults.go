package service

import (
	"context"
	"slices"

	"github.com/teamsops/teamsops"
)

// ruleFault returns the fault an operation of type typ that p starts
// carries: the request's own (from the X-Teamsops-Fault header), which
// wins, or that of the first of the app's fault rules, in id order, that
// matches typ (teamsops.FaultRule), or none.
func ruleFault(ctx context.Context, tx teamsops.Tx, p teamsops.Principal, typ teamsops.OperationType, fault *teamsops.Fault) (*teamsops.Fault, error) {
	if fault != nil || p.AppID == "" {
		return fault, nil
	}
	rules, err := tx.FaultRules(ctx, p.TenantID, p.AppID)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if r.Matches(typ) {
			return r.Fault(), nil
		}
	}
	return nil, nil
}

// FaultRules lists the tenant's fault rules, those its file declares and
// those created at run time, by id. ENOTFOUND if there is no such tenant.
func (ts *Tenants) FaultRules(ctx context.Context, tenantID string) ([]*teamsops.FaultRule, error) {
	if _, err := ts.Store.Tenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return ts.Store.FaultRules(ctx, tenantID, "")
}

// PutFaultRule creates r, or replaces the tenant's rule of its id, at run
// time, and reports whether it is new. Its tenant's file does not record
// it, so an apply of the file leaves it, unless the file declares a rule
// of the same id. The next operation its app starts reads it. ENOTFOUND
// if there is no such tenant; EINVALID if r does not validate.
func (ts *Tenants) PutFaultRule(ctx context.Context, r *teamsops.FaultRule) (created bool, err error) {
	if _, err := ts.Store.Tenant(ctx, r.TenantID); err != nil {
		return false, err
	}
	err = ts.Store.Update(ctx, func(tx teamsops.Tx) error {
		rules, err := tx.FaultRules(ctx, r.TenantID, "")
		if err != nil {
			return err
		}
		created = !slices.ContainsFunc(rules, func(old *teamsops.FaultRule) bool { return old.ID == r.ID })
		return tx.CreateFaultRule(ctx, r)
	})
	return created, err
}

// DeleteFaultRule deletes one of the tenant's fault rules, declared or
// not. ENOTFOUND if there is no such tenant or rule.
func (ts *Tenants) DeleteFaultRule(ctx context.Context, tenantID, id string) error {
	if _, err := ts.Store.Tenant(ctx, tenantID); err != nil {
		return err
	}
	return ts.Store.DeleteFaultRule(ctx, tenantID, id)
}
