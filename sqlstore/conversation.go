package sqlstore

import (
	"context"
	"fmt"
	"slices"
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
	return c.write(ctx, "create chat", func(q Querier, note Note) error {
		// A new chat (the usual case: its id was just made) is one insert
		// and its members one more; only an existing one is updated and
		// its members cleared first.
		n, err := q.Exec(ctx, `INSERT INTO chats (tenant_id, id, chat_type, topic, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO NOTHING`,
			chat.TenantID, chat.ID, chat.ChatType, chat.Topic, created)
		if err == nil && n == 0 {
			_, err = q.Exec(ctx, `UPDATE chats SET chat_type = $3, topic = $4, created_at = $5
				WHERE tenant_id = $1 AND id = $2`,
				chat.TenantID, chat.ID, chat.ChatType, chat.Topic, created)
		}
		if err != nil {
			return err
		}
		note(accessChange(chat.TenantID, teamsops.ResourceChat, chat.ID))
		return c.setMembers(ctx, q, "chat_members", "chat_id", chat.TenantID, chat.ID, chat.Members, n == 0)
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
	return c.write(ctx, "create team", func(q Querier, note Note) error {
		// As CreateChat: an existing team is updated, a new one inserted.
		n, err := q.Exec(ctx, `INSERT INTO teams
				(tenant_id, id, display_name, description, is_archived, created_at, visibility, settings)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, id) DO NOTHING`,
			t.TenantID, t.ID, t.DisplayName, t.Description, t.IsArchived, created, t.Visibility, t.Settings)
		if err == nil && n == 0 {
			_, err = q.Exec(ctx, `UPDATE teams SET display_name = $3, description = $4, is_archived = $5,
					created_at = $6, visibility = $7, settings = $8
				WHERE tenant_id = $1 AND id = $2`,
				t.TenantID, t.ID, t.DisplayName, t.Description, t.IsArchived, created, t.Visibility, t.Settings)
		}
		if err != nil {
			return err
		}
		note(accessChange(t.TenantID, teamsops.ResourceTeam, t.ID))
		return c.setMembers(ctx, q, "team_members", "team_id", t.TenantID, t.ID, t.Members, n == 0)
	})
}

// setMembers makes members the whole member list of one chat, team or
// group:
// existed says whether it may have members already, to be cleared first.
// They are inserted a batch of rows a statement; a user listed twice gets
// the last entry's roles. table and key are constants of this package,
// never input.
func (c Conn) setMembers(ctx context.Context, q Querier, table, key, tenantID, id string, members []teamsops.Member, existed bool) error {
	if existed {
		if _, err := q.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND `+key+` = $2`, tenantID, id); err != nil {
			return err
		}
	}
	last := make(map[string]int, len(members))
	for i, m := range members {
		last[m.UserID] = i
	}
	rows := make([]teamsops.Member, 0, len(last))
	for i, m := range members {
		if last[m.UserID] == i {
			rows = append(rows, m)
		}
	}
	for batch := range slices.Chunk(rows, membersPerStatement) {
		var sql strings.Builder
		args := make([]any, 0, 2+2*len(batch))
		args = append(args, tenantID, id)
		sql.WriteString(`INSERT INTO ` + table + ` (tenant_id, ` + key + `, user_id, roles) VALUES `)
		for i, m := range batch {
			if i > 0 {
				sql.WriteString(", ")
			}
			fmt.Fprintf(&sql, "($1, $2, $%d, $%d)", len(args)+1, len(args)+2)
			args = append(args, m.UserID, c.d.ListValue(m.Roles))
		}
		if _, err := q.Exec(ctx, sql.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// membersPerStatement bounds the rows of one insert of members: a handful
// of statement texts cover the usual chats, and the parameters stay far
// below either database's limit.
const membersPerStatement = 100
