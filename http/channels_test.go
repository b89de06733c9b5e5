package http_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

// TestArchiveChannel archives and unarchives the demo team's General
// channel, with a failure of each and the conflicts.
func TestArchiveChannel(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	channel := "/teams/" + demo.TeamID + "/channels/" + service.GeneralChannelID(demo.TeamID)
	op, _ := e.runOp("beta", http.MethodPost, channel+"/archive", token, nil, "X-Teamsops-Fault", "fail")
	wantStatus(t, op, "failed", "archiveChannel")
	if e.getOK("/v1.0"+channel, token)["isArchived"] != false {
		t.Fatal("a failed archive archived the channel")
	}
	op, _ = e.runOp("beta", http.MethodPost, channel+"/archive", token, map[string]any{"shouldSetSpoSiteReadOnlyForMembers": true})
	wantStatus(t, op, "succeeded", "archiveChannel")
	if op["targetResourceLocation"] != "/teams('"+demo.TeamID+"')/channels('"+service.GeneralChannelID(demo.TeamID)+"')" {
		t.Errorf("target %v", op)
	}
	got := e.getOK("/v1.0"+channel, token)
	if got["isArchived"] != true || got["@odata.context"] != e.base+"/v1.0/$metadata#teams('"+demo.TeamID+"')/channels/$entity" {
		t.Errorf("archived channel %v", got)
	}
	if res := e.send(http.MethodPost, "/v1.0"+channel+"/archive", token, nil); res.status != http.StatusConflict {
		t.Errorf("archive an archived channel: %d %s", res.status, res.body)
	}
	e.unarchive(channel, token, "unarchiveChannel")
	if res := e.send(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/channels/19:missing@thread.tacv2/archive", token, nil); res.status != http.StatusNotFound {
		t.Errorf("a missing channel: %d %s", res.status, res.body)
	}
}

// TestCreateSharedChannel: a shared channel is created by a createChannel
// operation; a standard one at once.
func TestCreateSharedChannel(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	body := map[string]any{"displayName": "Partners", "description": "With Fabrikam", "membershipType": "shared",
		"members": []any{userBind(demo.UserAlex, true)}}
	op, res := e.runOp("beta", http.MethodPost, "/teams/"+demo.TeamID+"/channels", token, body)
	wantStatus(t, op, "succeeded", "createChannel")
	if res.header.Get("Content-Location") != res.header.Get("Location") {
		t.Errorf("Content-Location %q, Location %q", res.header.Get("Content-Location"), res.header.Get("Location"))
	}
	id := op["targetResourceId"].(string)
	if op["targetResourceLocation"] != "/teams('"+demo.TeamID+"')/channels('"+id+"')" {
		t.Errorf("target %v", op)
	}
	path := "/teams/" + demo.TeamID + "/channels/" + id
	// shared follows unknownFutureValue on both versions (the channel
	// resource pages: "you must use the Prefer: include-unknown-enum-members
	// request header to get the following value").
	if got := e.getOK("/beta"+path, token); got["membershipType"] != "unknownFutureValue" || got["displayName"] != "Partners" {
		t.Errorf("beta channel without Prefer %v", got)
	}
	if got := e.get("/beta"+path, token, "Prefer", "include-unknown-enum-members").json(t); got["membershipType"] != "shared" {
		t.Errorf("beta channel with Prefer %v", got)
	}
	if got := e.getOK("/v1.0"+path, token); got["membershipType"] != "unknownFutureValue" {
		t.Errorf("v1.0 channel without Prefer %v", got)
	}
	if got := e.get("/v1.0"+path, token, "Prefer", "include-unknown-enum-members").json(t); got["membershipType"] != "shared" {
		t.Errorf("v1.0 channel with Prefer %v", got)
	}
	if res := e.send(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/channels", token, map[string]any{"displayName": "partners"}); res.status != http.StatusBadRequest {
		t.Errorf("a taken channel name: %d %s", res.status, res.body)
	}

	body["displayName"] = "Doomed"
	op, _ = e.runOp("v1.0", http.MethodPost, "/teams/"+demo.TeamID+"/channels", token, body, "X-Teamsops-Fault", "fail")
	if op["status"] != "failed" {
		t.Errorf("createChannel with a fault: %v", op)
	}
	if res := e.get("/v1.0/teams/"+demo.TeamID+"/channels/"+op["targetResourceId"].(string), token); res.status != http.StatusNotFound {
		t.Errorf("the channel of a failed createChannel: %d", res.status)
	}
}

