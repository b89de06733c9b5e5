package sqlstore

import (
	"context"
	"fmt"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// UserChats lists the chats userID is a member of, with their members,
// ordered by createdDateTime, then id.
func (c Conn) UserChats(ctx context.Context, tenantID, userID string) ([]*teamsops.Chat, error) {
	chats := []*teamsops.Chat{}
	err := c.q.Query(ctx, `SELECT r.id, r.chat_type, r.topic, r.created_at, `+c.d.Members("chat_members", "chat_id")+`
		FROM chats r JOIN chat_members u ON u.tenant_id = r.tenant_id AND u.chat_id = r.id
		WHERE r.tenant_id = $1 AND u.user_id = $2
		ORDER BY r.created_at, r.id`, []any{tenantID, userID}, func(row Row) error {
		chat := &teamsops.Chat{TenantID: tenantID}
		var created int64
		var members string
		if err := row.Scan(&chat.ID, &chat.ChatType, &chat.Topic, &created, &members); err != nil {
			return err
		}
		chat.CreatedDateTime = sqlfilter.DecodeTime(created)
		var err error
		if chat.Members, err = decodeMembers(members); err != nil {
			return fmt.Errorf("members of chat %s: %w", chat.ID, err)
		}
		chats = append(chats, chat)
		return nil
	})
	if err != nil {
		return nil, c.d.Error("list chats", err)
	}
	return chats, nil
}

// teamListColumns are the columns scanTeam reads.
func (c Conn) teamListColumns() string {
	return `r.id, r.display_name, r.description, r.is_archived, r.created_at, r.visibility, r.settings, ` +
		c.d.Members("team_members", "team_id")
}

// UserTeams lists the teams userID is a direct member of, with their
// members, ordered by createdDateTime, then id.
func (c Conn) UserTeams(ctx context.Context, tenantID, userID string) ([]*teamsops.Team, error) {
	return c.teams(ctx, "list joined teams", tenantID, `SELECT `+c.teamListColumns()+`
		FROM teams r JOIN team_members j ON j.tenant_id = r.tenant_id AND j.team_id = r.id
		WHERE r.tenant_id = $1 AND j.user_id = $2
		ORDER BY r.created_at, r.id`, tenantID, userID)
}

// Teams lists every team of the tenant, with their members, ordered by
// createdDateTime, then id.
func (c Conn) Teams(ctx context.Context, tenantID string) ([]*teamsops.Team, error) {
	return c.teams(ctx, "list teams", tenantID, `SELECT `+c.teamListColumns()+`
		FROM teams r WHERE r.tenant_id = $1 ORDER BY r.created_at, r.id`, tenantID)
}

// teams runs a query of teamListColumns on the teams of tenantID.
func (c Conn) teams(ctx context.Context, what, tenantID, query string, args ...any) ([]*teamsops.Team, error) {
	teams := []*teamsops.Team{}
	err := c.q.Query(ctx, query, args, func(row Row) error {
		t := &teamsops.Team{TenantID: tenantID}
		var created int64
		var members string
		if err := row.Scan(&t.ID, &t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings, &members); err != nil {
			return err
		}
		t.CreatedDateTime = sqlfilter.DecodeTime(created)
		var err error
		if t.Members, err = decodeMembers(members); err != nil {
			return fmt.Errorf("members of team %s: %w", t.ID, err)
		}
		teams = append(teams, t)
		return nil
	})
	if err != nil {
		return nil, c.d.Error(what, err)
	}
	return teams, nil
}
