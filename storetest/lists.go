package storetest

import (
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// testUserChats: a user's chats are those listing the user, in
// createdDateTime then id order, with their members; tenants never mix.
func testUserChats(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	owner := func(id string) teamsops.Member { return teamsops.Member{UserID: id, Roles: []string{"owner"}} }
	first := chatOf(tenantA, "First", owner(user1), owner(user2))
	second := chatOf(tenantA, "Second", owner(user1), owner(user3))
	second.ID = chat2ID
	third := chatOf(tenantA, "Same time", owner(user2), owner(user3))
	third.ID, third.CreatedDateTime = "19:0@thread.v2", first.CreatedDateTime // sorts by id after first
	first.CreatedDateTime = second.CreatedDateTime.Add(-time.Hour)
	other := chatOf(tenantB, "Other tenant", owner(user1), owner(user2))
	for _, c := range []*teamsops.Chat{second, first, third, other} {
		must(t, s.CreateChat(ctx, c))
	}
	tests := []struct {
		tenant, user string
		want         []*teamsops.Chat
	}{
		{tenantA, user1, []*teamsops.Chat{first, second}},
		{tenantA, user2, []*teamsops.Chat{first, third}},
		{tenantA, user3, []*teamsops.Chat{third, second}},
		{tenantB, user1, []*teamsops.Chat{other}},
		{tenantB, user3, nil},
		{tenantC, user1, nil},
		{tenantA, "no-such-user", nil},
	}
	for _, tt := range tests {
		got, err := s.UserChats(ctx, tt.tenant, tt.user)
		must(t, err)
		if got == nil || len(got) != len(tt.want) {
			t.Errorf("chats of %s in %s: %d (%v), want %d", tt.user, tt.tenant[:4], len(got), got, len(tt.want))
			continue
		}
		for i := range got {
			wantChat(t, "chat", got[i], tt.want[i])
		}
	}
}

// testTeamLists: a user's joined teams and all of a tenant's teams, in
// createdDateTime then id order; a group without a team is no team.
func testTeamLists(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	a := teamOf(tenantA, "Alpha", owner, teamsops.Member{UserID: user2})
	b := teamOf(tenantA, "Beta", owner)
	b.ID, b.CreatedDateTime = groupID, a.CreatedDateTime.Add(-time.Minute)
	b.IsArchived, b.Settings = true, `{"funSettings":{"allowGiphy":false}}`
	c := teamOf(tenantB, "Other tenant", teamsops.Member{UserID: user2, Roles: []string{"owner"}})
	for _, team := range []*teamsops.Team{a, b, c} {
		must(t, s.CreateTeam(ctx, team))
	}
	must(t, s.CreateGroup(ctx, groupOf(tenantA, group2ID, "NoTeam", owner)))
	check := func(what string, got []*teamsops.Team, err error, want ...*teamsops.Team) {
		t.Helper()
		must(t, err)
		if got == nil || len(got) != len(want) {
			t.Errorf("%s: %d teams (%v), want %d", what, len(got), got, len(want))
			return
		}
		for i := range got {
			wantTeam(t, what, got[i], want[i])
		}
	}
	got, err := s.UserTeams(ctx, tenantA, user1)
	check("joined teams of user 1", got, err, b, a)
	got, err = s.UserTeams(ctx, tenantA, user2)
	check("joined teams of user 2", got, err, a)
	got, err = s.UserTeams(ctx, tenantA, user3)
	check("joined teams of user 3", got, err)
	got, err = s.UserTeams(ctx, tenantB, user2)
	check("joined teams in tenant B", got, err, c)
	got, err = s.Teams(ctx, tenantA)
	check("teams of tenant A", got, err, b, a)
	got, err = s.Teams(ctx, tenantC)
	check("teams of tenant C", got, err)
}