// TestTeamPermissions: delegated callers are checked for membership or
// ownership, applications for their roles.
func TestTeamPermissions(t *testing.T) {
	e := newEnv(t)
	alex := e.userToken(demo.UserAlex, "TeamSettings.ReadWrite.All", "Team.ReadBasic.All", "Channel.ReadBasic.All")
	megan := e.userToken(demo.UserMegan, "Team.ReadBasic.All", "GroupMember.Read.All")
	bot := e.appToken(demo.ChatBotApp)
	tests := []struct {
		method, path, token string
		status              int
	}{
		{http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/archive", alex, http.StatusForbidden}, // a member, not an owner
		{http.MethodGet, "/v1.0/teams/" + demo.TeamID, alex, http.StatusOK},
		{http.MethodGet, "/v1.0/teams/" + demo.TeamID + "/channels", alex, http.StatusOK},
		{http.MethodGet, "/v1.0/teams/" + demo.TeamID, megan, http.StatusForbidden}, // not a member
		{http.MethodGet, "/v1.0/groups/" + demo.LegalGroup, megan, http.StatusOK},   // any user reads groups
		{http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/unarchive", bot, http.StatusForbidden},
		{http.MethodGet, "/v1.0/teams/" + demo.TeamID + "/members", bot, http.StatusForbidden},
		{http.MethodPut, "/v1.0/groups/" + demo.SalesGroup + "/team", bot, http.StatusForbidden},
		{http.MethodGet, "/v1.0/groups/00000000-0000-0000-0000-000000000000", e.consoleToken(), http.StatusNotFound},
	}
	for _, tt := range tests {
		if res := e.do(tt.method, tt.path, tt.token); res.status != tt.status {
			t.Errorf("%s %s: %d %s", tt.method, tt.path, res.status, res.body)
		}
	}
}

// TestAcceptedHeaders: each 202 carries the Content-Type and the form of
// Location its page's example shows (http/teams.go, writeTeamAccepted).
func TestAcceptedHeaders(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	team := "/teams/" + demo.TeamID
	channel := team + "/channels/" + service.GeneralChannelID(demo.TeamID)
	keyForm := "^/teams\\('" + demo.TeamID + "'\\)/operations\\('[0-9a-f-]{36}'\\)$"
	segmentForm := "^/teams/" + demo.TeamID + "/operations/[0-9a-f-]{36}$"
	clone := map[string]any{"displayName": "Clone", "mailNickname": "clone202", "partsToClone": "apps", "visibility": "public"}
	for _, c := range []struct {
		path        string
		body        any
		contentType string
		location    string
	}{
		{channel + "/archive", nil, "text/plain", segmentForm},   // channel-archive.md
		{channel + "/unarchive", nil, "text/plain", segmentForm}, // channel-unarchive.md
		{team + "/clone", clone, "text/plain", keyForm},          // team-clone.md
		{team + "/archive", nil, "text/plain", keyForm},          // team-archive.md
		{team + "/unarchive", nil, "text/plain", keyForm},        // team-unarchive.md
	} {
		res := e.send(http.MethodPost, "/v1.0"+c.path, token, c.body)
		loc := res.header.Get("Location")
		if res.status != http.StatusAccepted || len(res.body) != 0 || res.header.Get("Content-Type") != c.contentType ||
			!regexp.MustCompile(c.location).MatchString(loc) || res.header.Get("Content-Location") != "" {
			t.Errorf("POST %s: %d, Content-Type %q, Location %q, body %s", c.path, res.status, res.header.Get("Content-Type"), loc, res.body)
			continue
		}
		// The Location resolves on both versions, as Graph's does.
		poll(t, e, e.base+"/v1.0"+loc, token)
		poll(t, e, e.base+"/beta"+loc, token)
	}
}
