package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
)

// The members of chats and teams, with their users' names, are read by a
// second statement, one row per member, rather than aggregated into each
// resource's row: each database spells that aggregate differently (JSON
// functions), and measured against them the second statement is as fast
// on SQLite and several times faster on PostgreSQL for a list. Inside a
// Tx both statements read one snapshot; on the pool a write committed
// between them may show in the members only.

// members reads the members of the resources r of tenantID in resources
// (chats or teams) that where selects (a condition on r, whose arguments
// from $2 on are args), by resource id, each list ordered by user id.
// table is resources' member table, key its column of r's id; all three
// are constants of this package, never input.
func (c Conn) members(ctx context.Context, resources, table, key, tenantID, where string, args ...any) (map[string][]teamsops.Member, error) {
	byID := map[string][]teamsops.Member{}
	err := c.q.Query(ctx, `SELECT m.`+key+`, m.user_id, m.roles, u.display_name, u.user_principal_name
		FROM `+table+` m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.tenant_id = $1 AND m.`+key+` IN (SELECT r.id FROM `+resources+` r WHERE r.tenant_id = $1`+where+`)
		ORDER BY m.`+key+`, m.user_id`, append([]any{tenantID}, args...), func(row Row) error {
		var id string
		var m teamsops.Member
		if err := row.Scan(&id, &m.UserID, c.d.List(&m.Roles), &m.DisplayName, &m.Email); err != nil {
			return err
		}
		byID[id] = append(byID[id], m)
		return nil
	})
	return byID, err
}
