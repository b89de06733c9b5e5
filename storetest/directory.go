package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func testTenant(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	_, err := s.Tenant(ctx, tenantA)
	wantCode(t, err, teamsops.ENOTFOUND, tenantA)

	createTenants(t, s)
	contoso := &teamsops.Tenant{ID: tenantA, DisplayName: "Contoso", VerifiedDomain: "contoso.onmicrosoft.com"}
	must(t, s.CreateTenant(ctx, contoso)) // an update
	got, err := s.Tenant(ctx, tenantA)
	must(t, err)
	wantEqual(t, "tenant A", got, contoso)
	got, err = s.Tenant(ctx, tenantB)
	must(t, err)
	wantEqual(t, "tenant B", got, &teamsops.Tenant{ID: tenantB, DisplayName: "Tenant 0a7d"})

	// Creating a user twice is an update, not a duplicate or an error.
	u := &teamsops.User{ID: user1, TenantID: tenantA, DisplayName: "Renamed", UserPrincipalName: "renamed@contoso.com"}
	must(t, s.CreateUser(ctx, u))
	must(t, s.CreateUser(ctx, u))
}

func chatOf(tenant, topic string, members ...teamsops.Member) *teamsops.Chat {
	return &teamsops.Chat{
		ID: chatID, TenantID: tenant, ChatType: "group", Topic: topic,
		CreatedDateTime: graphTime("2021-05-27T21:23:41.9085453Z"), Members: members,
	}
}

func testChat(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	plain := teamsops.Member{UserID: user2}
	chatA := chatOf(tenantA, "Planning", plain, owner)
	chatB := chatOf(tenantB, "Other tenant's chat", teamsops.Member{UserID: user3})
	must(t, s.CreateChat(ctx, chatA))
	must(t, s.CreateChat(ctx, chatB))
	must(t, s.CreateChat(ctx, chatA)) // idempotent

	got, err := s.Chat(ctx, tenantA, chatID)
	must(t, err)
	wantChat(t, "chat of tenant A", got, chatOf(tenantA, "Planning", plain, owner))
	got, err = s.Chat(ctx, tenantB, chatID)
	must(t, err)
	wantChat(t, "chat of tenant B", got, chatB)

	// Creating again replaces the member list.
	chatA.Members = []teamsops.Member{{UserID: user3}}
	chatA.Topic = "Renamed"
	chatA.CreatedDateTime = chatA.CreatedDateTime.Add(time.Hour)
	must(t, s.CreateChat(ctx, chatA))
	got, err = s.Chat(ctx, tenantA, chatID)
	must(t, err)
	wantChat(t, "chat after re-create", got, chatA)

	chatA.Members = nil
	must(t, s.CreateChat(ctx, chatA))
	got, err = s.Chat(ctx, tenantA, chatID)
	must(t, err)
	wantChat(t, "chat without members", got, chatA)

	// A user listed twice is one member, with the last entry's roles.
	twice := chatOf(tenantA, "Twice", teamsops.Member{UserID: user1}, plain, owner)
	twice.ID = chat2ID
	must(t, s.CreateChat(ctx, twice))
	got, err = s.Chat(ctx, tenantA, chat2ID)
	must(t, err)
	twice.Members = []teamsops.Member{plain, owner}
	wantChat(t, "chat with a user listed twice", got, twice)
	must(t, s.DeleteChat(ctx, tenantA, chat2ID))

	_, err = s.Chat(ctx, tenantC, chatID)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
	_, err = s.Chat(ctx, tenantA, chat2ID)
	wantCode(t, err, teamsops.ENOTFOUND, chat2ID)
	_, err = s.Chat(ctx, "no-such-tenant", chatID)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
}

func teamOf(tenant, name string, members ...teamsops.Member) *teamsops.Team {
	return &teamsops.Team{
		ID: teamID, TenantID: tenant, DisplayName: name, Description: name + " team",
		CreatedDateTime: graphTime("2024-03-04T10:00:00.1234567Z"), Members: members,
		Visibility: teamsops.VisibilityPrivate,
	}
}

func testTeam(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	plain := teamsops.Member{UserID: user2}
	teamA := teamOf(tenantA, "Contoso Marketing", owner, plain)
	must(t, s.CreateTeam(ctx, teamA))
	must(t, s.CreateTeam(ctx, teamA))

	got, err := s.Team(ctx, tenantA, teamID)
	must(t, err)
	wantTeam(t, "team", got, teamA)
	_, err = s.Team(ctx, tenantB, teamID)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)

	// The same id in tenant B is another team.
	teamB := teamOf(tenantB, "Fabrikam", teamsops.Member{UserID: user3, Roles: []string{"owner"}})
	must(t, s.CreateTeam(ctx, teamB))
	got, err = s.Team(ctx, tenantB, teamID)
	must(t, err)
	wantTeam(t, "team of tenant B", got, teamB)

	// Archiving through a re-create; the member list is replaced, and
	// visibility and settings are kept as written.
	teamA.IsArchived = true
	teamA.Visibility = teamsops.VisibilityPublic
	teamA.Settings = `{"memberSettings":{"allowCreateUpdateChannels":false}}`
	teamA.Members = []teamsops.Member{{UserID: user2, Roles: []string{"owner"}}, {UserID: user3}}
	teamA.CreatedDateTime = time.Date(2024, 3, 4, 12, 0, 0, 100, time.FixedZone("CET", 3600))
	must(t, s.CreateTeam(ctx, teamA))
	got, err = s.Team(ctx, tenantA, teamID)
	must(t, err)
	want := *teamA
	want.CreatedDateTime = teamA.CreatedDateTime.UTC() // stores answer in UTC
	wantTeam(t, "team after re-create", got, &want)
	got, err = s.Team(ctx, tenantB, teamID)
	must(t, err)
	wantTeam(t, "team of tenant B after A's change", got, teamB)
}

