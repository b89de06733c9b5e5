package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

const (
	groupID  = "71392b2f-1765-406e-86af-5907d9bdb2ab" // a group without a team
	group2ID = "9e2d7c1a-4b3f-4e5a-8c6d-0f1e2d3c4b5a" // a group whose team is not written yet
	channel1 = "19:00000000000000000000000000000001@thread.tacv2"
	channel2 = "19:00000000000000000000000000000002@thread.tacv2"
)

var (
	groupRef  = teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: groupID}
	group2Ref = teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: group2ID}
)

func groupOf(tenant, id, nickname string, members ...teamsops.Member) *teamsops.Group {
	return &teamsops.Group{
		ID: id, TenantID: tenant, DisplayName: "Group " + nickname, Description: nickname + " group",
		MailNickname: nickname, Visibility: "Private", CreatedDateTime: graphTime("2024-02-01T09:00:00.5Z"),
		Members: members,
	}
}

// wantGroup compares groups; the contract sets no order for members.
func wantGroup(t *testing.T, what string, got, want *teamsops.Group) {
	t.Helper()
	w := *want
	w.CreatedDateTime = want.CreatedDateTime.UTC() // stores answer in UTC
	wantWithMembers(t, what, got, &w, want.TenantID, func(g *teamsops.Group) *[]teamsops.Member { return &g.Members })
}

func testGroup(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	plain := teamsops.Member{UserID: user2}
	a := groupOf(tenantA, groupID, "Sales", owner, plain)
	must(t, s.CreateGroup(ctx, a))
	must(t, s.CreateGroup(ctx, a)) // idempotent
	got, err := s.Group(ctx, tenantA, groupID)
	must(t, err)
	wantGroup(t, "group", got, a)

	// The same id and nickname in tenant B are another group.
	b := groupOf(tenantB, groupID, "Sales", teamsops.Member{UserID: user3, Roles: []string{"owner"}})
	must(t, s.CreateGroup(ctx, b))
	got, err = s.GroupByMailNickname(ctx, tenantA, "sALES")
	must(t, err)
	wantGroup(t, "group by nickname, another case", got, a)
	got, err = s.GroupByMailNickname(ctx, tenantB, "Sales")
	must(t, err)
	wantGroup(t, "group of tenant B by nickname", got, b)
	_, err = s.GroupByMailNickname(ctx, tenantC, "Sales")
	wantCode(t, err, teamsops.ENOTFOUND, "Sales")
	_, err = s.GroupByMailNickname(ctx, tenantA, "")
	wantCode(t, err, teamsops.ENOTFOUND, "")

	// A nickname is unique in its tenant, ignoring case; groups without
	// one do not collide.
	taken := groupOf(tenantA, group2ID, "SALES")
	wantCode(t, s.CreateGroup(ctx, taken), teamsops.ECONFLICT, "")
	_, err = s.Group(ctx, tenantA, group2ID)
	wantCode(t, err, teamsops.ENOTFOUND, group2ID)
	for _, id := range []string{group2ID, teamID} {
		must(t, s.CreateGroup(ctx, groupOf(tenantA, id, "")))
	}

	// Creating again updates it and replaces its members.
	a.DisplayName, a.MailNickname, a.Visibility = "Renamed", "Renamed", "Public"
	a.Members = []teamsops.Member{{UserID: user3, Roles: []string{"owner"}}}
	a.CreatedDateTime = a.CreatedDateTime.In(time.FixedZone("CET", 3600))
	must(t, s.CreateGroup(ctx, a))
	got, err = s.Group(ctx, tenantA, groupID)
	must(t, err)
	wantGroup(t, "group after re-create", got, a)
	_, err = s.GroupByMailNickname(ctx, tenantA, "Sales")
	wantCode(t, err, teamsops.ENOTFOUND, "Sales")
	got, err = s.Group(ctx, tenantB, groupID)
	must(t, err)
	wantGroup(t, "tenant B's group after A's change", got, b)

	_, err = s.Group(ctx, tenantC, groupID)
	wantCode(t, err, teamsops.ENOTFOUND, groupID)
	_, err = s.Group(ctx, tenantA, teamID+"-missing")
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
}

