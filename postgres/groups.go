package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

var groupColumns = `r.id, r.display_name, r.description, r.mail_nickname, r.visibility, r.created_at, ` +
	membersJSON("group_members", "group_id")

// Group returns the group id of the tenant with its members, ordered by
// user id.
func (c conn) Group(ctx context.Context, tenantID, id string) (*teamsops.Group, error) {
	g, err := scanGroup(c.q.QueryRow(ctx, `SELECT `+groupColumns+` FROM directory_groups r
		WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id), tenantID)
	if noRows(err) {
		return nil, notFound("Group '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read group", err)
	}
	return g, nil
}

// GroupByMailNickname returns the group of the tenant whose mailNickname
// is nickname, ignoring ASCII case (lower() under COLLATE "C").
func (c conn) GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*teamsops.Group, error) {
	g, err := scanGroup(c.q.QueryRow(ctx, `SELECT `+groupColumns+` FROM directory_groups r
		WHERE r.tenant_id = $1 AND lower(r.mail_nickname) = lower($2::text COLLATE "C")
			AND r.mail_nickname <> ''`, tenantID, nickname), tenantID)
	if noRows(err) {
		return nil, notFound("No group has the mailNickname '%s'.", nickname)
	} else if err != nil {
		return nil, storeError("read group", err)
	}
	return g, nil
}

func scanGroup(row pgx.Row, tenantID string) (*teamsops.Group, error) {
	g := &teamsops.Group{TenantID: tenantID}
	var created int64
	var rows []memberRow
	if err := row.Scan(&g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &g.Visibility, &created, &rows); err != nil {
		return nil, err
	}
	g.CreatedDateTime, g.Members = sqlfilter.DecodeTime(created), members(rows)
	return g, nil
}

// CreateGroup creates or updates g and replaces its members. A
// mailNickname another group holds is ECONFLICT (the unique index).
func (c conn) CreateGroup(ctx context.Context, g *teamsops.Group) error {
	created, err := sqlfilter.EncodeTime(g.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create group", func(q querier, note noter) error {
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
			return storeError("create group", err)
		}
		note(accessChanged(g.TenantID, teamsops.ResourceGroup, g.ID))
		return replaceMembers(ctx, q, "group_members", "group_id", g.TenantID, g.ID, g.Members)
	})
}
