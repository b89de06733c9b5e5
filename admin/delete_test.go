package admin_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops/internal/testdb"
)

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

// requestToken asks tenant's token endpoint for the console app's token.
func requestToken(t *testing.T, e *env, tenant string) *http.Response {
	t.Helper()
	res, err := http.PostForm(e.base+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {console}, "client_secret": {"s3cret"},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func tokenStatus(t *testing.T, e *env, tenant string) int {
	t.Helper()
	res := requestToken(t, e, tenant)
	res.Body.Close()
	return res.StatusCode
}

func clientToken(t *testing.T, e *env, tenant string) string {
	t.Helper()
	res := requestToken(t, e, tenant)
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
