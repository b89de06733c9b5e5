package authz

import (
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
)

const (
	tenant = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	user   = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	app    = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10"
)

var chat = teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"}

func delegated(scopes ...string) teamsops.Principal {
	return teamsops.Principal{TenantID: tenant, UserID: user, AppID: app, Scopes: scopes}
}

func application(roles ...string) teamsops.Principal {
	return teamsops.Principal{TenantID: tenant, AppID: app, Roles: roles}
}

// TestEveryRowOfEveryRule allows each permission of each table, one at a
// time, so a permission dropped from a table fails a test.
func TestEveryRowOfEveryRule(t *testing.T) {
	rules := map[string]Rule{
		"ChatOperationsRead":       ChatOperationsRead,
		"TeamOperationsRead":       TeamOperationsRead,
		"ChatPermissionGrantsRead": ChatPermissionGrantsRead,
		"ChatCreate":               ChatCreate,
		"ChatRead":                 ChatRead,
		"ChatMembersRead":          ChatMembersRead,
		"ChatInstalledAppsRead":    ChatInstalledAppsRead,
		"TeamCreate":               TeamCreate,
		"TeamClone":                TeamClone,
		"TeamArchive":              TeamArchive,
		"GroupTeamCreate":          GroupTeamCreate,
		"ChannelArchive":           ChannelArchive,
		"ChannelCreate":            ChannelCreate,
		"TeamRead":                 TeamRead,
		"ChannelsRead":             ChannelsRead,
		"TeamMembersRead":          TeamMembersRead,
		"GroupRead":                GroupRead,
		"UserRead":                 UserRead,
	}
	member := teamsops.ResourceAccess{Exists: true, Member: true, Owner: true, Self: true}
	for name, r := range rules {
		for _, scope := range r.Delegated {
			if err := Check(delegated(scope), r, member, chat); err != nil {
				t.Errorf("%s: delegated %s refused: %v", name, scope, err)
			}
		}
		for _, role := range r.Application {
			if err := Check(application(role), r, teamsops.ResourceAccess{Exists: true}, chat); err != nil {
				t.Errorf("%s: application %s refused: %v", name, role, err)
			}
		}
		for _, grant := range r.ResourceSpecific {
			a := teamsops.ResourceAccess{Exists: true, Grants: []string{grant}}
			if err := Check(application(), r, a, chat); err != nil {
				t.Errorf("%s: RSC %s refused: %v", name, grant, err)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	r := ChatOperationsRead
	tests := []struct {
		name     string
		p        teamsops.Principal
		a        teamsops.ResourceAccess
		code     string
		contains string
	}{
		{"delegated without a listed scope", delegated("User.Read"), teamsops.ResourceAccess{Exists: true, Member: true},
			teamsops.EFORBIDDEN, "API requires one of 'Chat.ReadBasic, Chat.Read, Chat.ReadWrite'. Scopes on the request 'User.Read'"},
		{"delegated non-member", delegated("Chat.Read"), teamsops.ResourceAccess{Exists: true},
			teamsops.EFORBIDDEN, "is not a member of chat"},
		{"delegated, chat missing", delegated("Chat.Read"), teamsops.ResourceAccess{},
			teamsops.ENOTFOUND, "No chat found"},
		{"application without roles or grants", application(), teamsops.ResourceAccess{Exists: true},
			teamsops.EFORBIDDEN, "API requires one of 'ChatSettings.Read.Chat, ChatSettings.ReadWrite.Chat, Chat.Manage.Chat, Chat.ReadBasic.All, Chat.Read.All, Chat.ReadWrite.All'"},
		{"application with an unrelated role", application("Team.ReadBasic.All"), teamsops.ResourceAccess{Exists: true},
			teamsops.EFORBIDDEN, "Roles on the request 'Team.ReadBasic.All'"},
		{"application with an RSC grant this endpoint does not take", application(),
			teamsops.ResourceAccess{Exists: true, Grants: []string{"TeamsTab.Read.Chat"}},
			teamsops.EFORBIDDEN, "Resource specific consent grants on the request 'TeamsTab.Read.Chat'"},
		{"application with a role, chat missing", application("Chat.Read.All"), teamsops.ResourceAccess{},
			teamsops.ENOTFOUND, "No chat found"},
		{"application without a role, chat missing", application(), teamsops.ResourceAccess{},
			teamsops.EFORBIDDEN, "Missing role permissions"},
		{"personal account", teamsops.Principal{TenantID: teamsops.ConsumerTenantID, UserID: user, Scopes: []string{"Chat.Read"}},
			teamsops.ResourceAccess{Exists: true, Member: true}, teamsops.EFORBIDDEN, "Personal Microsoft accounts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.p, r, tt.a, chat)
			if got := teamsops.ErrorCode(err); got != tt.code {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.code, err)
			}
			if msg := teamsops.ErrorMessage(err); !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q does not contain %q", msg, tt.contains)
			}
		})
	}
}

func TestTeamRefusalNamesTheTeam(t *testing.T) {
	team := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"}
	err := Check(delegated("Team.ReadBasic.All"), TeamOperationsRead, teamsops.ResourceAccess{Exists: true}, team)
	if msg := teamsops.ErrorMessage(err); !strings.Contains(msg, "not a member of team 'd5a1c2f0") {
		t.Fatalf("message = %q", msg)
	}
}

