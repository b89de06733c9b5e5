package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

const graphV1 = "https://graph.microsoft.com/v1.0"

// send sends body (marshalled to JSON unless nil) with a JSON content type.
func (e *env) send(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	if body == nil {
		return e.do(method, path, token, headers...)
	}
	raw, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.doBody(method, path, token, raw, append([]string{"Content-Type", "application/json"}, headers...)...)
}

// accepted checks a 202 without a body and returns its Location.
func accepted(t *testing.T, res response) string {
	t.Helper()
	loc := res.header.Get("Location")
	if res.status != http.StatusAccepted || len(res.body) != 0 || !strings.HasPrefix(loc, "/teams") {
		t.Fatalf("status %d, Location %q, body %s", res.status, loc, res.body)
	}
	return loc
}

// runOp POSTs (or PUTs) an action and polls its Location on version until
// the operation ends; it returns the operation and the response.
func (e *env) runOp(version, method, path, token string, body any, headers ...string) (map[string]any, response) {
	e.t.Helper()
	res := e.send(method, "/"+version+path, token, body, headers...)
	loc := accepted(e.t, res)
	op := poll(e.t, e, e.base+"/"+version+loc, token)
	id := op["id"].(string)
	if !strings.HasSuffix(loc, "/operations('"+id+"')") && !strings.HasSuffix(loc, "/operations/"+id) || len(id) != 36 {
		e.t.Errorf("Location %s, operation %v", loc, op)
	}
	return op, res
}

// getOK GETs path and decodes a 200 answer.
func (e *env) getOK(path, token string) map[string]any {
	e.t.Helper()
	res := e.get(path, token)
	if res.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	return res.json(e.t)
}

// unarchive unarchives the archived team or channel of path, first with a
// fault that fails the operation, then for good; it must end unarchived.
func (e *env) unarchive(path, token, typ string) {
	e.t.Helper()
	op, _ := e.runOp("beta", http.MethodPost, path+"/unarchive", token, nil, "X-Teamsops-Fault", "fail")
	wantStatus(e.t, op, "failed", typ)
	op, _ = e.runOp("beta", http.MethodPost, path+"/unarchive", token, nil)
	wantStatus(e.t, op, "succeeded", typ)
	if e.getOK("/v1.0"+path, token)["isArchived"] != false {
		e.t.Errorf("unarchive left %s archived", path)
	}
}

func wantStatus(t *testing.T, op map[string]any, status, typ string) {
	t.Helper()
	if op["status"] != status || op["operationType"] != typ {
		t.Errorf("operation %v: want %s %s", op, typ, status)
	}
	if status == "failed" {
		if e, _ := op["error"].(map[string]any); e["code"] != "serviceNotAvailable" {
			t.Errorf("failed operation's error: %v", op["error"])
		}
	}
}

func userBind(id string, owner bool) map[string]any {
	roles := []string{}
	if owner {
		roles = []string{"owner"}
	}
	return map[string]any{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": roles,
		"user@odata.bind": graphV1 + "/users('" + id + "')"}
}

func newTeamBody(name string) map[string]any {
	return map[string]any{
		"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "displayName": name,
		"description": name + " team", "visibility": "Public",
		"members":        []any{userBind(demo.UserAlex, true), userBind(demo.UserMegan, false)},
		"channels":       []any{map[string]any{"displayName": "Planning", "isFavoriteByDefault": true}},
		"installedApps":  []any{map[string]any{"teamsApp@odata.bind": graphV1 + "/appCatalogs/teamsApps('" + demo.TeamsAppID + "')"}},
		"memberSettings": map[string]any{"allowDeleteChannels": false},
	}
}

func names(values []any, key string) []string {
	var out []string
	for _, v := range values {
		out = append(out, v.(map[string]any)[key].(string))
	}
	return out
}

