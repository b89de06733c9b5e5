package sqlite

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// The chats and teams are package sqlstore's; groups.go still reads and
// writes the members of groups with these.

// replaceMembers makes members the whole member list of one chat or team.
// table and key are constants of this package, never input.
func replaceMembers(ctx context.Context, q querier, table, key, tenantID, id string, members []teamsops.Member) error {
	what := "set members of " + strings.TrimSuffix(key, "_id")
	_, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = ? AND `+key+` = ?`, tenantID, id)
	if err != nil {
		return storeError(what, err)
	}
	insert := `INSERT INTO ` + table + ` (tenant_id, ` + key + `, user_id, roles) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, ` + key + `, user_id) DO UPDATE SET roles = excluded.roles` // a user listed twice: the last wins
	for _, m := range members {
		if _, err := q.ExecContext(ctx, insert, tenantID, id, m.UserID, encodeRoles(m.Roles)); err != nil {
			return storeError(what, err)
		}
	}
	return nil
}

// decodeMembers reads membersJSON's array, ordered by user id.
func decodeMembers(s string) ([]teamsops.Member, error) {
	var rows []struct {
		UserID      string   `json:"userId"`
		Roles       []string `json:"roles"`
		DisplayName string   `json:"displayName"`
		Email       string   `json:"email"`
	}
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	var members []teamsops.Member
	for _, r := range rows {
		m := teamsops.Member{UserID: r.UserID, DisplayName: r.DisplayName, Email: r.Email}
		if len(r.Roles) > 0 {
			m.Roles = r.Roles
		}
		members = append(members, m)
	}
	slices.SortFunc(members, func(a, b teamsops.Member) int { return strings.Compare(a.UserID, b.UserID) })
	return members, nil
}
