package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// groups reads the groups of the tenant that where selects (after
// r.tenant_id = $1), each with its members ordered by user id. The members
// come in the same statement, one row each (one row of NULLs for a group
// without any), so a group and its members come from one snapshot, in SQL
// both databases run unchanged.
func (c Conn) groups(ctx context.Context, tenantID, where string, args ...any) ([]*teamsops.Group, error) {
	var groups []*teamsops.Group
	err := c.q.Query(ctx, `SELECT r.id, r.display_name, r.description, r.mail_nickname, r.visibility,
			r.created_at, m.user_id, m.roles, u.display_name, u.user_principal_name
		FROM directory_groups r
			LEFT JOIN group_members m ON m.tenant_id = r.tenant_id AND m.group_id = r.id
			LEFT JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE r.tenant_id = $1`+where+` ORDER BY r.id, m.user_id`, append([]any{tenantID}, args...),
		func(row Row) error {
			g := &teamsops.Group{TenantID: tenantID}
			var created int64
			var userID, name, email *string
			var roles []string
			err := row.Scan(&g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &g.Visibility, &created,
				&userID, c.d.List(&roles), &name, &email)
			if err != nil {
				return err
			}
			if n := len(groups); n > 0 && groups[n-1].ID == g.ID {
				g = groups[n-1]
			} else {
				g.CreatedDateTime = sqlfilter.DecodeTime(created)
				groups = append(groups, g)
			}
			if userID != nil {
				g.Members = append(g.Members, teamsops.Member{UserID: *userID, Roles: roles,
					DisplayName: deref(name), Email: deref(email)})
			}
			return nil
		})
	if err != nil {
		return nil, c.d.Error("read group", err)
	}
	return groups, nil
}

// Group returns the group id of the tenant with its members, ordered by
// user id.
func (c Conn) Group(ctx context.Context, tenantID, id string) (*teamsops.Group, error) {
	groups, err := c.groups(ctx, tenantID, ` AND r.id = $2`, id)
	if err != nil {
		return nil, err
	} else if len(groups) == 0 {
		return nil, notFound("Group '%s' was not found.", id)
	}
	return groups[0], nil
}

// GroupByMailNickname returns the group of the tenant whose mailNickname
// is nickname, ignoring ASCII case as both databases' unique index on
// lower(mail_nickname) does (foldASCII).
func (c Conn) GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*teamsops.Group, error) {
	groups, err := c.groups(ctx, tenantID, ` AND lower(r.mail_nickname) = $2 AND r.mail_nickname <> ''`,
		foldASCII(nickname))
	if err != nil {
		return nil, err
	} else if len(groups) == 0 {
		return nil, notFound("No group has the mailNickname '%s'.", nickname)
	}
	return groups[0], nil
}

// CreateGroup creates or updates g and replaces its members. A
// mailNickname another group holds is ECONFLICT (the unique index).
func (c Conn) CreateGroup(ctx context.Context, g *teamsops.Group) error {
	created, err := sqlfilter.EncodeTime(g.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.write(ctx, "create group", func(q Querier, note Note) error {
		_, err := q.Exec(ctx, `INSERT INTO directory_groups
				(tenant_id, id, display_name, description, mail_nickname, visibility, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				display_name = excluded.display_name,
				description = excluded.description,
				mail_nickname = excluded.mail_nickname,
				visibility = excluded.visibility,
				created_at = excluded.created_at`,
			g.TenantID, g.ID, g.DisplayName, g.Description, g.MailNickname, g.Visibility, created)
		if err != nil {
			return err
		}
		note(accessChange(g.TenantID, teamsops.ResourceGroup, g.ID))
		return c.setMembers(ctx, q, "group_members", "group_id", g.TenantID, g.ID, g.Members, true)
	})
}
