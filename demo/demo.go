// Package demo is PRODUCT.md's demo tenant: a tenant file (tenant.yaml,
// embedded) with the seed's chat and its createChat operation, a team
// (with its group and General channel) and its createTeam operation, two
// groups without a team, two app registrations to call them with, and
// users with passwords and a public client app to sign them in with.
// Load applies it; applying it again changes nothing.
package demo

import (
	"context"
	"embed"
	"encoding/base64"
	"fmt"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/tenantfile"
)

// File is the demo tenant's tenant file.
//
//go:embed tenant.yaml
var File []byte

// files holds File, and what it names beside it.
//
//go:embed tenant.yaml
var files embed.FS

// IDs of the demo tenant, as PRODUCT.md lists them (and File declares).
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
	// CLIApp ("teamsops cli") and the users' passwords go beyond
	// PRODUCT.md's table: a public client, without a secret, that signs
	// the users in, and what they sign in with. Its client id is not one
	// of the first-party ids Microsoft's own CLIs use.
	CLIApp        = "c8a1e3b2-5d4f-4e6a-9b7c-2f1e0d3c4b5a"
	AdelePassword = "demo-adele-password"
	AlexPassword  = "demo-alex-password"
	MeganPassword = "demo-megan-password"
	TeamID        = "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"
	TeamOperation = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
	// SalesGroup and LegalGroup are groups without a team, to make teams of
	// ("Create team from group"). The team's own group has the team's id.
	SalesGroup = "71392b2f-1765-406e-86af-5907d9bdb2ab"
	LegalGroup = "2c4e6a8b-0d1f-4a3b-8c5d-7e9f1a2b3c4d"
)

// ConsoleRoles are the application permissions File grants the ops
// console: enough to create chats with an app (Chat.Create), follow their
// operations and read them (Chat.Read.All), list the apps installed in
// them (TeamsAppInstallation.ReadForChat.All), and read teams; and, for
// the team actions, the least privileged permission of each.
var ConsoleRoles = consoleRoles()

// Declaration returns the demo tenant as File declares it.
func Declaration() (*teamsops.Declaration, error) {
	return tenantfile.DecodeFS(files, "tenant.yaml")
}

// Load applies the demo tenant to store.
func Load(ctx context.Context, store teamsops.Store) error {
	d, err := Declaration()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := (&service.Tenants{Store: store}).Apply(ctx, d); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

func consoleRoles() []string {
	d, err := Declaration()
	if err != nil {
		panic(err) // the embedded file is part of the program; its tests decode it
	}
	for _, a := range d.AppRegistrations {
		if a.ClientID == ConsoleApp {
			return a.Roles
		}
	}
	panic("demo: the ops console is missing from tenant.yaml")
}

// GrantID builds a resourceSpecificPermissionGrant id the way Graph's
// examples show them: base64 of "{app}##{permission}##{type}"
// (api-reference/beta/api/chat-list-permissiongrants.md). The demo's grant
// has such an id.
func GrantID(clientAppID, permission, permissionType string) string {
	return base64.StdEncoding.EncodeToString([]byte(clientAppID + "##" + permission + "##" + permissionType))
}
