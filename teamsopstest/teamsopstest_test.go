package teamsopstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/teamsopstest"
	"github.com/teamsops/teamsops/tenantfile"
)

// call sends a request with a bearer token and headers (name, value…),
// and returns the status, the Location header and the body.
func call(t *testing.T, srv *teamsopstest.Server, token, method, path, body string, headers ...string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Location"), b
}

// operation is what a poll reads of a teamsAsyncOperation.
type operation struct {
	ID, Status, TargetResourceID string
	AttemptsCount                int
	Error                        *struct{ Code, Message string }
}

// accepted starts an action that answers 202 and polls the operation its
// Location names until it ends, on beta: the version that serves the
// operations of chats as well as teams.
func accepted(t *testing.T, srv *teamsopstest.Server, token, method, path, body string, headers ...string) operation {
	t.Helper()
	status, location, b := call(t, srv, token, method, path, body, headers...)
	if status != http.StatusAccepted || location == "" {
		t.Fatalf("%s %s: %d, Location %q: %s", method, path, status, location, b)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		status, _, b := call(t, srv, token, "GET", "/beta"+location, "")
		var op operation
		if err := json.Unmarshal(b, &op); status != http.StatusOK || err != nil {
			t.Fatalf("GET %s: %d %s", location, status, b)
		}
		if op.Status == "succeeded" || op.Status == "failed" {
			return op
		}
	}
	t.Fatalf("the operation at %s did not end", location)
	return operation{}
}

// chatBody is a "Create chat" request body.
func chatBody(chatType string, users []string, apps ...string) string {
	var members, installed []string
	for _, u := range users {
		members = append(members, fmt.Sprintf(`{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('%s')"}`, u))
	}
	for _, a := range apps {
		installed = append(installed, fmt.Sprintf(`{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/%s"}`, a))
	}
	return fmt.Sprintf(`{"chatType": %q, "members": [%s], "installedApps": [%s]}`,
		chatType, strings.Join(members, ","), strings.Join(installed, ","))
}

// TestParallelServers starts 20 servers at once, each running an
// operation of its own: none sees another's.
func TestParallelServers(t *testing.T) {
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := teamsopstest.NewServer(t)
			token := srv.AppToken(demo.ConsoleApp)
			op := accepted(t, srv, token, "POST", "/v1.0/chats", chatBody("group", []string{demo.UserAdele, demo.UserMegan}, demo.TeamsAppID))
			if op.Status != "succeeded" {
				t.Fatalf("operation %+v", op)
			}
			status, _, b := call(t, srv, token, "GET", "/beta/chats/"+op.TargetResourceID+"/operations?$count=true", "")
			var list struct {
				Count int `json:"@odata.count"`
			}
			if json.Unmarshal(b, &list); status != http.StatusOK || list.Count != 1 {
				t.Errorf("the new chat's operations: %d %s", status, b)
			}
		})
	}
}

