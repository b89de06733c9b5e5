package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
)

// FaultRules lists the tenant's fault rules of one app, or all of them
// when clientAppID is empty, ordered by id.
func (c Conn) FaultRules(ctx context.Context, tenantID, clientAppID string) ([]*teamsops.FaultRule, error) {
	rules := []*teamsops.FaultRule{}
	err := c.q.Query(ctx, `SELECT id, client_app_id, operation_type, action, error_code,
			error_message, attempts
		FROM fault_rules WHERE tenant_id = $1 AND ($2 = '' OR client_app_id = $2) ORDER BY id`,
		[]any{tenantID, clientAppID}, func(row Row) error {
			r := &teamsops.FaultRule{TenantID: tenantID}
			var typ string
			if err := row.Scan(&r.ID, &r.ClientAppID, &typ, &r.Action, &r.ErrorCode, &r.ErrorMessage, &r.Attempts); err != nil {
				return err
			}
			r.OperationType = teamsops.OperationType(typ)
			rules = append(rules, r)
			return nil
		})
	if err != nil {
		return nil, c.d.Error("list fault rules", err)
	}
	return rules, nil
}

// CreateFaultRule creates or replaces r.
func (c Conn) CreateFaultRule(ctx context.Context, r *teamsops.FaultRule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := c.q.Exec(ctx, `INSERT INTO fault_rules (tenant_id, id, client_app_id, operation_type,
			action, error_code, error_message, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			client_app_id = excluded.client_app_id,
			operation_type = excluded.operation_type,
			action = excluded.action,
			error_code = excluded.error_code,
			error_message = excluded.error_message,
			attempts = excluded.attempts`,
		r.TenantID, r.ID, r.ClientAppID, string(r.OperationType), r.Action, r.ErrorCode, r.ErrorMessage, r.Attempts)
	if err != nil {
		return c.d.Error("create fault rule", err)
	}
	return nil
}

// DeleteFaultRule deletes the rule id of the tenant.
func (c Conn) DeleteFaultRule(ctx context.Context, tenantID, id string) error {
	n, err := c.q.Exec(ctx, `DELETE FROM fault_rules WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return c.d.Error("delete fault rule", err)
	}
	if n == 0 {
		return notFound("Fault rule '%s' was not found.", id)
	}
	return nil
}
