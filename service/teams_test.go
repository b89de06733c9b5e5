package service_test

import (
	"context"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

var teamConsole = teamsops.Principal{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}

// runTwice applies op's effect twice, as a retried attempt would.
func runTwice(t *testing.T, s *service.Service, op *teamsops.Operation) {
	t.Helper()
	ctx := context.Background()
	effect := service.Effects()[op.Type]
	for range 2 {
		if err := s.Store.Update(ctx, func(tx teamsops.Tx) error { return effect(ctx, tx, op) }); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTeamEffectsAreIdempotent runs createTeam, cloneTeam, archiveTeam and
// createChannel effects twice each: one team, one set of channels, one
// installation, whatever the retries.
func TestTeamEffectsAreIdempotent(t *testing.T) {
	s, r := newService(t)
	ctx := context.Background()
	req := service.NewTeam{
		DisplayName: "Ops", Members: []service.NewMember{{User: demo.UserAlex, Roles: []string{"owner"}}},
		Channels: []service.NewChannel{{DisplayName: "Runbooks"}}, AppIDs: []string{demo.TeamsAppID},
	}
	start, err := s.CreateTeam(ctx, teamConsole, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store.Team(ctx, demo.TenantID, start.TeamID); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Fatalf("the team exists before its operation succeeded: %v", err)
	}
	runTwice(t, s, start.Operation)
	channels, err := s.Store.Channels(ctx, demo.TenantID, start.TeamID)
	if err != nil || len(channels) != 2 || channels[0].ID != service.GeneralChannelID(start.TeamID) || channels[1].DisplayName != "Runbooks" {
		t.Errorf("channels %v, %v", channels, err)
	}
	ref := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: start.TeamID}
	if installs, err := s.Store.AppInstallations(ctx, demo.TenantID, ref); err != nil || len(installs) != 1 {
		t.Errorf("installations %v, %v", installs, err)
	}

	clone, err := s.CloneTeam(ctx, teamConsole, start.TeamID, service.NewClone{DisplayName: "Ops 2", PartsToClone: "apps,channels,members"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runTwice(t, s, clone.Operation)
	cloned, err := s.Store.Team(ctx, demo.TenantID, clone.Operation.TargetResourceID)
	if err != nil || len(cloned.Members) != 1 || cloned.DisplayName != "Ops 2" {
		t.Errorf("clone %+v, %v", cloned, err)
	}
	if chs, _ := s.Store.Channels(ctx, demo.TenantID, cloned.ID); len(chs) != 2 {
		t.Errorf("cloned channels %v", chs)
	}

	archive, err := s.ArchiveTeam(ctx, teamConsole, start.TeamID, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	runTwice(t, s, archive.Operation)
	if team, _ := s.Store.Team(ctx, demo.TenantID, start.TeamID); !team.IsArchived {
		t.Error("not archived")
	}
	if _, err := s.ArchiveTeam(ctx, teamConsole, start.TeamID, false, nil); teamsops.ErrorCode(err) != teamsops.ECONFLICT {
		t.Errorf("archive an archived team: %v", err)
	}
	if len(r.ops) != 3 {
		t.Errorf("jobs %d, want 3", len(r.ops))
	}
}

func TestNewTeamValidate(t *testing.T) {
	tests := []struct {
		name string
		nt   service.NewTeam
		ok   bool
	}{
		{"minimal", service.NewTeam{DisplayName: "x"}, true},
		{"blank name", service.NewTeam{DisplayName: "  "}, false},
		{"bad visibility", service.NewTeam{DisplayName: "x", Visibility: "secret"}, false},
		{"guest role", service.NewTeam{DisplayName: "x", Members: []service.NewMember{{User: "a", Roles: []string{"guest"}}}}, false},
		{"a channel called General", service.NewTeam{DisplayName: "x", Channels: []service.NewChannel{{DisplayName: "general"}}}, false},
		{"group and members", service.NewTeam{GroupID: "g", Given: []string{"members"}}, false},
		{"group", service.NewTeam{GroupID: "g", Given: []string{"template", "group"}}, true},
	}
	for _, tt := range tests {
		if err := tt.nt.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}
