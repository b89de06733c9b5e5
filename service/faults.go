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
// if there is no such tenant; EINVALID if r does not validate; ECONFLICT
// if another rule of the tenant has r's app and operation type, as a
// tenant file may not hold two such rules (teamsops.FaultRule.Overlaps).
func (ts *Tenants) PutFaultRule(ctx context.Context, r *teamsops.FaultRule) (created bool, err error) {
	if _, err := ts.Store.Tenant(ctx, r.TenantID); err != nil {
		return false, err
	}
	err = ts.Store.Update(ctx, func(tx teamsops.Tx) error {
		rules, err := tx.FaultRules(ctx, r.TenantID, r.ClientAppID)
		if err != nil {
			return err
		}
		if old := overlapping(rules, r, nil); old != nil {
			return teamsops.Errorf(teamsops.ECONFLICT, "The tenant's rule '%s' has the same app and operationType as the fault rule '%s' (%s): "+
				"only one of the two could ever apply. Post the rule with the id '%s' to replace that rule, or delete that rule first.",
				teamsops.Clip(old.ID), teamsops.Clip(r.ID), r.Target(), teamsops.Clip(old.ID))
		}
		created = !slices.ContainsFunc(rules, func(old *teamsops.FaultRule) bool { return old.ID == r.ID })
		return tx.CreateFaultRule(ctx, r)
	})
	return created, err
}

// overlapping returns the rule of rules that r overlaps, leaving out
// those skip names (nil: none), or nil.
func overlapping(rules []*teamsops.FaultRule, r *teamsops.FaultRule, skip func(id string) bool) *teamsops.FaultRule {
	for _, old := range rules {
		if r.Overlaps(old) && (skip == nil || !skip(old.ID)) {
			return old
		}
	}
	return nil
}

// writeFaultRule writes a declared rule. One set through the admin API
// with the same app and operation type stands in its way: the apply is
// refused, as the admin API refuses the reverse, rather than deleting a
// rule a test set on purpose. The declaration's own rules do not count:
// they are all written by the end of the apply.
func (a *applier) writeFaultRule(ctx context.Context, r *teamsops.FaultRule) error {
	rules, err := a.tx.FaultRules(ctx, r.TenantID, r.ClientAppID)
	if err != nil {
		return err
	}
	declared := func(id string) bool {
		return slices.ContainsFunc(a.d.FaultRules, func(d *teamsops.FaultRule) bool { return d.ID == id })
	}
	if old := overlapping(rules, r, declared); old != nil {
		return teamsops.Errorf(teamsops.ECONFLICT, "the rule '%s', set through the admin API, has the same app and operationType (%s), "+
			"and only one of the two could ever apply: delete it (DELETE /_teamsops/tenants/%s/faultRules/%s), or give this rule its id",
			teamsops.Clip(old.ID), r.Target(), r.TenantID, teamsops.Clip(old.ID))
	}
	return a.tx.CreateFaultRule(ctx, r)
}

// DeleteFaultRule deletes one of the tenant's fault rules, declared or
// not. ENOTFOUND if there is no such tenant or rule.
func (ts *Tenants) DeleteFaultRule(ctx context.Context, tenantID, id string) error {
	if _, err := ts.Store.Tenant(ctx, tenantID); err != nil {
		return err
	}
	return ts.Store.DeleteFaultRule(ctx, tenantID, id)
}
