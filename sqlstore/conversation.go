package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// Chat returns the chat id of the tenant with its members, ordered by user id.
func (c Conn) Chat(ctx context.Context, tenantID, id string) (*teamsops.Chat, error) {
	chat := &teamsops.Chat{ID: id, TenantID: tenantID}
	var created int64
	var members string
	err := c.q.QueryRow(ctx, `SELECT chat_type, topic, created_at, `+c.d.Members("chat_members", "chat_id")+`
		FROM chats r WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id).
		Scan(&chat.ChatType, &chat.Topic, &created, &members)
	if NoRows(err) {
		return nil, notFound("Chat '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read chat", err)
	}
	chat.CreatedDateTime = sqlfilter.DecodeTime(created)
	if chat.Members, err = decodeMembers(members); err != nil {
		return nil, fmt.Errorf("sqlstore: members of chat %s: %w", id, err)
	}
	return chat, nil
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
	t := &teamsops.Team{ID: id, TenantID: tenantID}
	var created int64
	var members string
	err := c.q.QueryRow(ctx, `SELECT display_name, description, is_archived, created_at,
			visibility, settings, `+c.d.Members("team_members", "team_id")+`
		FROM teams r WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id).
		Scan(&t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings, &members)
	if NoRows(err) {
		return nil, notFound("Team '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read team", err)
	}
	t.CreatedDateTime = sqlfilter.DecodeTime(created)
	if t.Members, err = decodeMembers(members); err != nil {
		return nil, fmt.Errorf("sqlstore: members of team %s: %w", id, err)
	}
	return t, nil
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

// decodeMembers reads the JSON array of Dialect.Members, ordered by user id.
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

// accessChange is the change of who may reach a resource: kind and id
// empty for every resource of the tenant.
func accessChange(tenantID string, kind teamsops.ResourceKind, id string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenantID, Resource: teamsops.ResourceRef{Kind: kind, ID: id}}
}