// TestCreateTeam walks POST /teams → 202 → poll → succeeded, then reads
// the team, its channels, members, group and apps; and a failed one.
func TestCreateTeam(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	op, res := e.runOp("v1.0", http.MethodPost, "/teams", token, newTeamBody("Launch"))
	wantStatus(t, op, "succeeded", "createTeam")
	id := op["targetResourceId"].(string)
	if res.header.Get("Content-Location") != "/teams('"+id+"')" || op["targetResourceLocation"] != "/teams('"+id+"')" ||
		!strings.HasPrefix(res.header.Get("Location"), "/teams('"+id+"')/operations('") {
		t.Errorf("headers %v, operation %v", res.header, op)
	}
	team := e.getOK("/v1.0/teams/"+id, token)
	ms, _ := team["memberSettings"].(map[string]any)
	if team["displayName"] != "Launch" || team["visibility"] != "public" || team["isArchived"] != false ||
		ms["allowDeleteChannels"] != false || ms["allowAddRemoveApps"] != true ||
		team["@odata.context"] != e.base+"/v1.0/$metadata#teams/$entity" || team["discoverySettings"] != nil {
		t.Errorf("team %v", team)
	}
	channels := e.getOK("/v1.0/teams('"+id+"')/channels", token)
	if got := names(channels["value"].([]any), "displayName"); strings.Join(got, ",") != "General,Planning" {
		t.Errorf("channels %v", got)
	}
	members := e.getOK("/beta/teams/"+id+"/members", token)
	if members["@odata.count"] != 2.0 {
		t.Errorf("members %v", members)
	}
	group := e.getOK("/v1.0/groups/"+id, token)
	if group["mailNickname"] != "Launch" || group["visibility"] != "Public" ||
		group["resourceProvisioningOptions"].([]any)[0] != "Team" {
		t.Errorf("group %v", group)
	}
	installs, err := e.store.AppInstallations(context.Background(), demo.TenantID, teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: id})
	if err != nil || len(installs) != 1 || installs[0].TeamsAppID != demo.TeamsAppID {
		t.Errorf("installed apps %v, %v", installs, err)
	}

	// A second team of the same name gets another mailNickname.
	op, _ = e.runOp("beta", http.MethodPost, "/teams", token, newTeamBody("Launch"))
	if g := e.getOK("/v1.0/groups/"+op["targetResourceId"].(string), token); g["mailNickname"] == "Launch" {
		t.Errorf("a taken mailNickname was given again: %v", g)
	}

	// The failure path: the operation fails and no team is visible.
	op, _ = e.runOp("beta", http.MethodPost, "/teams", token, newTeamBody("Doomed"), "X-Teamsops-Fault", "fail")
	wantStatus(t, op, "failed", "createTeam")
	if res := e.get("/v1.0/teams/"+op["targetResourceId"].(string), token); res.status != http.StatusNotFound {
		t.Errorf("the team of a failed createTeam: %d %s", res.status, res.body)
	}
}

