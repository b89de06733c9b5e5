package storetest

import (
	"errors"
	"testing"

	"github.com/teamsops/teamsops"
)

// The deletes an edited tenant file needs, the record of what a file
// declared, DeleteTenant and the instance's public URL.

const (
	clientApp = "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	opChat    = "op-on-chat"
	opChat2   = "op-on-chat-2"
	opTeam    = "op-on-team"
)

var group2Members = []teamsops.Member{{UserID: user1, Roles: []string{"owner"}}, {UserID: user2}}

// fillTenant gives tenant (one of createTenants') one of everything: an
// app registration, a Teams app, a group with its team, a channel, a chat,
// installations, grants and operations, all under the same ids in every
// tenant.
func fillTenant(t *testing.T, s teamsops.Store, tenant string) {
	t.Helper()
	ctx := t.Context()
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	plain := teamsops.Member{UserID: user2}
	must(t, s.CreateAppRegistration(ctx, &teamsops.AppRegistration{ClientID: clientApp, TenantID: tenant, DisplayName: "console"}))
	must(t, s.CreateTeamsApp(ctx, teamsApp(tenant, appA)))
	must(t, s.CreateGroup(ctx, groupOf(tenant, teamID, "team", owner, plain)))
	must(t, s.CreateGroup(ctx, groupOf(tenant, group2ID, "other", group2Members...)))
	must(t, s.CreateTeam(ctx, teamOf(tenant, "Team", owner, plain)))
	ch := channelOf(tenant, channel1, "General", "2024-03-04T10:00:00Z")
	must(t, s.CreateChannel(ctx, ch))
	must(t, s.CreateChat(ctx, chatOf(tenant, "Chat", owner, plain)))
	must(t, s.CreateChat(ctx, &teamsops.Chat{ID: chat2ID, TenantID: tenant, ChatType: "group", Members: []teamsops.Member{owner, {UserID: user3}}}))
	for _, ref := range []teamsops.ResourceRef{chatRef, chat2Ref, teamRef} {
		must(t, s.CreateAppInstallation(ctx, install(tenant, ref, "install-"+ref.ID, appA)))
	}
	must(t, s.CreatePermissionGrant(ctx, grant(tenant, chatRef, "grant-chat", clientApp, "Application", "ChatSettings.Read.Chat")))
	must(t, s.CreatePermissionGrant(ctx, grant(tenant, chat2Ref, "grant-chat-2", clientApp, "Application", "Chat.Manage.Chat")))
	must(t, s.CreatePermissionGrant(ctx, grant(tenant, teamRef, "grant-team", clientApp, "Application", "TeamSettings.Read.Group")))
	for _, op := range []*teamsops.Operation{operationOn(tenant, chatRef, opChat), operationOn(tenant, chatRef, opChat2), operationOn(tenant, teamRef, opTeam)} {
		op.Origin = origin
		must(t, s.CreateOperation(ctx, op))
		must(t, s.UpdateOperation(ctx, op)) // a second transition
	}
	must(t, s.CreateFaultRule(ctx, failRule(tenant, "rule-filled", clientApp, teamsops.OperationTypeCreateTeam)))
}

func operationOn(tenant string, ref teamsops.ResourceRef, id string) *teamsops.Operation {
	op := seedOperation(tenant)
	op.ID, op.Resource = id, ref
	return op
}

