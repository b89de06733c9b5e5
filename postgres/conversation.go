package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

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

// Chat returns the chat id of the tenant with its members, ordered by user id.
func (c conn) Chat(ctx context.Context, tenantID, id string) (*teamsops.Chat, error) {
	chat := &teamsops.Chat{ID: id, TenantID: tenantID}
	var created int64
	var rows []memberRow
	err := c.q.QueryRow(ctx, `SELECT chat_type, topic, created_at, `+membersJSON("chat_members", "chat_id")+`
		FROM chats r WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id).
		Scan(&chat.ChatType, &chat.Topic, &created, &rows)
	if noRows(err) {
		return nil, resourceNotFound(teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id})
	} else if err != nil {
		return nil, storeError("read chat", err)
	}
	chat.CreatedDateTime, chat.Members = sqlfilter.DecodeTime(created), members(rows)
	return chat, nil
}

// CreateChat creates or updates chat and replaces its members.
func (c conn) CreateChat(ctx context.Context, chat *teamsops.Chat) error {
	created, err := sqlfilter.EncodeTime(chat.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create chat", func(q querier, note noter) error {
		_, err := q.Exec(ctx, `INSERT INTO chats (tenant_id, id, chat_type, topic, created_at)
			VALUES ($1, $2, $3, $4, $5)
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
	var rows []memberRow
	err := c.q.QueryRow(ctx, `SELECT display_name, description, is_archived, created_at,
			visibility, settings, `+membersJSON("team_members", "team_id")+`
		FROM teams r WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id).
		Scan(&t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings, &rows)
	if noRows(err) {
		return nil, resourceNotFound(teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: id})
	} else if err != nil {
		return nil, storeError("read team", err)
	}
	t.CreatedDateTime, t.Members = sqlfilter.DecodeTime(created), members(rows)
	return t, nil
}

// CreateTeam creates or updates t and replaces its members.
func (c conn) CreateTeam(ctx context.Context, t *teamsops.Team) error {
	created, err := sqlfilter.EncodeTime(t.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "create team", func(q querier, note noter) error {
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