// northwind reads the larger example, for its ids.
func northwind(t *testing.T) *teamsops.Declaration {
	t.Helper()
	ds, err := tenantfile.ReadFiles("../examples/northwind.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return ds[0]
}

func userID(t *testing.T, d *teamsops.Declaration, alias string) string {
	t.Helper()
	for _, u := range d.Users {
		if strings.HasPrefix(u.UserPrincipalName, alias+"@") {
			return u.ID
		}
	}
	t.Fatalf("no user %s", alias)
	return ""
}

// clientCredentials signs in as an app of the tenant with its secret.
func clientCredentials(t *testing.T, srv *teamsopstest.Server, clientID, secret string) string {
	t.Helper()
	res, err := srv.Client().PostForm(srv.URL+"/"+srv.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token for %s: %d %v", clientID, res.StatusCode, err)
	}
	return tok.AccessToken
}

// TestNorthwind drives a team and a chat that the larger example declares
// through Graph's 202 → poll → succeeded flow, signed in as the apps it
// declares with their secrets, and checks that an app without the
// permission is refused and that the example's fault rule fails clones.
func TestNorthwind(t *testing.T) {
	d := northwind(t)
	srv := teamsopstest.NewServer(t, teamsopstest.WithTenantFile("../examples/northwind.yaml"))
	if srv.TenantID != d.Tenant.ID {
		t.Fatalf("TenantID %s, want %s", srv.TenantID, d.Tenant.ID)
	}
	provisioning := clientCredentials(t, srv, "4e8a2c6d-1b3f-4d5e-9a7c-8b6d4f2e0a1c", "provisioning-secret")
	reporting := clientCredentials(t, srv, "9b1d3f5a-7c2e-4a6b-8d0f-1e3c5a7b9d2f", "reporting-secret-next")
	engineering := d.Teams[1]
	polls := d.TeamsApps[1]

	t.Run("archive a declared team", func(t *testing.T) {
		path := "/v1.0/teams/" + engineering.ID + "/archive"
		if status, _, b := call(t, srv, reporting, "POST", path, ""); status != http.StatusForbidden ||
			!strings.Contains(string(b), "Missing role permissions") {
			t.Errorf("the reporting app, without TeamSettings.ReadWrite.All: %d %s", status, b)
		}
		if op := accepted(t, srv, provisioning, "POST", path, ""); op.Status != "succeeded" {
			t.Fatalf("archive: %+v", op)
		}
		status, _, b := call(t, srv, reporting, "GET", "/v1.0/teams/"+engineering.ID, "")
		if status != http.StatusOK || !strings.Contains(string(b), `"isArchived":true`) {
			t.Errorf("the team after archiving: %d %s", status, b)
		}
	})
	t.Run("install an app in a declared chat", func(t *testing.T) {
		users := []string{userID(t, d, "lena.novak"), userID(t, d, "mateo.ruiz")}
		body := chatBody("oneOnOne", users, polls.ID)
		if status, _, b := call(t, srv, reporting, "POST", "/v1.0/chats", body); status != http.StatusForbidden {
			t.Errorf("the reporting app, without Chat.Create: %d %s", status, b)
		}
		op := accepted(t, srv, provisioning, "POST", "/v1.0/chats", body)
		declared := d.Chats[3]
		if op.Status != "succeeded" || op.TargetResourceID != declared.ID {
			t.Fatalf("createChat: %+v, want it to act on the declared chat %s", op, declared.ID)
		}
		status, _, b := call(t, srv, provisioning, "GET", "/v1.0/chats/"+declared.ID+"/installedApps?$expand=teamsApp", "")
		if status != http.StatusOK || !strings.Contains(string(b), `"externalId":"com.northwind.polls"`) {
			t.Errorf("the chat's apps: %d %s", status, b)
		}
	})
	t.Run("the example's fault rule fails cloneTeam", func(t *testing.T) {
		body := `{"displayName": "Engineering copy", "mailNickname": "engcopy", "partsToClone": "channels,settings"}`
		op := accepted(t, srv, provisioning, "POST", "/v1.0/teams/"+engineering.ID+"/clone", body)
		if op.Status != "failed" || op.Error == nil || op.Error.Code != "QuotaExceeded" {
			t.Errorf("cloneTeam: %+v (error %+v)", op, op.Error)
		}
	})
	t.Run("declared operations stay as declared", func(t *testing.T) {
		for _, tt := range []struct {
			id, team, status string
		}{
			{"1d3f5b7a-9c2e-4a6d-8b0f-3e5a7c9d1b4f-aa01", d.Teams[2].ID, "failed"},
			{"5b7d9f1a-3c5e-4b7a-9d1f-6e8a0c2b4d6f-bb02", engineering.ID, "inProgress"},
		} {
			status, _, b := call(t, srv, reporting, "GET", "/v1.0/teams/"+tt.team+"/operations/"+tt.id, "")
			var op operation
			if json.Unmarshal(b, &op); status != http.StatusOK || op.Status != tt.status {
				t.Errorf("operation %s: %d %s", tt.id, status, b)
			}
		}
	})
}

// TestOptions starts servers with tenant documents: the first is
// TenantID, and a bad one fails the test with every problem.
func TestOptions(t *testing.T) {
	doc := func(tenant string) []byte {
		return []byte(`{"tenant": {"id": "` + tenant + `"}, "appRegistrations": [{"displayName": "app", "applicationPermissions": ["Chat.Read.All"]}]}`)
	}
	const a, b = "aaaaaaaa-1111-4e2b-9c3d-5e6f7a8b9c0d", "bbbbbbbb-2222-4e2b-9c3d-5e6f7a8b9c0d"
	srv := teamsopstest.NewServer(t, teamsopstest.WithTenant(doc(a)), teamsopstest.WithTenant(doc(b)), teamsopstest.WithProfile("fast"))
	if srv.TenantID != a {
		t.Errorf("TenantID %s, want the first tenant's", srv.TenantID)
	}
	// Without roles, AppToken carries the app's granted permissions.
	ds, _ := tenantfile.Decode("doc", doc(a))
	if status, _, body := call(t, srv, srv.AppToken(ds.AppRegistrations[0].ClientID), "GET", "/v1.0/chats/19:x@thread.v2", ""); status != http.StatusNotFound {
		t.Errorf("a token with Chat.Read.All on a missing chat: %d %s", status, body)
	}

	bad := &fakeT{}
	func() {
		defer func() { recover() }()
		teamsopstest.NewServer(bad, teamsopstest.WithTenant([]byte("tenant: {id: nope}\nusers: [{}]\n")))
	}()
	for _, want := range []string{`tenant document:1:14: tenant.id: "nope" is not a GUID`, `users[0].userPrincipalName: userPrincipalName is required`} {
		if !strings.Contains(bad.fatal, want) {
			t.Errorf("Fatalf(%q) lacks %q", bad.fatal, want)
		}
	}
}

// fakeT records what NewServer reports.
type fakeT struct{ fatal string }

func (t *fakeT) Helper()          {}
func (t *fakeT) Cleanup(f func()) { f() }
func (t *fakeT) Fatalf(format string, args ...any) {
	t.fatal = fmt.Sprintf(format, args...)
	panic("fatal")
}