// checkFilled checks that fillTenant's entities are all in tenant.
func checkFilled(t *testing.T, s teamsops.Store, tenant string) {
	t.Helper()
	ctx := t.Context()
	for _, read := range []struct {
		what string
		err  error
	}{
		{"app registration", second(s.AppRegistration(ctx, tenant, clientApp))},
		{"Teams app", second(s.TeamsApp(ctx, tenant, appA))},
		{"group", second(s.Group(ctx, tenant, teamID))},
		{"team", second(s.Team(ctx, tenant, teamID))},
		{"channel", second(s.Channel(ctx, tenant, teamID, channel1))},
		{"chat", second(s.Chat(ctx, tenant, chatID))},
		{"user", second(s.User(ctx, tenant, user1))},
		{"operation", second(s.OperationByID(ctx, tenant, opChat))},
	} {
		if read.err != nil {
			t.Errorf("tenant %s: %s: %v", tenant[:4], read.what, read.err)
		}
	}
	if rules, err := s.FaultRules(ctx, tenant, clientApp); err != nil || len(rules) != 1 {
		t.Errorf("tenant %s: fault rules: %v, %v", tenant[:4], rules, err)
	}
	if h, err := s.OperationHistory(ctx, tenant, opTeam); err != nil || len(h.Transitions) != 2 || h.Origin == nil {
		t.Errorf("tenant %s: history of %s: %+v, %v", tenant[:4], opTeam, h, err)
	}
	if ops, err := s.SearchOperations(ctx, teamsops.OperationSearch{TenantID: tenant}); err != nil || len(ops) != 3 {
		t.Errorf("tenant %s: search of its operations: %d, %v", tenant[:4], len(ops), err)
	}
	for _, ref := range []teamsops.ResourceRef{chatRef, chat2Ref, teamRef} {
		if installs, err := s.AppInstallations(ctx, tenant, ref); err != nil || len(installs) != 1 {
			t.Errorf("tenant %s: installations in %s: %v, %v", tenant[:4], ref.ID, installs, err)
		}
		if grants, err := s.PermissionGrants(ctx, tenant, ref); err != nil || len(grants) != 1 {
			t.Errorf("tenant %s: grants on %s: %v, %v", tenant[:4], ref.ID, grants, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func testDeletes(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	fillTenant(t, s, tenantA)
	fillTenant(t, s, tenantB)
	checkFilled(t, s, tenantA)

	must(t, s.DeleteOperation(ctx, tenantA, opChat))
	_, err := s.OperationByID(ctx, tenantA, opChat)
	wantCode(t, err, teamsops.ENOTFOUND, opChat)

	must(t, s.DeletePermissionGrant(ctx, tenantA, "grant-chat"))
	must(t, s.DeleteAppInstallation(ctx, tenantA, "install-"+chatID))
	wantNoAppsOn(t, s, tenantA, chatRef, "after deleting them")

	// A chat goes with its members, installations and grants; its
	// operations stay.
	must(t, s.DeleteChat(ctx, tenantA, chat2ID))
	_, err = s.Chat(ctx, tenantA, chat2ID)
	wantCode(t, err, teamsops.ENOTFOUND, chat2ID)
	if a, err := s.Access(ctx, tenantA, chat2Ref, user1, clientApp); err != nil || a.Exists || a.Grants != nil {
		t.Errorf("access to a deleted chat: %+v, %v", a, err)
	}
	_, err = s.OperationByID(ctx, tenantA, opChat2)
	must(t, err)

	// A channel; then a team with its channels, installations and grants,
	// but not its group nor its operations.
	must(t, s.DeleteChannel(ctx, tenantA, teamID, channel1))
	_, err = s.Channel(ctx, tenantA, teamID, channel1)
	wantCode(t, err, teamsops.ENOTFOUND, channel1)
	must(t, s.CreateChannel(ctx, channelOf(tenantA, channel2, "Other", "2024-03-04T10:00:00Z")))
	must(t, s.DeleteTeam(ctx, tenantA, teamID))
	_, err = s.Team(ctx, tenantA, teamID)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
	_, err = s.Channel(ctx, tenantA, teamID, channel2)
	wantCode(t, err, teamsops.ENOTFOUND, channel2)
	_, err = s.Group(ctx, tenantA, teamID)
	must(t, err)
	_, err = s.OperationByID(ctx, tenantA, opTeam)
	must(t, err)
	must(t, s.DeleteGroup(ctx, tenantA, teamID))
	_, err = s.Group(ctx, tenantA, teamID)
	wantCode(t, err, teamsops.ENOTFOUND, teamID)
	// Tenant B shares every id and kept everything.
	checkFilled(t, s, tenantB)
}

// testDeleteDirectory deletes apps and users: a Teams app goes with its
// installations, an app registration with its grants and fault rules, a
// user with its memberships.
func testDeleteDirectory(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	fillTenant(t, s, tenantA)
	fillTenant(t, s, tenantB)
	must(t, s.DeleteChat(ctx, tenantA, chat2ID))
	must(t, s.CreateChat(ctx, &teamsops.Chat{ID: chat2ID, TenantID: tenantA, ChatType: "group",
		Members: []teamsops.Member{{UserID: user1}, {UserID: user2}}}))
	must(t, s.CreateAppInstallation(ctx, install(tenantA, chat2Ref, "install-again", appA)))
	must(t, s.CreatePermissionGrant(ctx, grant(tenantA, chat2Ref, "grant-again", clientApp, "Application", "Chat.Manage.Chat")))
	for _, r := range []*teamsops.FaultRule{failRule(tenantA, "rule-of-app", clientApp, ""), failRule(tenantA, "rule-of-other", botApp, "")} {
		must(t, s.CreateFaultRule(ctx, r))
	}
	must(t, s.DeleteTeamsApp(ctx, tenantA, appA))
	_, err := s.TeamsApp(ctx, tenantA, appA)
	wantCode(t, err, teamsops.ENOTFOUND, appA)
	must(t, s.DeleteAppRegistration(ctx, tenantA, clientApp))
	_, err = s.AppRegistration(ctx, tenantA, clientApp)
	wantCode(t, err, teamsops.ENOTFOUND, clientApp)
	if rules, err := s.FaultRules(ctx, tenantA, ""); err != nil || len(rules) != 1 || rules[0].ID != "rule-of-other" {
		t.Errorf("fault rules after deleting their app: %v, %v", rules, err)
	}
	wantNoAppsOn(t, s, tenantA, chat2Ref, "after deleting the apps")
	must(t, s.DeleteUser(ctx, tenantA, user1))
	_, err = s.User(ctx, tenantA, user1)
	wantCode(t, err, teamsops.ENOTFOUND, user1)
	chat, err := s.Chat(ctx, tenantA, chat2ID)
	must(t, err)
	group, err := s.Group(ctx, tenantA, group2ID)
	must(t, err)
	if len(chat.Members) != 1 || chat.Members[0].UserID != user2 || len(group.Members) != 1 || group.Members[0].UserID != user2 {
		t.Errorf("memberships after deleting user 1: chat %+v, group %+v", chat.Members, group.Members)
	}

	// Deleting what is not there changes nothing.
	for _, del := range []error{
		s.DeleteUser(ctx, tenantA, user1), s.DeleteChat(ctx, tenantC, chatID), s.DeleteTeam(ctx, "no-tenant", teamID),
		s.DeleteOperation(ctx, tenantA, "no-such-operation"), s.DeletePermissionGrant(ctx, tenantA, "no-such-grant"),
	} {
		must(t, del)
	}
	checkFilled(t, s, tenantB)
	if g, err := s.Group(ctx, tenantB, group2ID); err != nil || len(g.Members) != 2 {
		t.Errorf("tenant B's group: %+v, %v", g, err)
	}
}

func declared(kind teamsops.DeclaredKind, parent teamsops.ResourceRef, id, digest string) teamsops.Declared {
	return teamsops.Declared{Kind: kind, Parent: parent, ID: id, Digest: digest}
}

func testDeclared(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	got, err := s.Declared(ctx, tenantA)
	must(t, err)
	if len(got) != 0 {
		t.Errorf("declared before any file: %v", got)
	}
	// Written out of order, read in the order of DeclaredKinds.
	all := []teamsops.Declared{
		declared(teamsops.DeclaredOperation, chatRef, opChat, "d1"),
		declared(teamsops.DeclaredChannel, teamRef, channel2, "d2"),
		declared(teamsops.DeclaredChannel, teamRef, channel1, "d3"),
		declared(teamsops.DeclaredUser, teamsops.ResourceRef{}, user2, "d4"),
		declared(teamsops.DeclaredUser, teamsops.ResourceRef{}, user1, "d5"),
		declared(teamsops.DeclaredChat, teamsops.ResourceRef{}, chatID, "d6"),
	}
	must(t, s.SetDeclared(ctx, tenantA, all))
	must(t, s.SetDeclared(ctx, tenantB, all[:1]))
	got, err = s.Declared(ctx, tenantA)
	must(t, err)
	wantEqual(t, "declared", got, []teamsops.Declared{all[3], all[4], all[2], all[1], all[5], all[0]})

	// A later file replaces the record; other tenants keep theirs.
	must(t, s.SetDeclared(ctx, tenantA, all[3:4]))
	got, err = s.Declared(ctx, tenantA)
	must(t, err)
	wantEqual(t, "declared after a second file", got, all[3:4])
	got, err = s.Declared(ctx, tenantB)
	must(t, err)
	wantEqual(t, "tenant B's", got, all[:1])

	// Inside a transaction, reads see its writes.
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		if err := tx.SetDeclared(ctx, tenantA, nil); err != nil {
			return err
		}
		got, err := tx.Declared(ctx, tenantA)
		if err == nil && len(got) != 0 {
			t.Errorf("declared inside the transaction: %v", got)
		}
		return err
	}))
}

// wantNoAppsOn fails unless a resource has neither app installations nor
// permission grants left.
func wantNoAppsOn(t *testing.T, s teamsops.Store, tenant string, ref teamsops.ResourceRef, when string) {
	t.Helper()
	grants, err := s.PermissionGrants(t.Context(), tenant, ref)
	must(t, err)
	installs, err := s.AppInstallations(t.Context(), tenant, ref)
	must(t, err)
	if len(grants) != 0 || len(installs) != 0 {
		t.Errorf("%s: grants %v, installations %v", when, grants, installs)
	}
}

// deleteTenantRolledBack deletes a tenant in a transaction that then
// fails, so that the caller can check the deletion left nothing behind.
func deleteTenantRolledBack(t *testing.T, s teamsops.Store, tenant string) {
	t.Helper()
	ctx := t.Context()
	failed := errors.New("changed my mind")
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		if err := tx.DeleteTenant(ctx, tenant); err != nil {
			return err
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("Update = %v, want %v", err, failed)
	}
}

func testDeleteTenant(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	fillTenant(t, s, tenantA)
	fillTenant(t, s, tenantB)
	for _, tenant := range []string{tenantA, tenantB} {
		must(t, s.SetDeclared(ctx, tenant, []teamsops.Declared{declared(teamsops.DeclaredUser, teamsops.ResourceRef{}, user1, "d")}))
	}

	// A transaction that fails deletes nothing.
	deleteTenantRolledBack(t, s, tenantA)
	checkFilled(t, s, tenantA)

	w := watch(t, s)
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		if err := tx.DeleteTenant(ctx, tenantA); err != nil {
			return err
		}
		_, err := tx.Chat(ctx, tenantA, chatID)
		wantCode(t, err, teamsops.ENOTFOUND, chatID)
		return nil
	}))
	w.await(t, "the tenant's deletion", func(c teamsops.Change) bool {
		return c.Kind == teamsops.ChangeTenant && c.TenantID == tenantA
	})
	wantTenantGone(t, s, tenantA)
	if got, err := s.Declared(ctx, tenantA); err != nil || len(got) != 0 {
		t.Errorf("declared after the tenant's deletion: %v, %v", got, err)
	}
	checkFilled(t, s, tenantB)
	if got, err := s.Declared(ctx, tenantB); err != nil || len(got) != 1 {
		t.Errorf("tenant B's declared: %v, %v", got, err)
	}

	// The tenant can be made again, from nothing.
	must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: tenantA}))
	for _, id := range []string{user1, user2, user3} {
		must(t, s.CreateUser(ctx, userOf(tenantA, id)))
	}
	fillTenant(t, s, tenantA)
	checkFilled(t, s, tenantA)
}

