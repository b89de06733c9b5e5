package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// UserChats lists the chats userID is a member of, with their members,
// ordered by createdDateTime, then id.
func (s *Store) UserChats(ctx context.Context, tenantID, userID string) ([]*teamsops.Chat, error) {
	rows, err := s.pool.Query(ctx, `SELECT r.id, r.chat_type, r.topic, r.created_at, `+membersJSON("chat_members", "chat_id")+`
		FROM chats r JOIN chat_members u ON u.tenant_id = r.tenant_id AND u.chat_id = r.id
		WHERE r.tenant_id = $1 AND u.user_id = $2
		ORDER BY r.created_at, r.id`, tenantID, userID)
	if err != nil {
		return nil, storeError("list chats", err)
	}
	defer rows.Close()
	chats := []*teamsops.Chat{}
	for rows.Next() {
		c := &teamsops.Chat{TenantID: tenantID}
		var created int64
		var ms []memberRow
		if err := rows.Scan(&c.ID, &c.ChatType, &c.Topic, &created, &ms); err != nil {
			return nil, storeError("list chats", err)
		}
		c.CreatedDateTime, c.Members = sqlfilter.DecodeTime(created), members(ms)
		chats = append(chats, c)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("list chats", err)
	}
	return chats, nil
}

var teamListColumns = `r.id, r.display_name, r.description, r.is_archived, r.created_at, r.visibility, r.settings, ` +
	membersJSON("team_members", "team_id")

// UserTeams lists the teams userID is a direct member of, with their
// members, ordered by createdDateTime, then id.
func (s *Store) UserTeams(ctx context.Context, tenantID, userID string) ([]*teamsops.Team, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+teamListColumns+`
		FROM teams r JOIN team_members j ON j.tenant_id = r.tenant_id AND j.team_id = r.id
		WHERE r.tenant_id = $1 AND j.user_id = $2
		ORDER BY r.created_at, r.id`, tenantID, userID)
	if err != nil {
		return nil, storeError("list joined teams", err)
	}
	return scanTeams(rows, tenantID)
}

// Teams lists every team of the tenant, with their members, ordered by
// createdDateTime, then id.
func (s *Store) Teams(ctx context.Context, tenantID string) ([]*teamsops.Team, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+teamListColumns+`
		FROM teams r WHERE r.tenant_id = $1 ORDER BY r.created_at, r.id`, tenantID)
	if err != nil {
		return nil, storeError("list teams", err)
	}
	return scanTeams(rows, tenantID)
}

func scanTeams(rows pgx.Rows, tenantID string) ([]*teamsops.Team, error) {
	defer rows.Close()
	teams := []*teamsops.Team{}
	for rows.Next() {
		t := &teamsops.Team{TenantID: tenantID}
		var created int64
		var ms []memberRow
		if err := rows.Scan(&t.ID, &t.DisplayName, &t.Description, &t.IsArchived, &created, &t.Visibility, &t.Settings, &ms); err != nil {
			return nil, storeError("list teams", err)
		}
		t.CreatedDateTime, t.Members = sqlfilter.DecodeTime(created), members(ms)
		teams = append(teams, t)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("list teams", err)
	}
	return teams, nil
}
