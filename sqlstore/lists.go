package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// UserChats lists the chats userID is a member of, with their members,
// ordered by createdDateTime, then id.
func (c Conn) UserChats(ctx context.Context, tenantID, userID string) ([]*teamsops.Chat, error) {
	return c.chats(ctx, "list chats", tenantID, `
		AND r.id IN (SELECT chat_id FROM chat_members WHERE tenant_id = $1 AND user_id = $2)`, userID)
}

// chats reads the chats r of tenantID that where (a condition on r, a
// constant of this package, whose arguments from $2 on are args) selects,
// with their members, ordered by createdDateTime, then id.
func (c Conn) chats(ctx context.Context, what, tenantID, where string, args ...any) ([]*teamsops.Chat, error) {
	chats := []*teamsops.Chat{}
	err := c.q.Query(ctx, `SELECT r.id, r.chat_type, r.topic, r.created_at FROM chats r
		WHERE r.tenant_id = $1`+where+` ORDER BY r.created_at, r.id`, append([]any{tenantID}, args...), func(row Row) error {
		chat := &teamsops.Chat{TenantID: tenantID}
		var created int64
		if err := row.Scan(&chat.ID, &chat.ChatType, &chat.Topic, &created); err != nil {
			return err
		}
		chat.CreatedDateTime = sqlfilter.DecodeTime(created)
		chats = append(chats, chat)
		return nil
	})
	if err != nil {
		return nil, c.d.Error(what, err)
	}
	if len(chats) == 0 {
		return chats, nil
	}
	members, err := c.members(ctx, "chats", "chat_members", "chat_id", tenantID, where, args...)
	if err != nil {
		return nil, c.d.Error(what, err)
	}
	for _, chat := range chats {
		chat.Members = members[chat.ID]
	}
	return chats, nil
}

// UserTeams lists the teams userID is a direct member of, with their
// members, ordered by createdDateTime, then id.
func (c Conn) UserTeams(ctx context.Context, tenantID, userID string) ([]*teamsops.Team, error) {
	return c.teams(ctx, "list joined teams", tenantID, `
		AND r.id IN (SELECT team_id FROM team_members WHERE tenant_id = $1 AND user_id = $2)`, userID)
}

// Teams lists every team of the tenant, with their members, ordered by
// createdDateTime, then id.
func (c Conn) Teams(ctx context.Context, tenantID string) ([]*teamsops.Team, error) {
	return c.teams(ctx, "list teams", tenantID, ``)
}

// teams reads the teams r of tenantID that where selects, as chats does
// chats.
func (c Conn) teams(ctx context.Context, what, tenantID, where string, args ...any) ([]*teamsops.Team, error) {
	teams := []*teamsops.Team{}
	err := c.q.Query(ctx, `SELECT r.id, r.display_name, r.description, r.is_archived, r.created_at,
			r.visibility, r.settings
		FROM teams r WHERE r.tenant_id = $1`+where+` ORDER BY r.created_at, r.id`, append([]any{tenantID}, args...), func(row Row) error {
		t := &teamsops.Team{TenantID: tenantID}
		var created int64
		if err := row.Scan(&t.ID, &t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings); err != nil {
			return err
		}
		t.CreatedDateTime = sqlfilter.DecodeTime(created)
		teams = append(teams, t)
		return nil
	})
	if err != nil {
		return nil, c.d.Error(what, err)
	}
	if len(teams) == 0 {
		return teams, nil
	}
	members, err := c.members(ctx, "teams", "team_members", "team_id", tenantID, where, args...)
	if err != nil {
		return nil, c.d.Error(what, err)
	}
	for _, t := range teams {
		t.Members = members[t.ID]
	}
	return teams, nil
}