func channelOf(tenant, id, name string, created string) *teamsops.Channel {
	return &teamsops.Channel{
		ID: id, TenantID: tenant, TeamID: teamID, DisplayName: name, Description: name + " channel",
		MembershipType: "standard", CreatedDateTime: graphTime(created),
	}
}

func testChannels(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	_, err := s.Channels(ctx, tenantA, teamID)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
	wantCode(t, s.CreateChannel(ctx, channelOf(tenantA, channel1, "General", "2024-03-04T10:00:00Z")), teamsops.EINVALID, "")

	must(t, s.CreateTeam(ctx, teamOf(tenantA, "Team A")))
	must(t, s.CreateTeam(ctx, teamOf(tenantB, "Team B")))
	got, err := s.Channels(ctx, tenantA, teamID)
	must(t, err)
	if got == nil || len(got) != 0 {
		t.Errorf("channels of a team without any = %#v, want an empty list", got)
	}

	// Listed by creation time, then id, whatever the order of writes.
	later := channelOf(tenantA, channel1, "Planning", "2024-03-05T10:00:00Z")
	general := channelOf(tenantA, channel2, "General", "2024-03-04T10:00:00.0000001Z")
	tie := channelOf(tenantA, channel1+"x", "Shared", "2024-03-05T10:00:00Z")
	tie.MembershipType, tie.IsFavoriteByDefault = "shared", true
	for _, ch := range []*teamsops.Channel{later, tie, general, later} {
		must(t, s.CreateChannel(ctx, ch))
	}
	other := channelOf(tenantB, channel1, "Tenant B's", "2024-01-01T00:00:00Z")
	must(t, s.CreateChannel(ctx, other))
	got, err = s.Channels(ctx, tenantA, teamID)
	must(t, err)
	wantEqual(t, "channels of team A", got, []*teamsops.Channel{general, later, tie})
	got, err = s.Channels(ctx, tenantB, teamID)
	must(t, err)
	wantEqual(t, "channels of team B", got, []*teamsops.Channel{other})

	// Archiving is an update.
	later.IsArchived = true
	must(t, s.CreateChannel(ctx, later))
	one, err := s.Channel(ctx, tenantA, teamID, channel1)
	must(t, err)
	wantEqual(t, "archived channel", one, later)
	one, err = s.Channel(ctx, tenantB, teamID, channel1)
	must(t, err)
	wantEqual(t, "tenant B's channel of the same id", one, other)

	_, err = s.Channel(ctx, tenantA, teamID, "19:missing@thread.tacv2")
	wantCode(t, err, teamsops.ENOTFOUND, "19:missing@thread.tacv2")
	_, err = s.Channel(ctx, tenantC, teamID, channel1)
	wantCode(t, err, teamsops.ENOTFOUND, channel1)
	_, err = s.Channel(ctx, tenantA, "another-team", channel1)
	wantCode(t, err, teamsops.ENOTFOUND, channel1)
}

