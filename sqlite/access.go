package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// accessQueries answer Access for each resource kind in one statement.
// Parameters: ?1 tenant, ?2 resource id, ?3 user id, ?4 resource kind,
// ?5 client app id. An empty user or app matches nothing.
//
// A team's facts also come from its group (teamsops.Store.Access).
var accessQueries = map[teamsops.ResourceKind]string{
	teamsops.ResourceChat:  accessQuery(accessSource{"chats", "chat_members", "chat_id"}),
	teamsops.ResourceTeam:  accessQuery(accessSource{"teams", "team_members", "team_id"}, groupSource),
	teamsops.ResourceGroup: accessQuery(groupSource),
}

// accessSource is a table of resources and the table of their members.
type accessSource struct{ table, members, key string }

var groupSource = accessSource{"directory_groups", "group_members", "group_id"}

// accessQuery ORs the facts of each source.
func accessQuery(sources ...accessSource) string {
	var exists, member, owner []string
	for _, s := range sources {
		exists = append(exists, `EXISTS (SELECT 1 FROM `+s.table+` WHERE tenant_id = ?1 AND id = ?2)`)
		member = append(member, `EXISTS (SELECT 1 FROM `+s.members+`
			WHERE tenant_id = ?1 AND `+s.key+` = ?2 AND user_id = ?3)`)
		owner = append(owner, `EXISTS (SELECT 1 FROM `+s.members+` m, json_each(m.roles) r
			WHERE m.tenant_id = ?1 AND m.`+s.key+` = ?2 AND m.user_id = ?3 AND r.value = 'owner')`)
	}
	return `SELECT
		(` + strings.Join(exists, " OR ") + `),
		?3 <> '' AND (` + strings.Join(member, " OR ") + `),
		?3 <> '' AND (` + strings.Join(owner, " OR ") + `),
		(SELECT json_group_array(DISTINCT permission) FROM permission_grants
			WHERE ?5 <> '' AND tenant_id = ?1 AND resource_kind = ?4 AND resource_id = ?2
				AND client_app_id = ?5 AND permission_type = 'Application')`
}

// Access reports whether the chat or team exists in the tenant, whether
// userID is a member or owner of it, and the application RSC permissions
// clientAppID holds on it, sorted.
func (s *Store) Access(ctx context.Context, tenantID string, ref teamsops.ResourceRef, userID, clientAppID string) (teamsops.ResourceAccess, error) {
	var a teamsops.ResourceAccess
	query, ok := accessQueries[ref.Kind]
	if !ok {
		return a, nil // no such kind, so no such resource
	}
	var grants string
	row, err := s.queryRow(ctx, query, tenantID, ref.ID, userID, string(ref.Kind), clientAppID)
	if err == nil {
		err = row.Scan(&a.Exists, &a.Member, &a.Owner, &grants)
	}
	if err != nil {
		return teamsops.ResourceAccess{}, storeError("read access", err)
	}
	if !a.Exists {
		return teamsops.ResourceAccess{}, nil // grants may outlive their resource
	}
	if err := json.Unmarshal([]byte(grants), &a.Grants); err != nil {
		return teamsops.ResourceAccess{}, fmt.Errorf("sqlite: read access: %w", err)
	}
	if len(a.Grants) == 0 {
		a.Grants = nil
	}
	slices.Sort(a.Grants)
	return a, nil
}
