package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
)

const adminToken = "test-admin-token-3b1f9c"

// env is a whole teamsops on a database of a test's choosing.
type env struct {
	base string
	srv  *server.Server
}

func start(t *testing.T, dsn, token string) *env {
	t.Helper()
	ctx := context.Background()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.Open(ctx, server.Config{DB: dsn, PublicURL: base, Profile: profile, Demo: true, AdminToken: token})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv.Handler
	hs.Start()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		hs.Close()
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Stop(stop)
		srv.Close()
	})
	return &env{base: base, srv: srv}
}

// do sends a request and returns the status and body.
func (e *env) do(t *testing.T, method, path, auth string, body []byte) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, e.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// graphError reads Graph's error envelope.
func graphError(t *testing.T, body []byte) (code, message string, inner map[string]any) {
	t.Helper()
	var env struct {
		Error struct {
			Code       string         `json:"code"`
			Message    string         `json:"message"`
			InnerError map[string]any `json:"innerError"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error.Code == "" {
		t.Fatalf("not Graph's error envelope: %s", body)
	}
	return env.Error.Code, env.Error.Message, env.Error.InnerError
}

// problem is one of a tenant document's errors, as innerError.errors
// lists them.
type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// problems reads innerError.errors.
func problems(t *testing.T, inner map[string]any) []problem {
	t.Helper()
	var got []problem
	raw, _ := json.Marshal(inner["errors"])
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestAuthentication: only the admin token opens the admin API, and it
// opens nothing else.
// example reads a tenant file of the repository's examples.
func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// asJSON is a YAML tenant file as the same document in JSON.
func asJSON(t *testing.T, doc []byte) []byte {
	t.Helper()
	b, err := yaml.YAMLToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAuthentication(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	graphToken, err := e.srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tenantPath := "/_teamsops/tenants/" + demo.TenantID
	tests := []struct {
		name, method, path, auth string
		status                   int
	}{
		{"no token", "GET", tenantPath, "", 401},
		{"wrong token", "GET", tenantPath, "Bearer not-the-token", 401},
		{"a prefix of the token", "GET", tenantPath, "Bearer " + adminToken[:10], 401},
		{"the token as Basic", "GET", tenantPath, "Basic " + adminToken, 401},
		{"a Graph token", "GET", tenantPath, "Bearer " + graphToken, 401},
		{"a Graph token, on an unknown path", "GET", "/_teamsops/nothing", "Bearer " + graphToken, 401},
		{"the admin token on Graph", "GET", "/v1.0/teams/" + demo.TeamID, "Bearer " + adminToken, 401},
		{"the admin token on Graph's beta", "GET", "/beta/chats/" + demo.ChatID + "/operations", "Bearer " + adminToken, 401},
		{"the admin token", "GET", tenantPath, "Bearer " + adminToken, 200},
		{"the admin token, scheme in lower case", "GET", tenantPath, "bearer " + adminToken, 200},
		{"a Graph token on Graph", "GET", "/v1.0/teams/" + demo.TeamID, "Bearer " + graphToken, 200},
		{"an unknown admin path", "GET", "/_teamsops/nothing", "Bearer " + adminToken, 404},
		{"a method the collection does not take", "GET", "/_teamsops/tenants", "Bearer " + adminToken, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body, header := e.do(t, tt.method, tt.path, tt.auth, nil)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			if status >= 400 {
				_, _, inner := graphError(t, body)
				if inner["request-id"] == "" || inner["request-id"] != header.Get("request-id") {
					t.Errorf("innerError %v lacks the request id %q", inner, header.Get("request-id"))
				}
			}
			if status == 401 && strings.HasPrefix(tt.path, "/_teamsops/") && header.Get("WWW-Authenticate") != `Bearer realm="teamsops admin"` {
				t.Errorf("WWW-Authenticate %q", header.Get("WWW-Authenticate"))
			}
		})
	}
}

// TestOffWithoutToken: without --admin-token the admin API does not exist.
func TestOffWithoutToken(t *testing.T) {
	e := start(t, "sqlite::memory:", "")
	for _, auth := range []string{"", "Bearer " + adminToken} {
		status, body, _ := e.do(t, "GET", "/_teamsops/tenants/"+demo.TenantID, auth, nil)
		if code, _, _ := graphError(t, body); status != 404 || code != "NotFound" {
			t.Errorf("with %q: status %d, %s", auth, status, body)
		}
		status, _, _ = e.do(t, "POST", "/_teamsops/tenants", auth, []byte(`{"tenant":{"id":"`+tenantA+`"}}`))
		if status != 404 {
			t.Errorf("POST with %q: status %d", auth, status)
		}
	}
}

// TestBadDocument: a document with problems is a 400 listing every one,
// as a file's would be, and nothing is applied.
func TestBadDocument(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	doc := `{"tenant": {"id": "` + tenantA + `"},
 "users": [{"userPrincipalName": "adele@contoso.com", "displayNme": "Adele"}],
 "chats": [{"chatType": "oneOnOne", "members": ["adele", "megan"]}]}`
	status, body, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, []byte(doc))
	code, message, inner := graphError(t, body)
	if status != 400 || code != "BadRequest" || message != "The tenant document has 2 errors: "+
		`request body:2:55: users[0].displayNme: unknown field "displayNme"; did you mean "displayName"?; `+
		`request body:3:58: chats[0].members[1]: user "megan" is not a user of this tenant` {
		t.Fatalf("status %d: %s", status, body)
	}
	got := problems(t, inner)
	want := []problem{
		{"request body", 2, 55, "users[0].displayNme", `unknown field "displayNme"; did you mean "displayName"?`},
		{"request body", 3, 58, "chats[0].members[1]", `user "megan" is not a user of this tenant`},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("innerError.errors:\n%+v\nwant:\n%+v", got, want)
	}
	if status, _, _ := e.do(t, "GET", "/_teamsops/tenants/"+tenantA, "Bearer "+adminToken, nil); status != 404 {
		t.Errorf("the bad document was applied: GET answers %d", status)
	}
	for _, body := range []string{"", "[]", "{", `{"tenant": {"id": "` + tenantA + `"}, "tenant": {}}`} {
		if status, b, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, []byte(body)); status != 400 {
			t.Errorf("%q: status %d: %s", body, status, b)
		}
	}
}

// TestCreateGetDelete creates a tenant from the larger example, reads it
// back with its ids, edits it, and deletes it.
func TestCreateGetDelete(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	doc := asJSON(t, example(t, "northwind.yaml"))
	const northwind = "0d7c3a5e-9f1b-4e2d-8c6a-4b3e2d1c0f9a"
	status, body, header := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, doc)
	if status != 201 || header.Get("Location") != "/_teamsops/tenants/"+northwind {
		t.Fatalf("POST: status %d, Location %q: %.300s", status, header.Get("Location"), body)
	}
	var created struct {
		Tenant struct{ ID string }
		Users  []struct{ ID, UserPrincipalName string }
		Chats  []struct {
			ID    string
			Topic string
		}
		AppRegistrations []map[string]any
		FaultRules       []struct{ ID, App string } // by id
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if created.Tenant.ID != northwind || len(created.Users) != 33 || created.Users[0].ID == "" || len(created.Chats) != 6 ||
		len(created.FaultRules) != 2 || created.FaultRules[0].ID != "desk-flaky" || created.FaultRules[0].App != "2a4c6e8b-0d1f-4b3a-9c5e-7f9b1d3a5c7e" {
		t.Errorf("created: %+v", created)
	}
	if strings.Contains(string(body), "secret") {
		t.Errorf("the answer holds a secret: %s", body)
	}
	status, again, _ := e.do(t, "GET", "/_teamsops/tenants/"+northwind, "Bearer "+adminToken, nil)
	if status != 200 || !bytes.Equal(again, body) {
		t.Errorf("GET: status %d; differs from POST's answer: %v", status, !bytes.Equal(again, body))
	}
	// Posting it again is an edit that changes nothing: 200, same answer.
	if status, b, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, doc); status != 200 || !bytes.Equal(b, body) {
		t.Errorf("POST again: status %d", status)
	}
	if status, b, _ := e.do(t, "DELETE", "/_teamsops/tenants/"+northwind, "Bearer "+adminToken, nil); status != 204 || len(b) != 0 {
		t.Errorf("DELETE: status %d: %s", status, b)
	}
	for _, method := range []string{"GET", "DELETE"} {
		if status, body, _ := e.do(t, method, "/_teamsops/tenants/"+northwind, "Bearer "+adminToken, nil); status != 404 {
			t.Errorf("%s after DELETE: status %d: %s", method, status, body)
		}
	}
}
