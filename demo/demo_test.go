package demo_test

import (
	"slices"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// TestFileMatchesConstants checks that tenant.yaml declares every id the
// package's constants (PRODUCT.md's table) name.
func TestFileMatchesConstants(t *testing.T) {
	d, err := demo.Declaration()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(n int, id func(int) string) []string {
		var out []string
		for i := range n {
			out = append(out, id(i))
		}
		return out
	}
	for _, tt := range []struct {
		what string
		have []string
		want []string
	}{
		{"tenant", []string{d.Tenant.ID}, []string{demo.TenantID}},
		{"users", ids(len(d.Users), func(i int) string { return d.Users[i].ID }), []string{demo.UserAdele, demo.UserAlex, demo.UserMegan}},
		{"chats", ids(len(d.Chats), func(i int) string { return d.Chats[i].ID }), []string{demo.ChatID}},
		{"teams", ids(len(d.Teams), func(i int) string { return d.Teams[i].ID }), []string{demo.TeamID}},
		{"groups", ids(len(d.Groups), func(i int) string { return d.Groups[i].ID }), []string{demo.TeamID, demo.SalesGroup, demo.LegalGroup}},
		{"Teams apps", ids(len(d.TeamsApps), func(i int) string { return d.TeamsApps[i].ID }), []string{demo.TeamsAppID}},
		{"apps", ids(len(d.AppRegistrations), func(i int) string { return d.AppRegistrations[i].ClientID }), []string{demo.ChatBotApp, demo.ConsoleApp, demo.CLIApp}},
		{"operations", ids(len(d.Operations), func(i int) string { return d.Operations[i].ID }), []string{demo.ChatOperation, demo.TeamOperation}},
		{"bot secret", d.ClientSecrets[demo.ChatBotApp], []string{demo.ChatBotSecret}},
		{"console secret", d.ClientSecrets[demo.ConsoleApp], []string{demo.ConsoleSecret}},
		{"passwords", []string{d.Passwords[demo.UserAdele], d.Passwords[demo.UserAlex], d.Passwords[demo.UserMegan]},
			[]string{demo.AdelePassword, demo.AlexPassword, demo.MeganPassword}},
		{"grant", []string{d.PermissionGrants[0].ID}, []string{demo.GrantID(demo.ChatBotApp, "ChatSettings.Read.Chat", "Application")}},
		// PRODUCT.md's list, in its order.
		{"console roles", demo.ConsoleRoles, []string{"Chat.Read.All", "Team.ReadBasic.All", "Chat.Create",
			"TeamsAppInstallation.ReadForChat.All", "Team.Create", "TeamSettings.ReadWrite.All", "Group.ReadWrite.All",
			"Channel.Create", "ChannelSettings.ReadWrite.All", "Channel.ReadBasic.All", "TeamMember.Read.All", "GroupMember.Read.All"}},
	} {
		if !slices.Equal(tt.have, tt.want) {
			t.Errorf("%s: the file has %v, want %v", tt.what, tt.have, tt.want)
		}
	}
}

// TestLoadTwice loads the demo twice: the second load changes nothing.
func TestLoadTwice(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	tenants := &service.Tenants{Store: s}
	first, err := tenants.Get(ctx, demo.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	var changes []teamsops.Change
	defer s.Watch(func(c teamsops.Change) { changes = append(changes, c) })()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	if len(changes) != 0 {
		t.Errorf("loading the demo again changed %v", changes)
	}
	second, err := tenants.Get(ctx, demo.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Users) != 3 || len(second.Users) != 3 || len(second.Chats) != 1 || len(second.Channels) != 1 {
		t.Errorf("after two loads: %d users, %d chats, %d channels", len(second.Users), len(second.Chats), len(second.Channels))
	}
}
