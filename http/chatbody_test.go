package http

import (
	"reflect"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

const (
	testBase = "http://127.0.0.1:8080"
	adele    = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	alex     = "82af01c5-f7cc-4a2e-a728-3a5df21afd9d"
)

// memberJSON is a member as the "Create chat" examples write one.
func memberJSON(bind string) string {
	return `{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],"user@odata.bind":"` + bind + `"}`
}

func TestBindKey(t *testing.T) {
	tests := []struct {
		bind string
		set  []string
		want string // "" for refused
	}{
		{"https://graph.microsoft.com/v1.0/users('" + adele + "')", []string{"users"}, adele},
		{"https://graph.microsoft.com/beta/users/" + adele, []string{"users"}, adele},
		{"https://GRAPH.microsoft.com/v1.0/users('AdeleV@contoso.onmicrosoft.com')", []string{"users"}, "AdeleV@contoso.onmicrosoft.com"},
		{testBase + "/v1.0/users('" + adele + "')", []string{"users"}, adele},
		{"users('" + adele + "')", []string{"users"}, adele},
		{"/users/" + adele, []string{"users"}, adele},
		{"/beta/users(" + adele + ")", []string{"users"}, adele},
		{"users('O''Brien@contoso.com')", []string{"users"}, "O'Brien@contoso.com"},
		{"users('a%40b.com')", []string{"users"}, "a@b.com"},
		{"https://graph.microsoft.com/beta/appCatalogs/teamsApps/05F59CEC-A742-4A50-A62E-202A57E478A4", []string{"appCatalogs", "teamsApps"}, "05F59CEC-A742-4A50-A62E-202A57E478A4"},
		{"/appCatalogs/teamsApps('x')", []string{"appCatalogs", "teamsApps"}, "x"},
		{"https://evil.example.com/v1.0/users('" + adele + "')", []string{"users"}, ""},
		{"https://graph.microsoft.com/v1.0/groups('" + adele + "')", []string{"users"}, ""},
		{"https://graph.microsoft.com/v1.0/users", []string{"users"}, ""},
		{"https://graph.microsoft.com/v1.0/users('x')/manager", []string{"users"}, ""},
		{"https://graph.microsoft.com/v1.0/users('x')?$select=id", []string{"users"}, ""},
		{"https://user@graph.microsoft.com/v1.0/users('x')", []string{"users"}, ""},
		{"", []string{"users"}, ""},
		{"/appCatalogs('a')/teamsApps('x')", []string{"appCatalogs", "teamsApps"}, ""},
		{"/teamsApps('x')", []string{"appCatalogs", "teamsApps"}, ""},
	}
	for _, tt := range tests {
		got, err := bindKey(tt.bind, testBase, tt.set...)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("bindKey(%q) = %q, %v; want %q", tt.bind, got, err, tt.want)
		}
	}
}

