package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const channelColumns = `id, display_name, description, membership_type, is_favorite_by_default,
	is_archived, created_at`

func scanChannel(row Row, tenantID, teamID string) (*teamsops.Channel, error) {
	ch := &teamsops.Channel{TenantID: tenantID, TeamID: teamID}
	var created int64
	err := row.Scan(&ch.ID, &ch.DisplayName, &ch.Description, &ch.MembershipType,
		&ch.IsFavoriteByDefault, &ch.IsArchived, &created)
	if err != nil {
		return nil, err
	}
	ch.CreatedDateTime = sqlfilter.DecodeTime(created)
	return ch, nil
}

// Channel returns channel id of team teamID.
func (c Conn) Channel(ctx context.Context, tenantID, teamID, id string) (*teamsops.Channel, error) {
	ch, err := scanChannel(c.q.QueryRow(ctx, `SELECT `+channelColumns+` FROM channels
		WHERE tenant_id = $1 AND team_id = $2 AND id = $3`, tenantID, teamID, id), tenantID, teamID)
	if NoRows(err) {
		return nil, notFound("Channel '%s' was not found in team '%s'.", id, teamID)
	} else if err != nil {
		return nil, c.d.Error("read channel", err)
	}
	return ch, nil
}

// Channels lists the channels of team teamID by creation time, then id.
func (c Conn) Channels(ctx context.Context, tenantID, teamID string) ([]*teamsops.Channel, error) {
	var exists bool
	err := c.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE tenant_id = $1 AND id = $2)`,
		tenantID, teamID).Scan(&exists)
	if err != nil {
		return nil, c.d.Error("list channels", err)
	} else if !exists {
		return nil, resourceNotFound(teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: teamID})
	}
	out := []*teamsops.Channel{}
	err = c.q.Query(ctx, `SELECT `+channelColumns+` FROM channels
		WHERE tenant_id = $1 AND team_id = $2 ORDER BY created_at, id`, []any{tenantID, teamID},
		func(row Row) error {
			ch, err := scanChannel(row, tenantID, teamID)
			if err != nil {
				return err
			}
			out = append(out, ch)
			return nil
		})
	if err != nil {
		return nil, c.d.Error("list channels", err)
	}
	return out, nil
}

// CreateChannel creates or updates ch; its team must exist.
func (c Conn) CreateChannel(ctx context.Context, ch *teamsops.Channel) error {
	created, err := sqlfilter.EncodeTime(ch.CreatedDateTime)
	if err != nil {
		return err
	}
	_, err = c.q.Exec(ctx, `INSERT INTO channels (tenant_id, team_id, id, display_name,
			description, membership_type, is_favorite_by_default, is_archived, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, team_id, id) DO UPDATE SET
			display_name = excluded.display_name,
			description = excluded.description,
			membership_type = excluded.membership_type,
			is_favorite_by_default = excluded.is_favorite_by_default,
			is_archived = excluded.is_archived,
			created_at = excluded.created_at`,
		ch.TenantID, ch.TeamID, ch.ID, ch.DisplayName, ch.Description, ch.MembershipType,
		ch.IsFavoriteByDefault, ch.IsArchived, created)
	if err != nil {
		return c.d.Error("create channel", err)
	}
	return nil
}
