// Package demo loads PRODUCT.md's demo tenant: the seed's chat and its
// createChat operation, a team (with its group and General channel) and
// its createTeam operation, two groups without a team, and two app
// registrations to call them with. Loading twice changes nothing.
package demo

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
)

// IDs of the demo tenant, as PRODUCT.md lists them.
const (
	TenantID      = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	UserAdele     = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	UserAlex      = "82af01c5-f7cc-4a2e-a728-3a5df21afd9d"
	UserMegan     = "3626a173-f2bc-4883-bcf7-01514c3bfb82"
	ChatID        = "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
	ChatOperation = "2432b57b-0abd-43db-aa7b-16eadd115d34-e88ae9aa-887e-4972-ac3e-bd578e38232e-cf58835e-43f0-4fc1-825e-5de55630e7e4"
	TeamsAppID    = "1542629c-01b3-4a6d-8f76-1938b779e48d"
	ChatBotApp    = "0f5ae4a4-1c6b-4b0c-9f0c-7c2a3d8e9b10"
	ChatBotSecret = "demo-bot-secret"
	ConsoleApp    = "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"
	ConsoleSecret = "demo-console-secret"
	TeamID        = "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"
	TeamOperation = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	// SalesGroup and LegalGroup are groups without a team, to make teams of
	// ("Create team from group"). The team's own group has the team's id.
	SalesGroup = "71392b2f-1765-406e-86af-5907d9bdb2ab"
	LegalGroup = "2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d"

	// chatBotServicePrincipal is the chat bot's service principal in the
	// demo tenant: resourceSpecificPermissionGrant's clientId.
	chatBotServicePrincipal = "a3f1c9d2-6b7e-4c1a-8d2f-3e4b5a6c7d8e"
)

// ConsoleRoles are the application permissions granted to the ops console:
// enough to create chats with an app (Chat.Create), follow their
// operations and read them (Chat.Read.All), list the apps installed in
// them (TeamsAppInstallation.ReadForChat.All), and read teams; and, for
// the team actions, the least privileged permission of each: create and
// clone teams (Team.Create), archive and unarchive them
// (TeamSettings.ReadWrite.All), make a team of a group (Group.ReadWrite.All,
// the only one "Create team from group" takes), create, archive and
// unarchive channels (Channel.Create, ChannelSettings.ReadWrite.All), and
// read channels, team members and groups (Channel.ReadBasic.All,
// TeamMember.Read.All, GroupMember.Read.All).
var ConsoleRoles = []string{
	"Chat.Read.All", "Team.ReadBasic.All", "Chat.Create", "TeamsAppInstallation.ReadForChat.All",
	"Team.Create", "TeamSettings.ReadWrite.All", "Group.ReadWrite.All", "Channel.Create",
	"ChannelSettings.ReadWrite.All", "Channel.ReadBasic.All", "TeamMember.Read.All", "GroupMember.Read.All",
}

