package http_test

import (
	"net/http"
	"testing"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

// TestGroupTeamAliases: the paths under /groups/{id}/team that Graph's
// pages list answer as their canonical paths, with the same permissions.
// "/groups/{id}/team is the same as /teams/{id}" (the v1.0 team resource
// page); channel-archive.md and channel-unarchive.md list
// POST /groups/{team-id}/team/channels/{channel-id}/archive and …/unarchive.
func TestGroupTeamAliases(t *testing.T) {
	e := newEnv(t)
	console := e.consoleToken()
	bot := e.appToken(demo.ChatBotApp)
	for _, version := range []string{"v1.0", "beta"} {
		for _, q := range []string{"", "?$select=displayName,isArchived"} {
			for _, token := range []string{console, bot} {
				want := e.get("/"+version+"/teams/"+demo.TeamID+q, token)
				for _, alias := range []string{"/groups/" + demo.TeamID + "/team", "/groups('" + demo.TeamID + "')/team"} {
					got := e.get("/"+version+alias+q, token)
					if got.status != want.status || (want.status == http.StatusOK && string(got.body) != string(want.body)) ||
						(want.status != http.StatusOK && got.errorCode(t) != want.errorCode(t)) {
						t.Errorf("GET /%s%s%s: %d %s\nGET /teams/{id} answers %d %s", version, alias, q, got.status, got.body, want.status, want.body)
					}
				}
			}
		}
	}
	if want := e.get("/v1.0/teams/"+demo.LegalGroup, console); want.status != http.StatusNotFound ||
		e.get("/v1.0/groups/"+demo.LegalGroup+"/team", console).status != http.StatusNotFound {
		t.Errorf("a group without a team: %d", want.status)
	}
	res := e.do(http.MethodPost, "/v1.0/groups/"+demo.TeamID+"/team", console)
	if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") != "GET, PUT" {
		t.Errorf("POST /groups/{id}/team: %d, Allow %q", res.status, res.header.Get("Allow"))
	}

	general := service.GeneralChannelID(demo.TeamID)
	alias := "/groups/" + demo.TeamID + "/team/channels/" + general
	canonical := "/v1.0/teams/" + demo.TeamID + "/channels/" + general
	reader := e.appToken(demo.ConsoleApp, "Channel.ReadBasic.All")
	if res := e.send(http.MethodPost, "/v1.0"+alias+"/archive", reader, nil); res.status != http.StatusForbidden ||
		e.send(http.MethodPost, canonical+"/archive", reader, nil).status != http.StatusForbidden {
		t.Errorf("archive without ChannelSettings.ReadWrite.All: %d %s", res.status, res.body)
	}
	op, _ := e.runOp("v1.0", http.MethodPost, alias+"/archive", console, nil)
	wantStatus(t, op, "succeeded", "archiveChannel")
	if e.getOK(canonical, console)["isArchived"] != true {
		t.Error("the alias did not archive the channel")
	}
	op, _ = e.runOp("beta", http.MethodPost, "/groups('"+demo.TeamID+"')/team/channels('"+general+"')/unarchive", console, nil)
	wantStatus(t, op, "succeeded", "unarchiveChannel")
	if e.getOK(canonical, console)["isArchived"] != false {
		t.Error("the alias did not unarchive the channel")
	}
	// No page lists other paths under a group's team.
	for _, p := range []string{alias, "/groups/" + demo.TeamID + "/team/channels", "/groups/" + demo.TeamID + "/team/members"} {
		if res := e.get("/v1.0"+p, console); res.status != http.StatusBadRequest || res.errorCode(t) != "BadRequest" {
			t.Errorf("GET /v1.0%s: %d %s", p, res.status, res.body)
		}
	}
}
