package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// groupQuery selects the groups of directory_groups r that where holds,
// each with its members as one JSON array (Dialect.MembersJSON), so a
// group and its members come from one query and one snapshot.
func (c Conn) groupQuery(where string) string {
	return `SELECT r.id, r.display_name, r.description, r.mail_nickname, r.visibility, r.created_at, ` +
		c.d.MembersJSON("group_members", "group_id") + ` FROM directory_groups r WHERE ` + where
}

// Group returns the group id of the tenant with its members, ordered by
// user id.
func (c Conn) Group(ctx context.Context, tenantID, id string) (*teamsops.Group, error) {
	g, err := scanGroup(c.q.QueryRow(ctx, c.groupQuery(`r.tenant_id = $1 AND r.id = $2`), tenantID, id), tenantID)
	if NoRows(err) {
		return nil, notFound("Group '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read group", err)
	}
	return g, nil
}

// GroupByMailNickname returns the group of the tenant whose mailNickname
// is nickname, ignoring ASCII case as both databases' unique index on
// lower(mail_nickname) does (foldASCII).
func (c Conn) GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*teamsops.Group, error) {
	g, err := scanGroup(c.q.QueryRow(ctx, c.groupQuery(`r.tenant_id = $1 AND lower(r.mail_nickname) = $2
			AND r.mail_nickname <> ''`), tenantID, foldASCII(nickname)), tenantID)
	if NoRows(err) {
		return nil, notFound("No group has the mailNickname '%s'.", nickname)
	} else if err != nil {
		return nil, c.d.Error("read group", err)
	}
	return g, nil
}

func scanGroup(row Row, tenantID string) (*teamsops.Group, error) {
	g := &teamsops.Group{TenantID: tenantID}
	var created int64
	var members string
	if err := row.Scan(&g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &g.Visibility, &created, &members); err != nil {
		return nil, err
	}
	g.CreatedDateTime = sqlfilter.DecodeTime(created)
	var err error
	if g.Members, err = membersOf(members); err != nil {
		return nil, fmt.Errorf("members of group %s: %w", g.ID, err)
	}
	return g, nil
}

// membersOf reads Dialect.MembersJSON's array, ordered by user id; no
// members, or no roles, is nil.
func membersOf(s string) ([]teamsops.Member, error) {
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
	// SQLite's json_group_array keeps no order of its own.
	slices.SortFunc(members, func(a, b teamsops.Member) int { return cmp.Compare(a.UserID, b.UserID) })
	return members, nil
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
		return c.setMembers(ctx, q, "group_members", "group_id", g.TenantID, g.ID, g.Members)
	})
}

// setMembers makes members the whole member list of one chat, team or
// group. table and key are constants of this package, never input.
func (c Conn) setMembers(ctx context.Context, q Querier, table, key, tenantID, id string, members []teamsops.Member) error {
	if _, err := q.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND `+key+` = $2`, tenantID, id); err != nil {
		return err
	}
	insert := `INSERT INTO ` + table + ` (tenant_id, ` + key + `, user_id, roles) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, ` + key + `, user_id) DO UPDATE SET roles = excluded.roles` // a user listed twice: the last wins
	for _, m := range members {
		if _, err := q.Exec(ctx, insert, tenantID, id, m.UserID, c.d.ListValue(m.Roles)); err != nil {
			return err
		}
	}
	return nil
}
