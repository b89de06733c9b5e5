package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// membersJSON selects a resource's members, with their users' names, as
// one JSON array, so a chat or team and its members come from one query
// and one snapshot.
func membersJSON(table, key string) string {
	return `(SELECT json_group_array(json_object('userId', m.user_id, 'roles', json(m.roles),
			'displayName', u.display_name, 'email', u.user_principal_name))
		FROM ` + table + ` m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.tenant_id = r.tenant_id AND m.` + key + ` = r.id)`
}

// Chat returns the chat id of the tenant with its members, ordered by user id.
func (c conn) Chat(ctx context.Context, tenantID, id string) (*teamsops.Chat, error) {
	chat := &teamsops.Chat{ID: id, TenantID: tenantID}
	var created int64
	var members string
	err := c.q.QueryRowContext(ctx, `SELECT chat_type, topic, created_at, `+membersJSON("chat_members", "chat_id")+`
		FROM chats r WHERE r.tenant_id = ? AND r.id = ?`, tenantID, id).
		Scan(&chat.ChatType, &chat.Topic, &created, &members)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, resourceNotFound(teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id})
	} else if err != nil {
		return nil, storeError("read chat", err)
	}
	chat.CreatedDateTime = sqlfilter.DecodeTime(created)
	if chat.Members, err = decodeMembers(members); err != nil {
		return nil, fmt.Errorf("sqlite: members of chat %s: %w", id, err)
	}
	return chat, nil
}

// CreateChat creates or updates chat and replaces its members.
func (c conn) CreateChat(ctx context.Context, chat *teamsops.Chat) error {
	created, err := sqlfilter.EncodeTime(chat.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create chat", func(q querier, note noter) error {
		_, err := q.ExecContext(ctx, `INSERT INTO chats (tenant_id, id, chat_type, topic, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				chat_type = excluded.chat_type,
				topic = excluded.topic,
				created_at = excluded.created_at`,
			chat.TenantID, chat.ID, chat.ChatType, chat.Topic, created)
		if err != nil {
			return storeError("create chat", err)
		}
		note(accessChanged(chat.TenantID, teamsops.ResourceChat, chat.ID))
		return replaceMembers(ctx, q, "chat_members", "chat_id", chat.TenantID, chat.ID, chat.Members)
	})
}

// Team returns the team id of the tenant with its members, ordered by user id.
func (c conn) Team(ctx context.Context, tenantID, id string) (*teamsops.Team, error) {
	t := &teamsops.Team{ID: id, TenantID: tenantID}
	var created int64
	var members string
	err := c.q.QueryRowContext(ctx, `SELECT display_name, description, is_archived, created_at,
			visibility, settings, `+membersJSON("team_members", "team_id")+`
		FROM teams r WHERE r.tenant_id = ? AND r.id = ?`, tenantID, id).
		Scan(&t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings, &members)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, resourceNotFound(teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: id})
	} else if err != nil {
		return nil, storeError("read team", err)
	}
	t.CreatedDateTime = sqlfilter.DecodeTime(created)
	if t.Members, err = decodeMembers(members); err != nil {
		return nil, fmt.Errorf("sqlite: members of team %s: %w", id, err)
	}
	return t, nil
}

// CreateTeam creates or updates t and replaces its members.
func (c conn) CreateTeam(ctx context.Context, t *teamsops.Team) error {
	created, err := sqlfilter.EncodeTime(t.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create team", func(q querier, note noter) error {
		_, err := q.ExecContext(ctx, `INSERT INTO teams
				(tenant_id, id, display_name, description, is_archived, created_at, visibility, settings)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				display_name = excluded.display_name,
				description = excluded.description,
				is_archived = excluded.is_archived,
				created_at = excluded.created_at,
				visibility = excluded.visibility,
				settings = excluded.settings`,
			t.TenantID, t.ID, t.DisplayName, t.Description, t.IsArchived, created, t.Visibility, t.Settings)
		if err != nil {
			return storeError("create team", err)
		}
		note(accessChanged(t.TenantID, teamsops.ResourceTeam, t.ID))
		return replaceMembers(ctx, q, "team_members", "team_id", t.TenantID, t.ID, t.Members)
	})
}

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