// TestCreateTeamDelegated: the signed-in user becomes the owner.
func TestCreateTeamDelegated(t *testing.T) {
	e := newEnv(t)
	token := e.userToken(demo.UserMegan, "Team.Create", "Team.ReadBasic.All", "TeamMember.Read.All")
	body := map[string]any{"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "displayName": "Megan's"}
	op, _ := e.runOp("v1.0", http.MethodPost, "/teams", token, body)
	wantStatus(t, op, "succeeded", "createTeam")
	members := e.getOK("/v1.0/teams/"+op["targetResourceId"].(string)+"/members", token)
	m := members["value"].([]any)[0].(map[string]any)
	if members["@odata.count"] != 1.0 || m["userId"] != demo.UserMegan || m["roles"].([]any)[0] != "owner" {
		t.Errorf("members %v", members)
	}
	if res := e.send(http.MethodPost, "/v1.0/teams", e.consoleToken(), map[string]any{
		"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "displayName": "No owner",
	}); res.status != http.StatusBadRequest {
		t.Errorf("an application's team without an owner: %d %s", res.status, res.body)
	}
}

// TestCloneTeam clones the demo team with some parts, then proves the
// new team carries exactly those; a taken mailNickname is refused.
func TestCloneTeam(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	res := e.send(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/channels", token, map[string]any{"displayName": "Campaigns"})
	if res.status != http.StatusCreated || res.json(t)["membershipType"] != "standard" {
		t.Fatalf("create channel: %d %s", res.status, res.body)
	}
	body := map[string]any{"displayName": "Library Assist", "mailNickname": "libassist",
		"partsToClone": "channels,settings", "visibility": "public"}
	op, _ := e.runOp("beta", http.MethodPost, "/teams/"+demo.TeamID+"/clone", token, body)
	wantStatus(t, op, "succeeded", "cloneTeam")
	id := op["targetResourceId"].(string)
	if id == demo.TeamID || op["targetResourceLocation"] != "/teams('"+id+"')" {
		t.Fatalf("clone's target %v", op)
	}
	team := e.getOK("/v1.0/teams/"+id, token)
	if team["displayName"] != "Library Assist" || team["description"] != "Library Assist" || team["visibility"] != "public" {
		t.Errorf("clone %v", team)
	}
	channels := e.getOK("/v1.0/teams/"+id+"/channels", token)
	if got := names(channels["value"].([]any), "displayName"); strings.Join(got, ",") != "General,Campaigns" {
		t.Errorf("cloned channels %v", got)
	}
	// Members were not cloned: the owners only, so the team has one.
	members := e.getOK("/v1.0/teams/"+id+"/members", token)
	if members["@odata.count"] != 1.0 {
		t.Errorf("members of a clone without members %v", members)
	}

	again := e.send(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/clone", token, body)
	if again.status != http.StatusBadRequest || !strings.Contains(string(again.body), "mailNickname already exists") {
		t.Errorf("a second clone with a taken mailNickname: %d %s", again.status, again.body)
	}

	body["mailNickname"] = "doomed"
	body["partsToClone"] = "apps,tabs,settings,channels,members"
	op, _ = e.runOp("v1.0", http.MethodPost, "/teams/"+demo.TeamID+"/clone", token, body, "X-Teamsops-Fault", "fail")
	wantStatus(t, op, "failed", "cloneTeam")
	if res := e.get("/v1.0/teams/"+op["targetResourceId"].(string), token); res.status != http.StatusNotFound {
		t.Errorf("the team of a failed clone: %d", res.status)
	}
}

// TestArchiveTeam archives and unarchives the demo team, with the
// refusals of an archived team, and a failure of each.
func TestArchiveTeam(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	team := "/teams/" + demo.TeamID
	op, _ := e.runOp("v1.0", http.MethodPost, team+"/archive", token, map[string]any{"shouldSetSpoSiteReadOnlyForMembers": true},
		"X-Teamsops-Fault", "fail")
	wantStatus(t, op, "failed", "archiveTeam")
	if e.getOK("/v1.0"+team, token)["isArchived"] != false {
		t.Errorf("a failed archive archived the team")
	}

	op, _ = e.runOp("v1.0", http.MethodPost, team+"/archive", token, nil)
	wantStatus(t, op, "succeeded", "archiveTeam")
	if op["targetResourceId"] != demo.TeamID || e.getOK("/v1.0"+team, token)["isArchived"] != true {
		t.Errorf("archive: %v", op)
	}
	general := service.GeneralChannelID(demo.TeamID)
	refusals := []struct {
		path   string
		body   any
		status int
	}{
		{team + "/archive", nil, http.StatusConflict},
		{team + "/channels/" + general + "/archive", nil, http.StatusBadRequest},
		{team + "/channels", map[string]any{"displayName": "Late"}, http.StatusBadRequest},
	}
	for _, r := range refusals {
		if res := e.send(http.MethodPost, "/v1.0"+r.path, token, r.body); res.status != r.status {
			t.Errorf("POST %s on an archived team: %d %s", r.path, res.status, res.body)
		}
	}

	e.unarchive(team, token, "unarchiveTeam")
	if res := e.send(http.MethodPost, "/v1.0"+team+"/unarchive", token, nil); res.status != http.StatusConflict {
		t.Errorf("unarchive an active team: %d %s", res.status, res.body)
	}
}

// TestTeamifyGroup makes teams of the demo groups: PUT /groups/{id}/team,
// which answers 201 with the team (team-put-teams.md), and POST /teams
// with group@odata.bind, the teamifyGroup operation, after a failed one.
func TestTeamifyGroup(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	res := e.send(http.MethodPut, "/v1.0/groups/"+demo.SalesGroup+"/team", token,
		map[string]any{"funSettings": map[string]any{"allowGiphy": false, "giphyContentRating": "strict"}})
	if res.status != http.StatusCreated || res.header.Get("Location") != "" {
		t.Fatalf("PUT: %d, Location %q: %s", res.status, res.header.Get("Location"), res.body)
	}
	created := res.json(t)
	team := e.getOK("/v1.0/teams/"+demo.SalesGroup, token)
	fun := team["funSettings"].(map[string]any)
	if team["displayName"] != "Contoso Sales" || team["visibility"] != "public" || fun["allowGiphy"] != false ||
		created["id"] != demo.SalesGroup || created["@odata.context"] != e.base+"/v1.0/$metadata#teams/$entity" ||
		created["createdDateTime"] != team["createdDateTime"] {
		t.Errorf("created %v, read back %v", created, team)
	}
	if got := e.getOK("/v1.0/teams/"+demo.SalesGroup+"/members", token); got["@odata.count"] != 2.0 {
		t.Errorf("members %v", got)
	}
	if got := e.getOK("/v1.0/teams/"+demo.SalesGroup+"/channels", token); len(got["value"].([]any)) != 1 {
		t.Errorf("channels %v", got)
	}
	if res := e.send(http.MethodPut, "/v1.0/groups/"+demo.SalesGroup+"/team", token, map[string]any{}); res.status != http.StatusConflict {
		t.Errorf("a group that has a team: %d %s", res.status, res.body)
	}

	body := map[string]any{
		"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "group@odata.bind": graphV1 + "/groups('" + demo.LegalGroup + "')",
	}
	op, _ := e.runOp("beta", http.MethodPost, "/teams", token, body, "X-Teamsops-Fault", "fail")
	wantStatus(t, op, "failed", "teamifyGroup")
	if res := e.get("/v1.0/teams/"+demo.LegalGroup, token); res.status != http.StatusNotFound {
		t.Errorf("the team of a failed teamify: %d", res.status)
	}
	op, _ = e.runOp("beta", http.MethodPost, "/teams", token, map[string]any{
		"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "group@odata.bind": graphV1 + "/groups('" + demo.LegalGroup + "')",
	})
	wantStatus(t, op, "succeeded", "teamifyGroup")
	if g := e.getOK("/v1.0/groups/"+demo.LegalGroup, token); g["resourceProvisioningOptions"].([]any)[0] != "Team" {
		t.Errorf("group %v", g)
	}
}

// TestTeamOfAnotherTenant: every team action and read on a team another
// tenant owns is 404, revealing nothing.
func TestTeamOfAnotherTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const other, otherTeam = "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", "e1e1e1e1-2222-4e2b-9c3d-5e6f7a8b9c0d"
	if err := e.store.CreateTenant(ctx, &teamsops.Tenant{ID: other}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateTeam(ctx, &teamsops.Team{ID: otherTeam, TenantID: other, CreatedDateTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	token := e.consoleToken()
	bodies := map[string]any{"/archive": nil, "/unarchive": nil, "/channels": map[string]any{"displayName": "x"},
		"/clone": map[string]any{"displayName": "x", "partsToClone": "apps"}}
	for path, body := range bodies {
		if res := e.send(http.MethodPost, "/v1.0/teams/"+otherTeam+path, token, body); res.status != http.StatusNotFound {
			t.Errorf("POST %s: %d %s", path, res.status, res.body)
		}
	}
	for _, path := range []string{"", "/channels", "/members"} {
		if res := e.get("/v1.0/teams/"+otherTeam+path, token); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, res.status, res.body)
		}
	}
}