func testAppRegistration(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	const clientID = "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	a := &teamsops.AppRegistration{
		ClientID: clientID, TenantID: tenantA, DisplayName: "ops console",
		SecretHashes:    []string{"$2a$10$first", "$2a$10$second"},
		Roles:           []string{"Chat.Read.All", "Team.ReadBasic.All"},
		DelegatedScopes: []string{"Chat.Read", "Chat.Create"},
	}
	must(t, s.CreateAppRegistration(ctx, a))
	must(t, s.CreateAppRegistration(ctx, a))
	got, err := s.AppRegistration(ctx, tenantA, clientID)
	must(t, err)
	wantEqual(t, "app registration", got, a)

	_, err = s.AppRegistration(ctx, tenantB, clientID)
	wantCode(t, err, teamsops.ENOTFOUND, clientID)

	b := &teamsops.AppRegistration{ClientID: clientID, TenantID: tenantB, DisplayName: "no roles"}
	must(t, s.CreateAppRegistration(ctx, b))
	got, err = s.AppRegistration(ctx, tenantB, clientID)
	must(t, err)
	wantEqual(t, "app registration of tenant B", got, b)

	a.Roles, a.DelegatedScopes = nil, nil
	a.SecretHashes = []string{"$2a$10$rotated"}
	must(t, s.CreateAppRegistration(ctx, a))
	got, err = s.AppRegistration(ctx, tenantA, clientID)
	must(t, err)
	wantEqual(t, "app registration after update", got, a)
}

func grant(tenant string, ref teamsops.ResourceRef, id, app, typ, perm string) *teamsops.PermissionGrant {
	return &teamsops.PermissionGrant{ID: id, TenantID: tenant, Resource: ref, ClientAppID: app,
		ClientID: "sp-" + app, PermissionType: typ, Permission: perm}
}

func testPermissionGrants(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createDirectory(t, s)

	got, err := s.PermissionGrants(ctx, tenantA, chatRef)
	must(t, err)
	wantEqual(t, "grants on chat of tenant A", got, []*teamsops.PermissionGrant{
		grant(tenantA, chatRef, "grant-1", appRSC, "Application", "ChatSettings.Read.Chat"),
		grant(tenantA, chatRef, "grant-2", appRSC, "Application", "Chat.Manage.Chat"),
		grant(tenantA, chatRef, "grant-3", appRSC, "Delegated", "ChatMessage.Read.Chat"),
	})
	got, err = s.PermissionGrants(ctx, tenantB, chatRef)
	must(t, err)
	wantEqual(t, "grants on chat of tenant B", got, []*teamsops.PermissionGrant{
		grant(tenantB, chatRef, "grant-1", appRSC, "Application", "ChatSettings.ReadWrite.Chat"),
	})
	got, err = s.PermissionGrants(ctx, tenantA, teamRef)
	must(t, err)
	wantEqual(t, "grants on team", got, []*teamsops.PermissionGrant{
		grant(tenantA, teamRef, "grant-5", appRSC, "Application", "TeamSettings.Read.Group"),
	})
	got, err = s.PermissionGrants(ctx, tenantB, chat2Ref)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("grants on a chat without grants = %s, want none", show(got))
	}

	_, err = s.PermissionGrants(ctx, tenantB, teamRef)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
	_, err = s.PermissionGrants(ctx, tenantC, chatRef)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
}

// wantChat compares chats; the contract sets no order for members.
func wantChat(t *testing.T, what string, got, want *teamsops.Chat) {
	t.Helper()
	wantWithMembers(t, what, got, want, want.TenantID, func(c *teamsops.Chat) *[]teamsops.Member { return &c.Members })
}

// wantTeam compares teams; the contract sets no order for members.
func wantTeam(t *testing.T, what string, got, want *teamsops.Team) {
	t.Helper()
	wantWithMembers(t, what, got, want, want.TenantID, func(c *teamsops.Team) *[]teamsops.Member { return &c.Members })
}

// wantWithMembers compares a chat, team or group whose members the
// contract returns in no order: both sides' members are sorted, and want's
// get the names a store reads from each member's user. members points at
// the resource's member list.
func wantWithMembers[R any](t *testing.T, what string, got, want *R, tenant string, members func(*R) *[]teamsops.Member) {
	t.Helper()
	if got != nil {
		g := *got
		*members(&g) = sortedMembers(*members(got))
		got = &g
	}
	w := *want
	*members(&w) = sortedMembers(withUsers(tenant, *members(want)))
	wantEqual(t, what, got, &w)
}

// withUsers fills in the names a store reads from each member's user, as
// createTenants created them, where the test left them empty.
func withUsers(tenant string, ms []teamsops.Member) []teamsops.Member {
	ms = slices.Clone(ms)
	for i, m := range ms {
		if m.DisplayName == "" && m.Email == "" {
			u := userOf(tenant, m.UserID)
			ms[i].DisplayName, ms[i].Email = u.DisplayName, u.UserPrincipalName
		}
	}
	return ms
}

// sortedMembers orders members by user id; no members is nil.
func sortedMembers(ms []teamsops.Member) []teamsops.Member {
	if len(ms) == 0 {
		return nil
	}
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b teamsops.Member) int { return strings.Compare(a.UserID, b.UserID) })
	for i := range ms {
		if len(ms[i].Roles) == 0 {
			ms[i].Roles = nil
		}
	}
	return ms
}