// Load writes the demo tenant into store.
func Load(ctx context.Context, store teamsops.Store) error {
	for _, step := range []func(context.Context, teamsops.Store) error{loadDirectory, loadApps, loadChat, loadTeam, loadGroups} {
		if err := step(ctx, store); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

func loadDirectory(ctx context.Context, s teamsops.Store) error {
	if err := s.CreateTenant(ctx, &teamsops.Tenant{ID: TenantID, DisplayName: "Contoso"}); err != nil {
		return err
	}
	users := []teamsops.User{
		{ID: UserAdele, DisplayName: "Adele Vance", UserPrincipalName: "AdeleV@contoso.onmicrosoft.com"},
		{ID: UserAlex, DisplayName: "Alex Wilber", UserPrincipalName: "AlexW@contoso.onmicrosoft.com"},
		{ID: UserMegan, DisplayName: "Megan Bowen", UserPrincipalName: "MeganB@contoso.onmicrosoft.com"},
	}
	for i := range users {
		users[i].TenantID = TenantID
		if err := s.CreateUser(ctx, &users[i]); err != nil {
			return err
		}
	}
	return nil
}

func loadApps(ctx context.Context, s teamsops.Store) error {
	apps := []struct {
		id, name, secret string
		roles            []string
	}{
		{ChatBotApp, "chat bot", ChatBotSecret, nil},
		{ConsoleApp, "ops console", ConsoleSecret, ConsoleRoles},
	}
	for _, a := range apps {
		hash, err := identity.HashSecret(a.secret)
		if err != nil {
			return err
		}
		reg := &teamsops.AppRegistration{ClientID: a.id, TenantID: TenantID, DisplayName: a.name, SecretHashes: []string{hash}, Roles: a.roles}
		if err := s.CreateAppRegistration(ctx, reg); err != nil {
			return err
		}
	}
	return s.CreateTeamsApp(ctx, &teamsops.TeamsApp{ID: TeamsAppID, TenantID: TenantID, DisplayName: "Contoso Bot", ClientAppID: ChatBotApp})
}

func loadChat(ctx context.Context, s teamsops.Store) error {
	chat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: ChatID}
	created := mustTime("2021-05-27T21:23:41.9085453Z")
	err := s.CreateChat(ctx, &teamsops.Chat{
		ID: ChatID, TenantID: TenantID, ChatType: "group", Topic: "Contoso launch", CreatedDateTime: created,
		Members: []teamsops.Member{{UserID: UserAdele, Roles: []string{"owner"}}, {UserID: UserAlex, Roles: []string{"owner"}}},
	})
	if err != nil {
		return err
	}
	install := &teamsops.AppInstallation{ID: installationID(ChatID, TeamsAppID), TenantID: TenantID, Resource: chat, TeamsAppID: TeamsAppID}
	if err := s.CreateAppInstallation(ctx, install); err != nil {
		return err
	}
	grant := &teamsops.PermissionGrant{
		ID: GrantID(ChatBotApp, "ChatSettings.Read.Chat", "Application"), TenantID: TenantID, Resource: chat,
		ClientAppID: ChatBotApp, ClientID: chatBotServicePrincipal, PermissionType: "Application", Permission: "ChatSettings.Read.Chat",
	}
	if err := s.CreatePermissionGrant(ctx, grant); err != nil {
		return err
	}
	// Exactly the seed's example (seed/get-teamsasyncoperation.md).
	return s.CreateOperation(ctx, &teamsops.Operation{
		ID: ChatOperation, TenantID: TenantID, Resource: chat,
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusSucceeded,
		CreatedDateTime:        created,
		LastActionDateTime:     mustTime("2021-05-27T21:23:45.1899277Z"),
		AttemptsCount:          1,
		TargetResourceID:       ChatID,
		TargetResourceLocation: "/chats('" + ChatID + "')",
		Values:                 `{"appIds":["` + TeamsAppID + `"]}`,
	})
}

func loadTeam(ctx context.Context, s teamsops.Store) error {
	created := mustTime("2024-03-04T10:00:00Z")
	members := []teamsops.Member{{UserID: UserAdele, Roles: []string{"owner"}}, {UserID: UserAlex}}
	err := s.CreateGroup(ctx, &teamsops.Group{
		ID: TeamID, TenantID: TenantID, DisplayName: "Contoso Marketing", Description: "Marketing campaigns and launches.",
		MailNickname: "ContosoMarketing", Visibility: "Private", CreatedDateTime: created, Members: members,
	})
	if err != nil {
		return err
	}
	err = s.CreateTeam(ctx, &teamsops.Team{
		ID: TeamID, TenantID: TenantID, DisplayName: "Contoso Marketing",
		Description: "Marketing campaigns and launches.", CreatedDateTime: created,
		Members: members, Visibility: teamsops.VisibilityPrivate,
	})
	if err != nil {
		return err
	}
	err = s.CreateChannel(ctx, &teamsops.Channel{
		ID: service.GeneralChannelID(TeamID), TenantID: TenantID, TeamID: TeamID, DisplayName: "General",
		Description: "Marketing campaigns and launches.", MembershipType: "standard", CreatedDateTime: created,
	})
	if err != nil {
		return err
	}
	return s.CreateOperation(ctx, &teamsops.Operation{
		ID: TeamOperation, TenantID: TenantID, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: TeamID},
		Type: teamsops.OperationTypeCreateTeam, Status: teamsops.OperationStatusSucceeded,
		CreatedDateTime:        created,
		LastActionDateTime:     mustTime("2024-03-04T10:00:42Z"),
		AttemptsCount:          1,
		TargetResourceID:       TeamID,
		TargetResourceLocation: "/teams('" + TeamID + "')",
	})
}

// loadGroups writes two groups without a team: "Contoso Sales" (Adele
// owner, Megan member) and "Contoso Legal" (Alex owner, Adele member).
func loadGroups(ctx context.Context, s teamsops.Store) error {
	groups := []*teamsops.Group{
		{ID: SalesGroup, DisplayName: "Contoso Sales", Description: "Sales pipeline and accounts.", MailNickname: "ContosoSales",
			Visibility: "Public", CreatedDateTime: mustTime("2024-01-15T09:00:00Z"),
			Members: []teamsops.Member{{UserID: UserAdele, Roles: []string{"owner"}}, {UserID: UserMegan}}},
		{ID: LegalGroup, DisplayName: "Contoso Legal", Description: "Contracts and compliance.", MailNickname: "ContosoLegal",
			Visibility: "Private", CreatedDateTime: mustTime("2024-01-16T09:00:00Z"),
			Members: []teamsops.Member{{UserID: UserAlex, Roles: []string{"owner"}}, {UserID: UserAdele}}},
	}
	for _, g := range groups {
		g.TenantID = TenantID
		if err := s.CreateGroup(ctx, g); err != nil {
			return err
		}
	}
	return nil
}

// GrantID builds a resourceSpecificPermissionGrant id the way Graph's
// examples show them: base64 of "{app}##{permission}##{type}"
// (api-reference/beta/api/chat-list-permissiongrants.md).
func GrantID(clientAppID, permission, permissionType string) string {
	return base64.StdEncoding.EncodeToString([]byte(clientAppID + "##" + permission + "##" + permissionType))
}

func installationID(resourceID, teamsAppID string) string {
	return base64.StdEncoding.EncodeToString([]byte(resourceID + "##" + teamsAppID))
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}