// TestCollectionRule: creating a chat needs the permission only; there is
// no resource to exist, be a member of or hold grants on.
func TestCollectionRule(t *testing.T) {
	none := teamsops.ResourceRef{Kind: teamsops.ResourceChat}
	tests := []struct {
		name string
		p    teamsops.Principal
		code string
	}{
		{"delegated Chat.Create", delegated("Chat.Create"), ""},
		{"delegated Chat.ReadWrite", delegated("Chat.ReadWrite"), ""},
		{"delegated Chat.Read", delegated("Chat.Read"), teamsops.EFORBIDDEN},
		{"application Chat.Create", application("Chat.Create"), ""},
		{"application Chat.ReadWrite.All", application("Chat.ReadWrite.All"), teamsops.EFORBIDDEN},
		{"personal account", teamsops.Principal{TenantID: teamsops.ConsumerTenantID, UserID: user, Scopes: []string{"Chat.Create"}}, teamsops.EFORBIDDEN},
	}
	for _, tt := range tests {
		if got := teamsops.ErrorCode(Check(tt.p, ChatCreate, teamsops.ResourceAccess{}, none)); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
	}
}

// TestOwnerAndTenantWide: an Owner rule refuses a delegated plain member;
// a TenantWide rule lets any user of the tenant read; applications are
// not concerned by either.
func TestOwnerAndTenantWide(t *testing.T) {
	team := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"}
	group := teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: "71392b2f-1765-406e-86af-5907d9bdb2ab"}
	plain := teamsops.ResourceAccess{Exists: true, Member: true}
	tests := []struct {
		name string
		p    teamsops.Principal
		r    Rule
		a    teamsops.ResourceAccess
		ref  teamsops.ResourceRef
		code string
		msg  string
	}{
		{"member archiving", delegated("TeamSettings.ReadWrite.All"), TeamArchive, plain, team, teamsops.EFORBIDDEN, "not an owner of team"},
		{"owner archiving", delegated("TeamSettings.ReadWrite.All"), TeamArchive, teamsops.ResourceAccess{Exists: true, Member: true, Owner: true}, team, "", ""},
		{"app archiving", application("TeamSettings.ReadWrite.All"), TeamArchive, teamsops.ResourceAccess{Exists: true}, team, "", ""},
		{"app with the RSC grant", application(), TeamArchive, teamsops.ResourceAccess{Exists: true, Grants: []string{"TeamSettings.ReadWrite.Group"}}, team, "", ""},
		{"member creating a channel", delegated("Channel.Create"), ChannelCreate, plain, team, "", ""},
		{"non-member reading a group", delegated("GroupMember.Read.All"), GroupRead, teamsops.ResourceAccess{Exists: true}, group, "", ""},
		{"missing group", delegated("GroupMember.Read.All"), GroupRead, teamsops.ResourceAccess{}, group, teamsops.ENOTFOUND, "No group found"},
		{"group member teamifying", delegated("Group.ReadWrite.All"), GroupTeamCreate, plain, group, teamsops.EFORBIDDEN, "not an owner of group"},
	}
	for _, tt := range tests {
		err := Check(tt.p, tt.r, tt.a, tt.ref)
		if got := teamsops.ErrorCode(err); got != tt.code || !strings.Contains(teamsops.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: %v, want code %q mentioning %q", tt.name, err, tt.code, tt.msg)
		}
	}
}

// TestSignedInUserOnly: User.Read and User.ReadWrite read the signed-in
// user alone; any other scope of the table reads every user of the tenant.
func TestSignedInUserOnly(t *testing.T) {
	other := teamsops.ResourceRef{Kind: teamsops.ResourceUser, ID: "82af01c5-f7cc-4a2e-a728-3a5df21afd9d"}
	self := teamsops.ResourceAccess{Exists: true, Self: true}
	someone := teamsops.ResourceAccess{Exists: true}
	tests := []struct {
		name string
		p    teamsops.Principal
		a    teamsops.ResourceAccess
		code string
		msg  string
	}{
		{"User.Read on oneself", delegated("User.Read"), self, "", ""},
		{"User.ReadWrite on oneself", delegated("User.ReadWrite"), self, "", ""},
		{"User.Read on another user", delegated("User.Read"), someone, teamsops.EFORBIDDEN,
			"requires one of 'User.ReadBasic.All, User.Read.All, User.ReadWrite.All, Directory.Read.All, Directory.ReadWrite.All'; 'User.Read, User.ReadWrite' reach only the signed-in user"},
		{"User.Read and User.ReadBasic.All on another user", delegated("User.Read", "User.ReadBasic.All"), someone, "", ""},
		{"Directory.Read.All on another user", delegated("Directory.Read.All"), someone, "", ""},
		{"no user scope", delegated("Chat.Read"), self, teamsops.EFORBIDDEN, "API requires one of 'User.Read, User.ReadWrite, User.ReadBasic.All"},
		{"User.Read, user missing", delegated("User.Read"), teamsops.ResourceAccess{}, teamsops.ENOTFOUND,
			"Resource '82af01c5-f7cc-4a2e-a728-3a5df21afd9d' does not exist or one of its queried reference-property objects are not present."},
		{"application User.ReadBasic.All", application("User.ReadBasic.All"), someone, "", ""},
		{"application User.Read", application("User.Read"), someone, teamsops.EFORBIDDEN, "API requires one of 'User.ReadBasic.All, User.Read.All"},
		{"application, user missing", application("User.Read.All"), teamsops.ResourceAccess{}, teamsops.ENOTFOUND, "does not exist"},
	}
	for _, tt := range tests {
		err := Check(tt.p, UserRead, tt.a, other)
		if got := teamsops.ErrorCode(err); got != tt.code || !strings.Contains(teamsops.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: %v, want code %q mentioning %q", tt.name, err, tt.code, tt.msg)
		}
	}
}