func TestDecodeCreateChat(t *testing.T) {
	two := memberJSON("https://graph.microsoft.com/v1.0/users('"+adele+"')") + "," + memberJSON("users/"+alex)
	topic := "Launch"
	tests := []struct {
		name, body string
		want       service.NewChat
	}{
		{"oneOnOne", `{"chatType":"oneOnOne","members":[` + two + `]}`,
			service.NewChat{ChatType: "oneOnOne", Members: []service.NewMember{{User: adele, Roles: []string{"owner"}}, {User: alex, Roles: []string{"owner"}}}}},
		{"group with topic and app", `{"chatType":"group","topic":"Launch","members":[` + two + `],"installedApps":[{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/app-1"}]}`,
			service.NewChat{ChatType: "group", Topic: &topic, Members: []service.NewMember{{User: adele, Roles: []string{"owner"}}, {User: alex, Roles: []string{"owner"}}}, AppIDs: []string{"app-1"}}},
		{"null topic, annotations and read-only properties ignored", `{"@odata.type":"#microsoft.graph.chat","id":"x","webUrl":null,"topic":null,"chatType":"oneOnOne","members":[` + two + `],"installedApps":null}`,
			service.NewChat{ChatType: "oneOnOne", Members: []service.NewMember{{User: adele, Roles: []string{"owner"}}, {User: alex, Roles: []string{"owner"}}}}},
	}
	for _, tt := range tests {
		got, err := decodeCreateChat([]byte(tt.body), testBase)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
		} else if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestDecodeCreateChatRefusals(t *testing.T) {
	two := memberJSON("users('"+adele+"')") + "," + memberJSON("users('"+alex+"')")
	tests := []struct{ name, body, message string }{
		{"not JSON", `{"chatType":`, "Unable to read JSON request payload"},
		{"an array", `[]`, "Unable to read JSON request payload"},
		{"null", `null`, "Unable to read JSON request payload"},
		{"trailing data", `{"chatType":"group"} {}`, "Unable to read JSON request payload"},
		{"chatType a number", `{"chatType":1,"members":[` + two + `]}`, "'chatType' must be a string"},
		{"members an object", `{"chatType":"group","members":{}}`, "'members' must be an array"},
		{"a member a string", `{"chatType":"group","members":["users('a')","users('b')"]}`, "'members' must be an array of objects"},
		{"an app null", `{"chatType":"group","members":[` + two + `],"installedApps":[null]}`, "'installedApps' must be an array of objects"},
		{"roles a string", `{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":"owner","user@odata.bind":"users('a')"},` + memberJSON("users('b')") + `]}`, "'roles' must be an array of strings"},
		{"unknown property", `{"chatType":"group","colour":"red","members":[` + two + `]}`, "'colour' does not exist on type 'microsoft.graph.chat'"},
		{"unknown member property", `{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],"user@odata.bind":"users('a')","nick":"x"},` + memberJSON("users('b')") + `]}`, "'nick' does not exist"},
		{"wrong member type", `{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.skypeUserConversationMember","roles":["owner"],"user@odata.bind":"users('a')"},` + memberJSON("users('b')") + `]}`, "must be '#microsoft.graph.aadUserConversationMember'"},
		{"member without bind", `{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"]},` + memberJSON("users('b')") + `]}`, "'user@odata.bind'"},
		{"missing chatType", `{"members":[` + two + `]}`, "'chatType' is required"},
		{"missing members", `{"chatType":"group"}`, "'members' is required"},
		{"meeting", `{"chatType":"meeting","members":[` + two + `]}`, "chatType 'meeting' is not supported"},
		{"topic on oneOnOne", `{"chatType":"oneOnOne","topic":"x","members":[` + two + `]}`, "only on a group chat"},
		{"oneOnOne of one", `{"chatType":"oneOnOne","members":[` + memberJSON("users('a')") + `]}`, "exactly 2 members"},
		{"group of one", `{"chatType":"group","members":[` + memberJSON("users('a')") + `]}`, "between 2 and 250"},
		{"duplicate members", `{"chatType":"group","members":[` + memberJSON("users('A@x.com')") + "," + memberJSON("users/a@x.com") + `]}`, "more than once"},
		{"guest role", `{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["guest"],"user@odata.bind":"users('a')"},` + memberJSON("users('b')") + `]}`, "role 'owner'"},
		{"bind elsewhere", `{"chatType":"group","members":[` + memberJSON("https://example.com/v1.0/users('a')") + "," + memberJSON("users('b')") + `]}`, "does not name an item of /users"},
		{"two apps", `{"chatType":"group","members":[` + two + `],"installedApps":[{"teamsApp@odata.bind":"/appCatalogs/teamsApps/a"},{"teamsApp@odata.bind":"/appCatalogs/teamsApps/b"}]}`, "Only one app"},
		{"app without bind", `{"chatType":"group","members":[` + two + `],"installedApps":[{}]}`, "'teamsApp@odata.bind'"},
		{"app bound to a user", `{"chatType":"group","members":[` + two + `],"installedApps":[{"teamsApp@odata.bind":"users('a')"}]}`, "does not name an item of /appCatalogs/teamsApps"},
		{"NUL in topic", `{"chatType":"group","topic":"a\u0000b","members":[` + two + `]}`, "not valid text"},
	}
	for _, tt := range tests {
		_, err := decodeCreateChat([]byte(tt.body), testBase)
		if teamsops.ErrorCode(err) != teamsops.EINVALID || !strings.Contains(teamsops.ErrorMessage(err), tt.message) {
			t.Errorf("%s: %v, want EINVALID containing %q", tt.name, err, tt.message)
		}
	}
}

// FuzzDecodeCreateChat: whatever the body, decoding never panics, refuses
// with EINVALID only, and every body it accepts is a valid request.
func FuzzDecodeCreateChat(f *testing.F) {
	two := memberJSON("https://graph.microsoft.com/v1.0/users('"+adele+"')") + "," + memberJSON("users/"+alex)
	for _, s := range []string{
		`{"chatType":"oneOnOne","members":[` + two + `]}`,
		`{"chatType":"group","topic":"t","members":[` + two + `],"installedApps":[{"teamsApp@odata.bind":"/appCatalogs/teamsApps('x')"}]}`,
		`{"chatType":"group","members":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],"user@odata.bind":"users('a')","tenantId":"t"}]}`,
		`{}`, `[]`, `null`, `{"chatType":null}`, `{"members":[null]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		nc, err := decodeCreateChat(body, testBase)
		wantValidRequest(t, body, nc, err)
	})
}
