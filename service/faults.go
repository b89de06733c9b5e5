package service

import (
	"context"

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