// wantTenantGone checks that nothing of fillTenant's is left in tenant.
func wantTenantGone(t *testing.T, s teamsops.Store, tenant string) {
	t.Helper()
	ctx := t.Context()
	for _, err := range []error{
		second(s.Tenant(ctx, tenant)), second(s.User(ctx, tenant, user1)),
		second(s.AppRegistration(ctx, tenant, clientApp)), second(s.TeamsApp(ctx, tenant, appA)),
		second(s.Group(ctx, tenant, group2ID)), second(s.Team(ctx, tenant, teamID)),
		second(s.Channels(ctx, tenant, teamID)), second(s.Chat(ctx, tenant, chatID)),
		second(s.OperationByID(ctx, tenant, opTeam)), second(s.PermissionGrants(ctx, tenant, chatRef)),
		second(s.AppInstallations(ctx, tenant, teamRef)),
	} {
		wantCode(t, err, teamsops.ENOTFOUND, "")
	}
	for _, id := range []string{opChat, opChat2, opTeam} {
		if h, err := s.OperationHistory(ctx, tenant, id); err != nil || len(h.Transitions) != 0 || h.Origin != nil {
			t.Errorf("history of %s after the tenant's deletion: %+v, %v", id, h, err)
		}
	}
	if ops, err := s.SearchOperations(ctx, teamsops.OperationSearch{TenantID: tenant}); err != nil || len(ops) != 0 {
		t.Errorf("operations found after the tenant's deletion: %d, %v", len(ops), err)
	}
	if rules, err := s.FaultRules(ctx, tenant, ""); err != nil || len(rules) != 0 {
		t.Errorf("fault rules of a deleted tenant: %v, %v", rules, err)
	}
}

func testPublicURL(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	got, err := s.PublicURL(ctx)
	must(t, err)
	if got != "" {
		t.Errorf("public URL before any server: %q", got)
	}
	for _, url := range []string{"http://127.0.0.1:8080", "https://teamsops.example"} {
		must(t, s.SetPublicURL(ctx, url))
		got, err := s.PublicURL(ctx)
		must(t, err)
		if got != url {
			t.Errorf("public URL = %q, want %q", got, url)
		}
	}
}
