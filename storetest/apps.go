package storetest

import (
	"testing"

	"github.com/teamsops/teamsops"
)

const (
	appA = "1542629c-01b3-4a6d-8f76-1938b779e48d"
	appB = "2b2b2b2b-01b3-4a6d-8f76-1938b779e48d"
)

func teamsApp(tenant, id string) *teamsops.TeamsApp {
	return &teamsops.TeamsApp{ID: id, TenantID: tenant, ExternalID: "com.example." + id[:4], DisplayName: "App " + id[:4],
		ClientAppID: "client-" + id[:4]}
}

func install(tenant string, ref teamsops.ResourceRef, id, app string) *teamsops.AppInstallation {
	return &teamsops.AppInstallation{ID: id, TenantID: tenant, Resource: ref, TeamsAppID: app}
}

func testTeamsApp(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	a := teamsApp(tenantA, appA)
	must(t, s.CreateTeamsApp(ctx, a))
	must(t, s.CreateTeamsApp(ctx, a))
	got, err := s.TeamsApp(ctx, tenantA, appA)
	must(t, err)
	wantEqual(t, "Teams app", got, a)

	_, err = s.TeamsApp(ctx, tenantB, appA)
	wantCode(t, err, teamsops.ENOTFOUND, appA)
	_, err = s.TeamsApp(ctx, tenantA, appB)
	wantCode(t, err, teamsops.ENOTFOUND, appB)

	a.DisplayName, a.ClientAppID, a.ExternalID = "Renamed", "", ""
	must(t, s.CreateTeamsApp(ctx, a))
	got, err = s.TeamsApp(ctx, tenantA, appA)
	must(t, err)
	wantEqual(t, "Teams app after update", got, a)
}

func testAppInstallations(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createDirectory(t, s)
	for _, app := range []string{appA, appB} {
		must(t, s.CreateTeamsApp(ctx, teamsApp(tenantA, app)))
	}
	chatInstalls := []*teamsops.AppInstallation{
		install(tenantA, chatRef, "installation-1", appA),
		install(tenantA, chatRef, "installation-2", appB),
	}
	teamInstall := install(tenantA, teamRef, "installation-3", appA)
	for _, i := range []*teamsops.AppInstallation{chatInstalls[1], teamInstall, chatInstalls[0]} {
		must(t, s.CreateAppInstallation(ctx, i))
		must(t, s.CreateAppInstallation(ctx, i)) // same app, same id: no change
	}

	got, err := s.AppInstallations(ctx, tenantA, chatRef)
	must(t, err)
	wantEqual(t, "installations in the chat, by id", got, chatInstalls)
	got, err = s.AppInstallations(ctx, tenantA, teamRef)
	must(t, err)
	wantEqual(t, "installations in the team", got, []*teamsops.AppInstallation{teamInstall})
	for _, empty := range []struct {
		tenant string
		ref    teamsops.ResourceRef
	}{
		{tenantA, chat2Ref},
		{tenantA, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: teamID}}, // the team's id as a chat
		{tenantB, chatRef},
	} {
		got, err := s.AppInstallations(ctx, empty.tenant, empty.ref)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Errorf("installations in %+v of %s = %s, want an empty list", empty.ref, empty.tenant, show(got))
		}
	}

	_, err = s.AppInstallations(ctx, tenantB, teamRef)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
	_, err = s.AppInstallations(ctx, tenantC, chatRef)
	wantCode(t, err, teamsops.ENOTFOUND, chatID)
	_, err = s.AppInstallations(ctx, tenantA, teamsops.ResourceRef{Kind: "channels", ID: chatID})
	wantCode(t, err, teamsops.ENOTFOUND, "")

	// The same app in the same chat under another id is a second
	// installation, which Teams does not allow.
	err = s.CreateAppInstallation(ctx, install(tenantA, chatRef, "installation-4", appA))
	wantCode(t, err, teamsops.ECONFLICT, "")
	got, err = s.AppInstallations(ctx, tenantA, chatRef)
	must(t, err)
	wantEqual(t, "installations after a conflict", got, chatInstalls)
}

func testUser(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	want := userOf(tenantA, user2)
	for _, key := range []string{user2, "user2@b33c.example.com", "USER2@B33C.EXAMPLE.COM", "User2@b33C.Example.com"} {
		got, err := s.User(ctx, tenantA, key)
		must(t, err)
		wantEqual(t, "user by "+key, got, want)
	}
	got, err := s.User(ctx, tenantB, user2)
	must(t, err)
	wantEqual(t, "the same id in tenant B", got, userOf(tenantB, user2))

	for _, miss := range []struct{ tenant, key string }{
		{tenantB, "user2@b33c.example.com"}, // tenant A's name
		{tenantC, user2},
		{tenantA, "nobody@b33c.example.com"},
		{tenantA, "user2@b33c.example"},
	} {
		_, err := s.User(ctx, miss.tenant, miss.key)
		wantCode(t, err, teamsops.ENOTFOUND, miss.key)
	}
	// Mail and a disabled account read back.
	disabled := &teamsops.User{ID: user3, TenantID: tenantA, DisplayName: "Gone", UserPrincipalName: "gone@contoso.com",
		Mail: "gone@contoso.com", AccountDisabled: true}
	must(t, s.CreateUser(ctx, disabled))
	got, err = s.User(ctx, tenantA, user3)
	must(t, err)
	wantEqual(t, "disabled user", got, disabled)
	disabled.AccountDisabled, disabled.Mail = false, ""
	must(t, s.CreateUser(ctx, disabled))
	got, err = s.User(ctx, tenantA, user3)
	must(t, err)
	wantEqual(t, "enabled again", got, disabled)

	// A user without a principal name is not found by an empty one.
	must(t, s.CreateUser(ctx, &teamsops.User{ID: "no-upn", TenantID: tenantC}))
	_, err = s.User(ctx, tenantC, "")
	wantCode(t, err, teamsops.ENOTFOUND, "")
}

// Members carry their users' names, read when the chat or team is, so a
// renamed user shows under the new name.
func testMemberNames(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	must(t, s.CreateChat(ctx, chatOf(tenantA, "Chat", teamsops.Member{UserID: user1}, teamsops.Member{UserID: user3})))
	must(t, s.CreateTeam(ctx, teamOf(tenantA, "Team", teamsops.Member{UserID: user1, Roles: []string{"owner"}})))
	renamed := &teamsops.User{ID: user1, TenantID: tenantA, DisplayName: "Adele Vance", UserPrincipalName: "AdeleV@contoso.com"}
	must(t, s.CreateUser(ctx, renamed))
	adele := teamsops.Member{UserID: user1, DisplayName: "Adele Vance", Email: "AdeleV@contoso.com"}

	chat, err := s.Chat(ctx, tenantA, chatID)
	must(t, err)
	u3 := userOf(tenantA, user3)
	wantEqual(t, "chat members", sortedMembers(chat.Members), []teamsops.Member{
		{UserID: user3, DisplayName: u3.DisplayName, Email: u3.UserPrincipalName}, adele,
	})
	team, err := s.Team(ctx, tenantA, teamID)
	must(t, err)
	adele.Roles = []string{"owner"}
	wantEqual(t, "team members", sortedMembers(team.Members), []teamsops.Member{adele})
}
