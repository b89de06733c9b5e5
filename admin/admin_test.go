package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
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

// TestAuthentication: only the admin token opens the admin API, and it
// opens nothing else.
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
	if status != 400 || code != "BadRequest" || message != "The tenant document has 2 errors." {
		t.Fatalf("status %d: %s", status, body)
	}
	type problem struct {
		File    string `json:"file"`
		Line    int    `json:"line"`
		Column  int    `json:"column"`
		Path    string `json:"path"`
		Message string `json:"message"`
	}
	var got []problem
	raw, _ := json.Marshal(inner["errors"])
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
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
	raw, err := os.ReadFile(filepath.Join("..", "examples", "northwind.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := yaml.YAMLToJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
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
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if created.Tenant.ID != northwind || len(created.Users) != 33 || created.Users[0].ID == "" || len(created.Chats) != 6 {
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

const (
	tenantA = "aaaaaaaa-1111-4e2b-9c3d-5e6f7a8b9c0d"
	tenantB = "bbbbbbbb-2222-4e2b-9c3d-5e6f7a8b9c0d"
	console = "5c6d7e8f-1a2b-4c3d-9e4f-5a6b7c8d9e0f"
	botApp  = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"
	adele   = "11111111-aaaa-4bbb-8ccc-000000000001"
	alex    = "11111111-aaaa-4bbb-8ccc-000000000002"
)

// tenantDoc is a tenant of two users, an app that creates chats with a
// Teams app, a team, a chat with a grant and an operation.
func tenantDoc(tenant string) []byte {
	return []byte(fmt.Sprintf(`{"tenant": {"id": %q, "displayName": "Tenant %s"},
	"users": [{"id": %q, "userPrincipalName": "adele@t.example.com"}, {"id": %q, "userPrincipalName": "alex@t.example.com"}],
	"appRegistrations": [{"clientId": %q, "displayName": "console", "clientSecrets": ["s3cret"],
		"applicationPermissions": ["Chat.Create", "Chat.Read.All", "Team.ReadBasic.All", "TeamsAppInstallation.ReadForChat.All"]}],
	"teamsApps": [{"id": %q, "displayName": "Bot", "bot": "console"}],
	"teams": [{"displayName": "Team", "members": [{"user": "adele", "roles": ["owner"]}], "channels": [{"displayName": "News"}]}],
	"chats": [{"chatType": "group", "topic": "Chat", "members": ["adele", "alex"], "installedApps": ["Bot"]}],
	"permissionGrants": [{"app": "console", "chat": "Chat", "permission": "ChatSettings.Read.Chat"}],
	"operations": [{"team": "Team", "operationType": "createTeam", "status": "inProgress"}]}`, tenant, tenant[:4], adele, alex, console, botApp))
}

// TestDeleteTenantWhileAnotherServes creates two tenants, runs chats'
// createChat operations in both, and deletes one while requests on the
// other go on: every row of the deleted tenant is gone, in every table
// with a tenant_id and in River's jobs, and the other tenant never
// noticed. On SQLite and on PostgreSQL.
func TestDeleteTenantWhileAnotherServes(t *testing.T) {
	for _, backend := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"SQLite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "teamsops.db") }},
		{"PostgreSQL", func(t *testing.T) string { return testdb.PostgresDSN(t) }},
	} {
		t.Run(backend.name, func(t *testing.T) { deleteWhileServing(t, backend.dsn(t)) })
	}
}

func deleteWhileServing(t *testing.T, dsn string) {
	e := start(t, dsn, adminToken)
	admin := "Bearer " + adminToken
	for _, tenant := range []string{tenantA, tenantB} {
		if status, body, _ := e.do(t, "POST", "/_teamsops/tenants", admin, tenantDoc(tenant)); status != 201 {
			t.Fatalf("POST %s: %d %s", tenant, status, body)
		}
	}
	tokenA, tokenB := clientToken(t, e, tenantA), clientToken(t, e, tenantB)
	for range 3 {
		createChat(t, e, tokenA)
	}
	// A table added later, which DeleteTenant's list does not name.
	ctx := t.Context()
	if err := testdb.Exec(ctx, e.srv.Store, `CREATE TABLE added_later (tenant_id TEXT NOT NULL, note TEXT)`); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{tenantA, tenantB} {
		if err := testdb.Exec(ctx, e.srv.Store, `INSERT INTO added_later VALUES ($1, 'x')`, tenant); err != nil {
			t.Fatal(err)
		}
	}
	rowsA, err := testdb.TenantRows(ctx, e.srv.Store, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	if rowsA["added_later"] != 1 || len(rowsA) < 15 || rowsA["river_job"] != 3 || rowsA["operations"] != 4 || rowsA["declared_entities"] == 0 {
		t.Fatalf("tenant A before its deletion: %v", rowsA)
	}

	// Tenant B works on while A is deleted.
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := tryCreateChat(e, tokenB); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	time.Sleep(50 * time.Millisecond) // let B's requests get going; no assertion depends on it
	if status, body, _ := e.do(t, "DELETE", "/_teamsops/tenants/"+tenantA, admin, nil); status != 204 {
		t.Errorf("DELETE: %d %s", status, body)
	}
	createChat(t, e, tokenB)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error("tenant B:", err)
	}

	rowsA, err = testdb.TenantRows(t.Context(), e.srv.Store, tenantA)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range rowsA {
		if n != 0 {
			t.Errorf("%d rows of the deleted tenant left in %s", n, table)
		}
	}
	rowsB, err := testdb.TenantRows(t.Context(), e.srv.Store, tenantB)
	if err != nil {
		t.Fatal(err)
	}
	if rowsB["users"] != 2 || rowsB["river_job"] < 1 || rowsB["declared_entities"] == 0 || rowsB["added_later"] != 1 {
		t.Errorf("tenant B after A's deletion: %v", rowsB)
	}
	if status := tokenStatus(t, e, tenantA); status != 400 {
		t.Errorf("token endpoint of the deleted tenant: %d", status)
	}
}

func tokenStatus(t *testing.T, e *env, tenant string) int {
	t.Helper()
	res, err := http.PostForm(e.base+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {console}, "client_secret": {"s3cret"},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func clientToken(t *testing.T, e *env, tenant string) string {
	t.Helper()
	res, err := http.PostForm(e.base+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {console}, "client_secret": {"s3cret"},
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
		t.Fatalf("token of tenant %s: %d %v", tenant, res.StatusCode, err)
	}
	return tok.AccessToken
}

// createChat runs a createChat operation to its end.
func createChat(t *testing.T, e *env, token string) {
	t.Helper()
	if err := tryCreateChat(e, token); err != nil {
		t.Fatal(err)
	}
}

// tryCreateChat creates a group chat with the tenant's Teams app and polls
// its operation until it succeeds.
func tryCreateChat(e *env, token string) error {
	body := fmt.Sprintf(`{"chatType": "group", "topic": "load", "members": [
		{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": "https://graph.microsoft.com/v1.0/users('%s')"},
		{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"], "user@odata.bind": "https://graph.microsoft.com/v1.0/users('%s')"}],
		"installedApps": [{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/%s"}]}`, adele, alex, botApp)
	req, _ := http.NewRequest("POST", e.base+"/beta/chats", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 202 {
		return fmt.Errorf("POST /chats: %d %s", res.StatusCode, b)
	}
	location := res.Header.Get("Location")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		req, _ := http.NewRequest("GET", e.base+"/beta"+location, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var op struct{ Status string }
		err = json.NewDecoder(res.Body).Decode(&op)
		res.Body.Close()
		if res.StatusCode != 200 || err != nil {
			return fmt.Errorf("GET %s: %d %v", location, res.StatusCode, err)
		}
		if op.Status == "succeeded" {
			return nil
		}
		if op.Status == "failed" {
			return fmt.Errorf("operation %s failed", location)
		}
	}
	return fmt.Errorf("operation %s did not end", location)
}