// testGroupAccess: a group's facts come from the group; a team's also
// from its group, so a team being created is visible to its members.
func testGroupAccess(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createDirectory(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	must(t, s.CreateGroup(ctx, groupOf(tenantA, groupID, "sales", owner, teamsops.Member{UserID: user2})))
	must(t, s.CreateGroup(ctx, groupOf(tenantA, group2ID, "pending", teamsops.Member{UserID: user3, Roles: []string{"owner"}})))
	must(t, s.CreateGroup(ctx, groupOf(tenantA, teamID, "team", teamsops.Member{UserID: user3})))
	teamOfGroup2 := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: group2ID}
	tests := []struct {
		name   string
		tenant string
		ref    teamsops.ResourceRef
		user   string
		want   teamsops.ResourceAccess
	}{
		{"group owner", tenantA, groupRef, user1, teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
		{"group member", tenantA, groupRef, user2, teamsops.ResourceAccess{Exists: true, Member: true}},
		{"group non-member", tenantA, groupRef, user3, teamsops.ResourceAccess{Exists: true}},
		{"group of another tenant", tenantB, groupRef, user1, teamsops.ResourceAccess{}},
		{"a team is not a group", tenantA, teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: chatID}, user1, teamsops.ResourceAccess{}},
		{"team through its group only", tenantA, teamOfGroup2, user3, teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
		{"team through its group, non-member", tenantA, teamOfGroup2, user1, teamsops.ResourceAccess{Exists: true}},
		{"team member through team or group", tenantA, teamRef, user3, teamsops.ResourceAccess{Exists: true, Member: true}},
		{"team owner through the team", tenantA, teamRef, user1, teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
		{"group 2 as a group", tenantA, group2Ref, user3, teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Access(ctx, tt.tenant, tt.ref, tt.user, "")
			must(t, err)
			if len(got.Grants) == 0 {
				got.Grants = nil
			}
			slices.Sort(got.Grants)
			wantEqual(t, "access", got, tt.want)
		})
	}
}

// testTxReadsTeams reads, inside a transaction, the teams, groups,
// channels and installations it wrote.
func testTxReadsTeams(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	must(t, s.CreateTeamsApp(ctx, teamsApp(tenantA, appA)))
	team := teamOf(tenantA, "In a transaction", teamsops.Member{UserID: user1, Roles: []string{"owner"}})
	team.Visibility, team.Settings = teamsops.VisibilityPublic, `{"funSettings":{"allowGiphy":false}}`
	group := groupOf(tenantA, teamID, "tx", team.Members...)
	ch := channelOf(tenantA, channel1, "General", "2024-03-04T10:00:00Z")
	inst := install(tenantA, teamRef, "installation-t", appA)
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		_, err := tx.Team(ctx, tenantA, teamID)
		wantCode(t, err, teamsops.ENOTFOUND, teamID)
		_, err = tx.Group(ctx, tenantA, teamID)
		wantCode(t, err, teamsops.ENOTFOUND, teamID)
		must(t, tx.CreateGroup(ctx, group))
		must(t, tx.CreateTeam(ctx, team))
		must(t, tx.CreateChannel(ctx, ch))
		must(t, tx.CreateAppInstallation(ctx, inst))

		gotTeam, err := tx.Team(ctx, tenantA, teamID)
		must(t, err)
		wantTeam(t, "team read in its transaction", gotTeam, team)
		gotGroup, err := tx.Group(ctx, tenantA, teamID)
		must(t, err)
		wantGroup(t, "group read in its transaction", gotGroup, group)
		gotGroup, err = tx.GroupByMailNickname(ctx, tenantA, "TX")
		must(t, err)
		wantGroup(t, "group by nickname in its transaction", gotGroup, group)
		gotCh, err := tx.Channel(ctx, tenantA, teamID, channel1)
		must(t, err)
		wantEqual(t, "channel read in its transaction", gotCh, ch)
		chs, err := tx.Channels(ctx, tenantA, teamID)
		must(t, err)
		wantEqual(t, "channels read in its transaction", chs, []*teamsops.Channel{ch})
		installs, err := tx.AppInstallations(ctx, tenantA, teamRef)
		must(t, err)
		wantEqual(t, "installations read in its transaction", installs, []*teamsops.AppInstallation{inst})
		_, err = tx.Team(ctx, tenantB, teamID)
		wantCode(t, err, teamsops.ENOTFOUND, teamID)
		return nil
	}))
	got, err := s.Team(ctx, tenantA, teamID)
	must(t, err)
	wantTeam(t, "team after commit", got, team)
}
