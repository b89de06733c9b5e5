package storetest

import (
	"slices"
	"testing"

	"github.com/teamsops/teamsops"
)

const (
	appRSC   = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10" // holds RSC grants on the chat and team
	appOther = "5e5e5e5e-1c6b-4b0c-9f0c-7c2a3d8e9b10" // holds a grant on chat 2 only
	appNone  = "9a9a9a9a-1c6b-4b0c-9f0c-7c2a3d8e9b10" // holds no grants
)

// createDirectory builds the directory the access and grant tests read.
//
// Tenant A: chat (user1 owner, user2), chat 2 (user3 guest), team (user1 owner,
// user2), and a chat whose id is the team's id, to catch grants leaking
// across resource kinds. Tenant B: chat (user3), chat 2 (nobody), no team.
func createDirectory(t *testing.T, s teamsops.Store) {
	t.Helper()
	ctx := t.Context()
	createTenants(t, s)
	owner := teamsops.Member{UserID: user1, Roles: []string{"owner"}}
	plain := teamsops.Member{UserID: user2}
	chats := []*teamsops.Chat{
		chatOf(tenantA, "A", owner, plain),
		{ID: chat2ID, TenantID: tenantA, ChatType: "oneOnOne", Members: []teamsops.Member{{UserID: user3, Roles: []string{"guest"}}}},
		{ID: teamID, TenantID: tenantA, ChatType: "group"},
		chatOf(tenantB, "B", teamsops.Member{UserID: user3}),
		{ID: chat2ID, TenantID: tenantB, ChatType: "group"},
	}
	for _, c := range chats {
		must(t, s.CreateChat(ctx, c))
	}
	must(t, s.CreateTeam(ctx, teamOf(tenantA, "Team", owner, plain)))
	teamIDAsChat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: teamID}
	grants := []*teamsops.PermissionGrant{
		grant(tenantA, chatRef, "grant-2", appRSC, "Application", "Chat.Manage.Chat"),
		grant(tenantA, chatRef, "grant-1", appRSC, "Application", "ChatSettings.Read.Chat"),
		grant(tenantA, chatRef, "grant-3", appRSC, "Delegated", "ChatMessage.Read.Chat"),
		grant(tenantA, chat2Ref, "grant-4", appOther, "Application", "ChatSettings.ReadWrite.Chat"),
		grant(tenantA, teamRef, "grant-5", appRSC, "Application", "TeamSettings.Read.Group"),
		grant(tenantA, teamIDAsChat, "grant-6", appRSC, "Application", "ChatSettings.ReadWrite.Chat"),
		grant(tenantB, chatRef, "grant-1", appRSC, "Application", "ChatSettings.ReadWrite.Chat"),
	}
	for _, g := range grants {
		must(t, s.CreatePermissionGrant(ctx, g))
		must(t, s.CreatePermissionGrant(ctx, g)) // idempotent
	}
}

