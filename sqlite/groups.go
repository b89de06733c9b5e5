package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const groupColumns = `r.id, r.display_name, r.description, r.mail_nickname, r.visibility, r.created_at, ` +
	`(SELECT json_group_array(json_object('userId', m.user_id, 'roles', json(m.roles),
			'displayName', u.display_name, 'email', u.user_principal_name))
		FROM group_members m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.tenant_id = r.tenant_id AND m.group_id = r.id)`

// Group returns the group id of the tenant with its members, ordered by
// user id.
func (c conn) Group(ctx context.Context, tenantID, id string) (*teamsops.Group, error) {
	row := c.q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM directory_groups r
		WHERE r.tenant_id = ? AND r.id = ?`, tenantID, id)
	g, err := scanGroup(row, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Group '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read group", err)
	}
	return g, nil
}

// GroupByMailNickname returns the group of the tenant whose mailNickname
// is nickname, ignoring ASCII case (SQLite's NOCASE).
func (c conn) GroupByMailNickname(ctx context.Context, tenantID, nickname string) (*teamsops.Group, error) {
	row := c.q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM directory_groups r
		WHERE r.tenant_id = ? AND r.mail_nickname = ? COLLATE NOCASE AND r.mail_nickname <> ''`, tenantID, nickname)
	g, err := scanGroup(row, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("No group has the mailNickname '%s'.", nickname)
	} else if err != nil {
		return nil, storeError("read group", err)
	}
	return g, nil
}

func scanGroup(row *sql.Row, tenantID string) (*teamsops.Group, error) {
	g := &teamsops.Group{TenantID: tenantID}
	var created int64
	var members string
	if err := row.Scan(&g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &g.Visibility, &created, &members); err != nil {
		return nil, err
	}
	g.CreatedDateTime = sqlfilter.DecodeTime(created)
	var err error
	if g.Members, err = decodeMembers(members); err != nil {
		return nil, fmt.Errorf("members of group %s: %w", g.ID, err)
	}
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
		_, err := q.ExecContext(ctx, `INSERT INTO directory_groups
				(tenant_id, id, display_name, description, mail_nickname, visibility, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
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
