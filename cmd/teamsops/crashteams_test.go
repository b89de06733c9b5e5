package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// Teams the crash test prepares beside the demo tenant: one to archive,
// one archived to unarchive, and an archived channel of the demo team.
const (
	crashActiveTeam   = "c0a0c0a0-1111-4a8e-9b43-5f2a6c9e1b77"
	crashArchivedTeam = "c0a0c0a0-2222-4a8e-9b43-5f2a6c9e1b77"
	crashOldChannel   = "19:c0a0c0a0c0a0c0a0c0a0c0a0c0a0c0a0@thread.tacv2"
)

// prepareTeams writes the demo tenant and the crash test's teams into the
// database db (a --db value), before the server first starts on it.
func prepareTeams(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	s := testdb.Open(t, db)
	defer s.Close()
	if err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	owner := []teamsops.Member{{UserID: demo.UserAdele, Roles: []string{"owner"}}}
	now := time.Now().UTC()
	for i, id := range []string{crashActiveTeam, crashArchivedTeam} {
		name := fmt.Sprintf("Crash %d", i)
		g := &teamsops.Group{ID: id, TenantID: demo.TenantID, DisplayName: name, MailNickname: fmt.Sprintf("crash%d", i),
			Visibility: "Private", CreatedDateTime: now, Members: owner}
		team := &teamsops.Team{ID: id, TenantID: demo.TenantID, DisplayName: name, CreatedDateTime: now,
			Members: owner, IsArchived: id == crashArchivedTeam}
		if err := s.CreateGroup(ctx, g); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTeam(ctx, team); err != nil {
			t.Fatal(err)
		}
	}
	err := s.CreateChannel(ctx, &teamsops.Channel{ID: crashOldChannel, TenantID: demo.TenantID, TeamID: demo.TeamID,
		DisplayName: "Old", MembershipType: "standard", IsArchived: true, CreatedDateTime: now})
	if err != nil {
		t.Fatal(err)
	}
}

// teamOp is a team operation the crash test started, and how to see its
// effect: a GET path, and a check of the answer (nil: only that it is 200).
type teamOp struct {
	location string
	path     func(op map[string]any) string
	check    func(body map[string]any) bool
}

// startTeamOps starts a mix of every team operation type and returns them.
func startTeamOps(t *testing.T, p *process, token string) []teamOp {
	t.Helper()
	team := func(op map[string]any) string { return "/v1.0/teams/" + op["targetResourceId"].(string) }
	channel := func(op map[string]any) string { return "/beta" + op["targetResourceLocation"].(string) }
	archived := func(want bool) func(map[string]any) bool {
		return func(b map[string]any) bool { return b["isArchived"] == want }
	}
	general := service.GeneralChannelID(demo.TeamID)
	type start struct {
		method, path string
		body         any
		view         func(map[string]any) string
		check        func(map[string]any) bool
	}
	var starts []start
	for i := range 3 {
		starts = append(starts, start{http.MethodPost, "/v1.0/teams", map[string]any{
			"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
			"displayName":         fmt.Sprintf("Crash team %d", i),
			"members":             []any{createChatWithApp("")["members"].([]any)[0]},
		}, func(op map[string]any) string { return team(op) + "/channels" },
			func(b map[string]any) bool { return b["@odata.count"] == 1.0 }}) // General, once
	}
	for i := range 2 {
		starts = append(starts, start{http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/clone", map[string]any{
			"displayName": fmt.Sprintf("Crash clone %d", i), "mailNickname": fmt.Sprintf("crashclone%d", i), "partsToClone": "members",
		}, team, nil})
		starts = append(starts, start{http.MethodPost, "/beta/teams/" + demo.TeamID + "/channels", map[string]any{
			"displayName": fmt.Sprintf("Crash shared %d", i), "membershipType": "shared",
		}, channel, nil})
	}
	for _, g := range []string{demo.SalesGroup, demo.LegalGroup} {
		// POST /teams with group@odata.bind is the teamifyGroup operation;
		// PUT /groups/{id}/team answers 201 at once.
		starts = append(starts, start{http.MethodPost, "/v1.0/teams", map[string]any{
			"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
			"group@odata.bind":    "https://graph.microsoft.com/v1.0/groups('" + g + "')",
		}, team, nil})
	}
	starts = append(starts,
		start{http.MethodPost, "/v1.0/teams/" + crashActiveTeam + "/archive", nil, team, archived(true)},
		start{http.MethodPost, "/v1.0/teams/" + crashArchivedTeam + "/unarchive", nil, team, archived(false)},
		start{http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/channels/" + general + "/archive", nil, channel, archived(true)},
		start{http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/channels/" + crashOldChannel + "/unarchive", nil, channel, archived(false)},
	)
	var ops []teamOp
	for _, s := range starts {
		status, h, body := p.call(t, s.method, s.path, token, s.body)
		if status != http.StatusAccepted {
			t.Fatalf("%s %s: %d %v", s.method, s.path, status, body)
		}
		ops = append(ops, teamOp{location: h.Get("Location"), path: s.view, check: s.check})
	}
	return ops
}

// checkTeamOps checks that every team operation that succeeded shows its
// effect, and that a failed createTeam, cloneTeam or teamifyGroup left no
// team behind.
func checkTeamOps(t *testing.T, p *process, token string, ops []teamOp) {
	t.Helper()
	for _, o := range ops {
		// teamifyGroup and the channel types follow unknownFutureValue.
		_, _, op := p.callWith(t, http.MethodGet, "/beta"+o.location, token, nil,
			http.Header{"Prefer": {"include-unknown-enum-members"}})
		path := o.path(op)
		status, _, body := p.call(t, http.MethodGet, path, token, nil)
		switch typ := op["operationType"]; {
		case op["status"] == "succeeded" && (status != http.StatusOK || o.check != nil && !o.check(body)):
			t.Errorf("%s succeeded, but GET %s: %d %v", typ, path, status, body)
		case op["status"] == "failed" && (typ == "createTeam" || typ == "cloneTeam" || typ == "teamifyGroup") && status != http.StatusNotFound:
			t.Errorf("%s failed, but GET %s: %d", typ, path, status)
		}
	}
}
