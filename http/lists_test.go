package http_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
)

// addChats gives Adele n more group chats with Megan, created a second
// apart after the demo chat.
func addChats(t *testing.T, e *env, n int) {
	t.Helper()
	for i := range n {
		err := e.store.CreateChat(context.Background(), &teamsops.Chat{
			ID: "19:extra" + string(rune('a'+i)) + "@thread.v2", TenantID: demo.TenantID, ChatType: "group",
			Topic: "Extra", CreatedDateTime: time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC),
			Members: []teamsops.Member{{UserID: demo.UserAdele, Roles: []string{"owner"}}, {UserID: demo.UserMegan, Roles: []string{"owner"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func values(body map[string]any) []any { v, _ := body["value"].([]any); return v }

// TestListChats: /me/chats, /chats and /users/{id}/chats, with their
// permissions, $filter, $expand, paging and $top's maximum.
func TestListChats(t *testing.T) {
	e := newEnv(t)
	addChats(t, e, 3)
	adele := e.userToken(demo.UserAdele, "Chat.ReadBasic")
	for _, path := range []string{"/v1.0/me/chats", "/beta/chats", "/v1.0/users/" + demo.UserAdele + "/chats", "/v1.0/users('" + demo.UserAdele + "')/chats"} {
		body := e.getOK(path, adele)
		if got := values(body); len(got) != 4 || body["@odata.count"] != 4.0 || got[0].(map[string]any)["id"] != demo.ChatID {
			t.Errorf("GET %s: %v", path, body)
		}
	}
	megan := e.getOK("/v1.0/me/chats", e.userToken(demo.UserMegan, "Chat.Read"))
	if len(values(megan)) != 3 {
		t.Errorf("Megan's chats: %v", megan)
	}
	app := e.appToken(demo.ConsoleApp, "Chat.Read.All")
	if got := values(e.getOK("/v1.0/users/"+demo.UserAlex+"/chats", app)); len(got) != 1 {
		t.Errorf("Alex's chats for an app: %v", got)
	}

	// $filter, $expand=members, $select.
	body := e.getOK("/v1.0/me/chats?$filter=chatType%20eq%20'group'%20and%20topic%20ne%20'Extra'&$expand=members", adele)
	if got := values(body); len(got) != 1 || len(got[0].(map[string]any)["members"].([]any)) != 2 ||
		body["@odata.context"] != e.base+"/v1.0/$metadata#chats(members())" {
		t.Errorf("filtered, expanded: %v", body)
	}
	body = e.getOK("/beta/me/chats?$select=id,topic&$top=2", adele)
	next, _ := body["@odata.nextLink"].(string)
	if first := values(body)[0].(map[string]any); len(first) != 2 || next == "" {
		t.Fatalf("selected page: %v", body)
	}
	if got := values(e.getOK(next, adele)); len(got) != 2 || got[1].(map[string]any)["id"] != "19:extrac@thread.v2" {
		t.Errorf("second page: %v", got)
	}

	tests := []struct {
		name, path, token string
		status            int
	}{
		{"application on /me", "/v1.0/me/chats", app, http.StatusBadRequest},
		{"application on /chats", "/v1.0/chats", app, http.StatusBadRequest},
		{"another user's chats", "/v1.0/users/" + demo.UserAlex + "/chats", adele, http.StatusForbidden},
		{"no permission", "/v1.0/me/chats", e.userToken(demo.UserAdele, "Team.ReadBasic.All"), http.StatusForbidden},
		{"app without permission", "/v1.0/users/" + demo.UserAlex + "/chats", e.appToken(demo.ConsoleApp, "Team.ReadBasic.All"), http.StatusForbidden},
		{"unknown user", "/v1.0/users/0b0b0b0b-0000-4000-8000-000000000000/chats", app, http.StatusNotFound},
		{"$top above 50", "/v1.0/me/chats?$top=51", adele, http.StatusBadRequest},
		{"lambda $filter", "/beta/me/chats?$filter=members/any(o:o/displayname%20eq%20'Adele')", adele, http.StatusBadRequest},
		{"$orderby", "/beta/me/chats?$orderby=lastMessagePreview/createdDateTime%20desc", adele, http.StatusBadRequest},
		{"unknown property", "/v1.0/me/chats?$select=nickname", adele, http.StatusBadRequest},
	}
	for _, tt := range tests {
		if res := e.get(tt.path, tt.token); res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
}

// TestListJoinedTeams: the teams a user is a direct member of; delegated
// callers list their own, applications anyone's but not /me's; no query
// options.
func TestListJoinedTeams(t *testing.T) {
	e := newEnv(t)
	want := []map[string]any{{"id": demo.TeamID, "displayName": "Contoso Marketing", "description": "Marketing campaigns and launches."}}
	check := func(what string, body map[string]any, n int) {
		t.Helper()
		got := values(body)
		if len(got) != n || n > 0 && (len(got[0].(map[string]any)) != 3 || got[0].(map[string]any)["id"] != want[0]["id"]) {
			t.Errorf("%s: %v", what, body)
		}
	}
	check("Adele's", e.getOK("/v1.0/me/joinedTeams", e.userToken(demo.UserAdele, "Team.ReadBasic.All")), 1)
	check("Megan's", e.getOK("/beta/me/joinedTeams", e.userToken(demo.UserMegan, "User.Read.All")), 0)
	app := e.appToken(demo.ConsoleApp, "Team.ReadBasic.All")
	check("Alex's, for an app", e.getOK("/v1.0/users/"+demo.UserAlex+"/joinedTeams", app), 1)
	check("Adele's by id", e.getOK("/v1.0/users/"+demo.UserAdele+"/joinedTeams", e.userToken(demo.UserAdele, "Team.ReadBasic.All")), 1)
	tests := []struct {
		name, path, token string
		status            int
	}{
		{"application on /me", "/v1.0/me/joinedTeams", app, http.StatusBadRequest},
		{"another user's", "/v1.0/users/" + demo.UserAlex + "/joinedTeams", e.userToken(demo.UserAdele, "Team.ReadBasic.All"), http.StatusForbidden},
		{"no permission", "/v1.0/me/joinedTeams", e.userToken(demo.UserAdele, "Chat.Read"), http.StatusForbidden},
		{"a query option", "/v1.0/me/joinedTeams?$top=1", e.userToken(demo.UserAdele, "Team.ReadBasic.All"), http.StatusBadRequest},
	}
	for _, tt := range tests {
		if res := e.get(tt.path, tt.token); res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
}

// TestListTeams: every team of the tenant, with $filter, $select, $top,
// $count and paging; Team.ReadBasic.All and the settings permissions.
func TestListTeams(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	e.runOp("v1.0", http.MethodPost, "/teams", token, newTeamBody("Launch"))
	app := e.appToken(demo.ConsoleApp, "TeamSettings.Read.All")
	body := e.getOK("/v1.0/teams?$count=true", app)
	if got := values(body); len(got) != 2 || body["@odata.count"] != 2.0 || got[0].(map[string]any)["id"] != demo.TeamID {
		t.Errorf("all teams: %v", body)
	}
	body = e.getOK("/v1.0/teams?$filter=displayName%20eq%20'Launch'&$select=id,description", app)
	if got := values(body); len(got) != 1 || len(got[0].(map[string]any)) != 2 || got[0].(map[string]any)["description"] != "Launch team" ||
		body["@odata.context"] != e.base+"/v1.0/$metadata#teams(id,description)" {
		t.Errorf("filtered: %v", body)
	}
	body = e.getOK("/beta/teams?$top=1", e.userToken(demo.UserMegan, "Team.ReadBasic.All"))
	next, _ := body["@odata.nextLink"].(string)
	if len(values(body)) != 1 || !strings.Contains(next, "$skip=1") {
		t.Fatalf("first page: %v", body)
	}
	if got := values(e.getOK(next, app)); len(got) != 1 || got[0].(map[string]any)["displayName"] != "Launch" {
		t.Errorf("second page: %v", got)
	}
	body = e.getOK("/v1.0/teams?$filter=startswith(displayName,'la')%20or%20startswith(description,'Nothing')&$top=2", app)
	if got := values(body); len(got) != 1 || got[0].(map[string]any)["displayName"] != "Launch" {
		t.Errorf("startswith, ignoring case: %v", body)
	}
	for _, tt := range []struct {
		name, path, token string
		status            int
	}{
		{"no permission", "/v1.0/teams", e.appToken(demo.ConsoleApp, "Chat.Read.All"), http.StatusForbidden},
		{"Group.Read.All is not enough", "/v1.0/teams", e.appToken(demo.ConsoleApp, "Group.Read.All"), http.StatusForbidden},
		{"startswith on chats", "/v1.0/me/chats?$filter=startswith(topic,'A')", e.userToken(demo.UserAdele, "Chat.Read"), http.StatusBadRequest},
		{"startswith without a string", "/v1.0/teams?$filter=startswith(displayName,1)", app, http.StatusBadRequest},
		{"endswith", "/v1.0/teams?$filter=endswith(displayName,'A')", app, http.StatusBadRequest},
		{"unknown property", "/v1.0/teams?$select=visibility", app, http.StatusBadRequest},
	} {
		if res := e.get(tt.path, tt.token); res.status != tt.status {
			t.Errorf("%s: %d %s", tt.name, res.status, res.body)
		}
	}
}
