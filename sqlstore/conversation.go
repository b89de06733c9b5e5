package sqlstore

import (
	"context"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// Chat returns the chat id of the tenant with its members, ordered by user id.
func (c Conn) Chat(ctx context.Context, tenantID, id string) (*teamsops.Chat, error) {
	chats, err := c.chats(ctx, "read chat", tenantID, ` AND r.id = $2`, id)
	if err != nil {
		return nil, err
	}
	if len(chats) == 0 {
		return nil, notFound("Chat '%s' was not found.", id)
	}
	return chats[0], nil
}

// CreateChat creates or updates chat and replaces its members.
func (c Conn) CreateChat(ctx context.Context, chat *teamsops.Chat) error {
	created, err := sqlfilter.EncodeTime(chat.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create chat", func(q Querier, note Note) error {
		_, err := q.Exec(ctx, `INSERT INTO chats (tenant_id, id, chat_type, topic, created_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				chat_type = excluded.chat_type,
				topic = excluded.topic,
				created_at = excluded.created_at`,
			chat.TenantID, chat.ID, chat.ChatType, chat.Topic, created)
		if err != nil {
			return c.d.Error("create chat", err)
		}
		note(accessChange(chat.TenantID, teamsops.ResourceChat, chat.ID))
		return c.replaceMembers(ctx, q, "chat_members", "chat_id", chat.TenantID, chat.ID, chat.Members)
	})
}

// Team returns the team id of the tenant with its members, ordered by user id.
func (c Conn) Team(ctx context.Context, tenantID, id string) (*teamsops.Team, error) {
	teams, err := c.teams(ctx, "read team", tenantID, ` AND r.id = $2`, id)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, notFound("Team '%s' was not found.", id)
	}
	return teams[0], nil
}

// CreateTeam creates or updates t and replaces its members.
func (c Conn) CreateTeam(ctx context.Context, t *teamsops.Team) error {
	created, err := sqlfilter.EncodeTime(t.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create team", func(q Querier, note Note) error {
		_, err := q.Exec(ctx, `INSERT INTO teams
				(tenant_id, id, display_name, description, is_archived, created_at, visibility, settings)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				display_name = excluded.display_name,
				description = excluded.description,
				is_archived = excluded.is_archived,
				created_at = excluded.created_at,
				visibility = excluded.visibility,
				settings = excluded.settings`,
			t.TenantID, t.ID, t.DisplayName, t.Description, t.IsArchived, created, t.Visibility, t.Settings)
		if err != nil {
			return c.d.Error("create team", err)
		}
		note(accessChange(t.TenantID, teamsops.ResourceTeam, t.ID))
		return c.replaceMembers(ctx, q, "team_members", "team_id", t.TenantID, t.ID, t.Members)
	})
}

// replaceMembers makes members the whole member list of one chat or team.
// table and key are constants of this package, never input.
func (c Conn) replaceMembers(ctx context.Context, q Querier, table, key, tenantID, id string, members []teamsops.Member) error {
	what := "set members of " + strings.TrimSuffix(key, "_id")
	_, err := q.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND `+key+` = $2`, tenantID, id)
	if err != nil {
		return c.d.Error(what, err)
	}
	insert := `INSERT INTO ` + table + ` (tenant_id, ` + key + `, user_id, roles) VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, ` + key + `, user_id) DO UPDATE SET roles = excluded.roles` // a user listed twice: the last wins
	for _, m := range members {
		if _, err := q.Exec(ctx, insert, tenantID, id, m.UserID, c.d.ListValue(m.Roles)); err != nil {
			return c.d.Error(what, err)
		}
	}
	return nil
}
