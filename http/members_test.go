package http_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// TestListTeamMembers: a team's members are aadUserConversationMember
// objects with the properties of a chat's, in the same order ("List
// members of team" and "List members of a chat" show the same shape).
func TestListTeamMembers(t *testing.T) {
	e := newEnv(t)
	res := e.get("/v1.0/teams/"+demo.TeamID+"/members", e.consoleToken())
	body := res.json(t)
	values, _ := body["value"].([]any)
	if res.status != http.StatusOK || body["@odata.count"] != 2.0 || len(values) != 2 ||
		body["@odata.context"] != e.base+"/v1.0/$metadata#teams('"+demo.TeamID+"')/members" {
		t.Fatalf("%d %s", res.status, res.body)
	}
	byUser := map[string]map[string]any{}
	for _, v := range values {
		m := v.(map[string]any)
		byUser[m["userId"].(string)] = m
	}
	adele, alex := byUser[demo.UserAdele], byUser[demo.UserAlex]
	wantID := base64.StdEncoding.EncodeToString([]byte("0##" + demo.TenantID + "##" + demo.TeamID + "##" + demo.UserAdele))
	if adele["@odata.type"] != "#microsoft.graph.aadUserConversationMember" || adele["id"] != wantID ||
		adele["displayName"] != "Adele Vance" || adele["email"] != "AdeleV@contoso.onmicrosoft.com" ||
		adele["tenantId"] != demo.TenantID || adele["visibleHistoryStartDateTime"] != "0001-01-01T00:00:00Z" ||
		!slices.Equal(adele["roles"].([]any), []any{"owner"}) {
		t.Errorf("Adele %v", adele)
	}
	// A member without a role has an empty list, never null.
	if roles, ok := alex["roles"].([]any); !ok || len(roles) != 0 {
		t.Errorf("Alex %v", alex)
	}

	chat := e.get("/v1.0/chats/"+demo.ChatID+"/members", e.appToken(otherApp, "ChatMember.Read.All"))
	if team, chat := firstValueKeys(t, res.body), firstValueKeys(t, chat.body); len(team) != 8 || !slices.Equal(team, chat) {
		t.Errorf("a team member's properties %v, a chat member's %v", team, chat)
	}
}

// firstValueKeys lists the property names of a collection's first value,
// in the order the body holds them.
func firstValueKeys(t *testing.T, body []byte) []string {
	t.Helper()
	var c struct{ Value []json.RawMessage }
	if err := json.Unmarshal(body, &c); err != nil || len(c.Value) == 0 {
		t.Fatalf("not a collection with a value: %v %s", err, body)
	}
	dec := json.NewDecoder(bytes.NewReader(c.Value[0]))
	if _, err := dec.Token(); err != nil { // the object's {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key.(string))
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