func testAccess(t *testing.T, s teamsops.Store) {
	createDirectory(t, s)
	// An operation on each resource, for OperationWithAccess.
	for _, o := range []struct {
		tenant string
		ref    teamsops.ResourceRef
	}{{tenantA, chatRef}, {tenantA, teamRef}, {tenantB, chatRef}, {tenantA, chat2Ref}} {
		op := seedOperation(o.tenant)
		op.ID, op.Resource = "op-"+string(o.ref.Kind)+"-"+o.ref.ID, o.ref
		must(t, s.CreateOperation(t.Context(), op))
	}
	missingChat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "19:missing@thread.v2"}
	tests := []struct {
		name   string
		tenant string
		ref    teamsops.ResourceRef
		user   string
		app    string
		want   teamsops.ResourceAccess
	}{
		{"missing chat", tenantA, missingChat, user1, appRSC, teamsops.ResourceAccess{}},
		{"chat of another tenant", tenantC, chatRef, user1, appRSC, teamsops.ResourceAccess{}},
		{"team of another tenant", tenantB, teamRef, user1, appRSC, teamsops.ResourceAccess{}},
		{"unknown tenant", "no-such-tenant", chatRef, user1, appRSC, teamsops.ResourceAccess{}},
		{"chat, nobody", tenantA, chatRef, "", "", teamsops.ResourceAccess{Exists: true}},
		{"chat owner", tenantA, chatRef, user1, "", teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
		{"chat member", tenantA, chatRef, user2, "", teamsops.ResourceAccess{Exists: true, Member: true}},
		{"chat non-member", tenantA, chatRef, user3, "", teamsops.ResourceAccess{Exists: true}},
		{"unknown user", tenantA, chatRef, "someone-else", "", teamsops.ResourceAccess{Exists: true}},
		{"member in tenant B only", tenantB, chatRef, user3, "", teamsops.ResourceAccess{Exists: true, Member: true}},
		{"member of A, not of B's chat", tenantB, chatRef, user1, "", teamsops.ResourceAccess{Exists: true}},
		{"app with application grants, delegated left out", tenantA, chatRef, "", appRSC,
			teamsops.ResourceAccess{Exists: true, Grants: []string{"Chat.Manage.Chat", "ChatSettings.Read.Chat"}}},
		{"member and app together", tenantA, chatRef, user2, appRSC,
			teamsops.ResourceAccess{Exists: true, Member: true, Grants: []string{"Chat.Manage.Chat", "ChatSettings.Read.Chat"}}},
		{"app without grants", tenantA, chatRef, "", appNone, teamsops.ResourceAccess{Exists: true}},
		{"grants of another app", tenantA, chatRef, "", appOther, teamsops.ResourceAccess{Exists: true}},
		{"grants on another chat", tenantA, chat2Ref, "", appRSC, teamsops.ResourceAccess{Exists: true}},
		{"the other app's own chat", tenantA, chat2Ref, user3, appOther,
			teamsops.ResourceAccess{Exists: true, Member: true, Grants: []string{"ChatSettings.ReadWrite.Chat"}}},
		{"same app in tenant B", tenantB, chatRef, "", appRSC,
			teamsops.ResourceAccess{Exists: true, Grants: []string{"ChatSettings.ReadWrite.Chat"}}},
		{"team owner", tenantA, teamRef, user1, "", teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}},
		{"team member", tenantA, teamRef, user2, "", teamsops.ResourceAccess{Exists: true, Member: true}},
		{"team non-member", tenantA, teamRef, user3, "", teamsops.ResourceAccess{Exists: true}},
		{"team grants, not those of a chat with its id", tenantA, teamRef, "", appRSC,
			teamsops.ResourceAccess{Exists: true, Grants: []string{"TeamSettings.Read.Group"}}},
		{"unknown resource kind", tenantA, teamsops.ResourceRef{Kind: "channels", ID: chatID}, user1, appRSC,
			teamsops.ResourceAccess{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Access(t.Context(), tt.tenant, tt.ref, tt.user, tt.app)
			must(t, err)
			if len(got.Grants) == 0 {
				got.Grants = nil // nil and empty both mean "none"
			}
			slices.Sort(got.Grants) // the contract sets no order
			wantEqual(t, "access", got, tt.want)
			for _, id := range []string{"op-" + string(tt.ref.Kind) + "-" + tt.ref.ID, "op-chats-" + chatID, "no-such-op"} {
				a, op, err := s.OperationWithAccess(t.Context(), tt.tenant, tt.ref, id, tt.user, tt.app)
				must(t, err)
				if len(a.Grants) == 0 {
					a.Grants = nil
				}
				slices.Sort(a.Grants)
				wantEqual(t, "OperationWithAccess's access", a, tt.want)
				want, err := s.Operation(t.Context(), tt.tenant, tt.ref, id)
				if teamsops.ErrorCode(err) == teamsops.ENOTFOUND || !tt.want.Exists {
					want, err = nil, nil
				}
				must(t, err)
				wantEqual(t, "OperationWithAccess's operation "+id, op, want)
			}
		})
	}
}
