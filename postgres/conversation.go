package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
)

// The chats and teams are package sqlstore's; groups.go still reads and
// writes the members of groups with these.

// membersJSON selects a resource's members, with their users' names, as
// one JSON array ordered by user id, so a chat or team and its members come
// from one query and one snapshot.
func membersJSON(table, key string) string {
	return `COALESCE((SELECT json_agg(json_build_object('userId', m.user_id, 'roles', m.roles,
			'displayName', u.display_name, 'email', u.user_principal_name) ORDER BY m.user_id)
		FROM ` + table + ` m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.tenant_id = r.tenant_id AND m.` + key + ` = r.id), '[]')`
}

// memberRow is one element of membersJSON's array.
type memberRow struct {
	UserID      string   `json:"userId"`
	Roles       []string `json:"roles"`
	DisplayName string   `json:"displayName"`
	Email       string   `json:"email"`
}

// members converts membersJSON's rows; no members is nil.
func members(rows []memberRow) []teamsops.Member {
	var ms []teamsops.Member
	for _, r := range rows {
		ms = append(ms, teamsops.Member{UserID: r.UserID, Roles: noneIfEmpty(r.Roles), DisplayName: r.DisplayName, Email: r.Email})
	}
	return ms
}

// replaceMembers makes members the whole member list of one chat or team.
// table and key are constants of this package, never input.
func replaceMembers(ctx context.Context, q querier, table, key, tenantID, id string, members []teamsops.Member) error {
	what := "set members of " + strings.TrimSuffix(key, "_id")
	_, err := q.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND `+key+` = $2`, tenantID, id)
	if err != nil {
		return storeError(what, err)
	}
	insert := fmt.Sprintf(`INSERT INTO %s (tenant_id, %s, user_id, roles) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, %[2]s, user_id) DO UPDATE SET roles = excluded.roles`, table, key) // a user listed twice: the last wins
	for _, m := range members {
		if _, err := q.Exec(ctx, insert, tenantID, id, m.UserID, textArray(m.Roles)); err != nil {
			return storeError(what, err)
		}
	}
	return nil
}
