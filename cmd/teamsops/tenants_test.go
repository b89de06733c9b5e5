package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

// Tenants of the example files, and an app of each with its secret.
const (
	fabrikam     = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
	fabrikamSync = "3c9e2b7a-5d1f-4a8e-b6c4-2e0d9f7a1b3c"
	northwind    = "0d7c3a5e-9f1b-4e2d-8c6a-4b3e2d1c0f9a"
	northwindApp = "4e8a2c6d-1b3f-4d5e-9a7c-8b6d4f2e0a1c"
)

var examples = []string{"../../examples/tenant.yaml", "../../examples/northwind.yaml"}

// serveInBackground runs "teamsops serve" with args on a free address
// until the test ends, when serve must stop cleanly; it returns the base
// URL once the server is ready.
func serveInBackground(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), io.Discard, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	waitReady(t, "http://"+addr)
	return "http://" + addr
}

// clientToken asks the token endpoint for an app token, as clients do.
func clientToken(t *testing.T, base, tenant, app, secret string) int {
	t.Helper()
	res, err := http.PostForm(base+"/"+tenant+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {app}, "client_secret": {secret},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestServeTenantFiles serves the two examples, named by the environment
// variable: their apps get tokens with their secrets.
func TestServeTenantFiles(t *testing.T) {
	t.Setenv("TEAMSOPS_TENANT_FILE", strings.Join(examples, ","))
	base := serveInBackground(t, "--db", testdb.DSN(t), "--profile", "instant")
	if got := clientToken(t, base, fabrikam, fabrikamSync, "sync-secret-2"); got != http.StatusOK {
		t.Errorf("Fabrikam's app: token endpoint answered %d", got)
	}
	if got := clientToken(t, base, northwind, northwindApp, "provisioning-secret"); got != http.StatusOK {
		t.Errorf("Northwind's app: token endpoint answered %d", got)
	}
}

// TestServeRefusesBadTenantFiles starts a server with a bad file among
// good ones: it prints every problem of every file, and neither listens
// nor writes anything.
func TestServeRefusesBadTenantFiles(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("tenant: {id: 6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f}\nusers:\n  - userPrincipalName: x\n  - mail: 3\n"), 0o600)
	db := "sqlite:" + filepath.Join(dir, "teamsops.db")
	addr := freeAddr(t)
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", addr, "--db", db,
		"--tenant-file", examples[1], "--tenant-file", bad, "--tenant-file", filepath.Join(dir, "missing.yaml")}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "4 problems in tenant files: nothing was applied") {
		t.Fatalf("serve = %v", err)
	}
	for _, want := range []string{
		bad + `:3:24: users[0].userPrincipalName: "x" is not a user principal name (alias@domain)`,
		bad + `:4:11: users[1].mail: want a string, got an integer (3); quote it to make it a string`,
		bad + `:4:5: users[1].userPrincipalName: userPrincipalName is required`,
		"missing.yaml:1:1: open ",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the server listens")
	}
	if _, err := os.Stat(filepath.Join(dir, "teamsops.db")); !os.IsNotExist(err) {
		t.Errorf("the database was opened: %v", err)
	}
}

// TestApply applies the examples to the database of a running server:
// their apps get tokens at once, and --print-ids lists what was assigned.
func TestApply(t *testing.T) {
	db := testdb.DSN(t)
	base := serveInBackground(t, "--db", db, "--demo", "--profile", "instant")
	if got := clientToken(t, base, northwind, northwindApp, "provisioning-secret"); got != http.StatusBadRequest {
		t.Fatalf("before apply: token endpoint answered %d, want 400", got)
	}
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"apply", "--db", db, "--print-ids"}, examples...), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"KIND", "tenant           Northwind Traders", "user             aisha.okafor@northwind.onmicrosoft.com",
		"chat             oneOnOne pat+sam", "operation        archiveTeam of Northwind Support",
		"1d3f5b7a-9c2e-4a6d-8b0f-3e5a7c9d1b4f-aa01",
		"faultRule        northwind desk every operation transient", "e955d956-a3b3-5501-b6d2-6264849c82bb",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--print-ids lacks %q:\n%s", want, out.String())
		}
	}
	if got := clientToken(t, base, northwind, northwindApp, "provisioning-secret"); got != http.StatusOK {
		t.Errorf("after apply: token endpoint answered %d", got)
	}
	// Applying again changes nothing, and --quiet prints nothing.
	out.Reset()
	if err := run(context.Background(), append([]string{"apply", "--db", db, "--quiet"}, examples...), &out, io.Discard); err != nil || out.Len() > 0 {
		t.Errorf("apply again: %v, %q", err, out.String())
	}
}

// TestApplySummary applies a file twice: apply says, on stdout, which
// database it wrote and what it did to each kind of entity, first
// creating everything, then leaving everything as it was.
func TestApplySummary(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "teamsops.db")
	file := examples[0]
	var out bytes.Buffer
	if err := run(context.Background(), []string{"apply", "--db", db, file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := "applied " + file + " to " + db + ": tenant " + fabrikam + " (Fabrikam): users 3 created; appRegistrations 4 created; " +
		"teamsApps 1 created; groups 2 created; teams 2 created; channels 5 created; chats 2 created; " +
		"appInstallations 2 created; permissionGrants 2 created; operations 2 created\n"
	if out.String() != want {
		t.Errorf("first apply printed\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if err := run(context.Background(), []string{"apply", "--db", db, file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	want = strings.ReplaceAll(want, " created", " unchanged")
	if out.String() != want {
		t.Errorf("second apply printed\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if err := run(context.Background(), []string{"apply", "--db", db, "--quiet", file}, &out, io.Discard); err != nil || out.Len() > 0 {
		t.Errorf("apply --quiet: %v, printed %q", err, out.String())
	}
}

// TestTokenNoServerDatabase runs token and wait --db on databases no
// server uses — one in memory, new for each process, and a PostgreSQL
// database without teamsops' tables: they fail, naming the database and
// what to pass, and create no tables.
func TestTokenNoServerDatabase(t *testing.T) {
	type dbCase struct{ db, want string }
	cases := []dbCase{{"sqlite::memory:", "--db sqlite::memory: is a new, empty database in this process's memory, not a server's"}}
	var empty string
	if os.Getenv(testdb.PostgresEnv) != "" {
		empty = testdb.PostgresDSN(t)
		cases = append(cases, dbCase{empty, "the database holds no teamsops tables"})
	}
	for _, c := range cases {
		for _, args := range [][]string{
			{"token", "--db", c.db, "--public-url", "http://127.0.0.1:1", "--force", "--tenant", demo.TenantID, "--app", demo.ConsoleApp},
			{"wait", "--db", c.db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--timeout", "5s",
				"http://127.0.0.1:1/v1.0/teams('x')/operations('y')"},
		} {
			var stdout bytes.Buffer
			err := run(context.Background(), args, &stdout, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `give --db the database "teamsops serve" uses`) {
				t.Errorf("%s --db %s: %v, want %q", args[0], c.db, err, c.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("%s --db %s printed %q", args[0], c.db, stdout.String())
			}
		}
	}
	if empty == "" {
		return
	}
	conn, err := pgx.Connect(context.Background(), empty)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var tables int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the commands made %d tables (%v)", tables, err)
	}
}

// TestTokenMissingDatabase runs token and wait --db on a SQLite file that
// does not exist, as from another folder than the server's: they fail,
// naming the file and what to pass, and create no database.
func TestTokenMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	for _, args := range [][]string{
		{"token", "--db", "sqlite:" + missing, "--tenant", demo.TenantID, "--app", demo.ConsoleApp},
		{"wait", "--db", "sqlite:" + missing, "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--timeout", "5s",
			"http://127.0.0.1:1/v1.0/teams('x')/operations('y')"},
	} {
		var stdout bytes.Buffer
		err := run(context.Background(), args, &stdout, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "there is no database at "+missing) || !strings.Contains(err.Error(), "teamsops serve") {
			t.Errorf("%s: %v", args[0], err)
		}
		if stdout.Len() > 0 {
			t.Errorf("%s printed %q", args[0], stdout.String())
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("%s created %s", args[0], entries[0].Name())
		}
	}
}

// TestApplyErrors applies files with problems: nothing is written.
func TestApplyErrors(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "teamsops.db")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("tenant: {id: 0d7c3a5e-9f1b-4e2d-8c6a-4b3e2d1c0f9a}\nchats: [{chatType: oneOnOne, members: []}]\n"), 0o600)
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"apply", "--db", db, examples[0], bad}, io.Discard, &stderr)
	if err == nil || !strings.Contains(stderr.String(), bad+":2:39: chats[0].members: a oneOnOne chat has exactly 2 members, not 0") {
		t.Fatalf("apply = %v, stderr:\n%s", err, stderr.String())
	}
	if err := run(context.Background(), []string{"apply", "--db", db}, io.Discard, io.Discard); err == nil {
		t.Error("apply without files succeeded")
	}
	s := testdb.Open(t, db)
	if _, err := s.Tenant(context.Background(), fabrikam); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("a file was applied although another had errors: %v", err)
	}
}

// TestServeAdminToken enables the admin API from the environment, and
// refuses an admin token shaped like a JWT.
func TestServeAdminToken(t *testing.T) {
	t.Setenv("TEAMSOPS_ADMIN_TOKEN", "let-me-in")
	base := serveInBackground(t, "--db", "sqlite::memory:")
	for _, tt := range []struct {
		token  string
		status int
	}{{"let-me-in", http.StatusNotFound}, {"wrong", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, base+"/_teamsops/tenants/"+northwind, nil)
		req.Header.Set("Authorization", "Bearer "+tt.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tt.status {
			t.Errorf("with %q: status %d, want %d", tt.token, res.StatusCode, tt.status)
		}
	}
	err := run(context.Background(), []string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0",
		"--admin-token", "eyJh.eyJz.sig"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JWT") {
		t.Errorf("a JWT-shaped admin token: %v", err)
	}
}

// TestTokenChecks: "teamsops token" takes the issuer the server recorded,
// and refuses what the tenant does not hold, unless --force.
func TestTokenChecks(t *testing.T) {
	db := testdb.DSN(t)
	testdb.Open(t, db).Close() // a database no server has started on yet, as apply leaves it
	if err := run(context.Background(), []string{"token", "--db", db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp}, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "no server has started on") {
		t.Errorf("before any server: %v", err)
	}
	base := serveInBackground(t, "--db", db, "--demo", "--tenant-file", examples[0])
	const former = "former@fabrikam.onmicrosoft.com"
	tests := []struct {
		name  string
		args  []string
		error string // "" for a token
	}{
		{"app with its roles", []string{"--tenant", demo.TenantID, "--app", demo.ConsoleApp}, ""},
		{"app with one of its roles", []string{"--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--roles", "Chat.Read.All"}, ""},
		{"user", []string{"--tenant", demo.TenantID, "--user", demo.UserAdele, "--scopes", "Chat.Read"}, ""},
		{"user by name", []string{"--tenant", demo.TenantID, "--user", "MeganB@contoso.onmicrosoft.com", "--scopes", "Chat.Read"}, ""},
		{"user through an app", []string{"--tenant", fabrikam, "--app", fabrikamSync, "--user", "pat@fabrikam.onmicrosoft.com", "--scopes", "Chat.Read"}, ""},
		{"unknown tenant", []string{"--tenant", northwind, "--app", demo.ConsoleApp},
			"there is no tenant " + northwind + " (--force mints the token anyway)"},
		{"unknown app", []string{"--tenant", demo.TenantID, "--app", fabrikamSync},
			"tenant " + demo.TenantID + ": app registration \"" + fabrikamSync + "\" is not an app registration of this tenant"},
		{"unknown user", []string{"--tenant", demo.TenantID, "--user", "nobody@contoso.onmicrosoft.com"},
			"user \"nobody@contoso.onmicrosoft.com\" is not a user of this tenant"},
		{"role not granted", []string{"--tenant", demo.TenantID, "--app", demo.ChatBotApp, "--roles", "Chat.Read.All,Chat.Create"},
			"app " + demo.ChatBotApp + " was not granted the application permission Chat.Read.All, Chat.Create (it has: none)"},
		{"scope not consented", []string{"--tenant", fabrikam, "--app", fabrikamSync, "--user", "pat@fabrikam.onmicrosoft.com", "--scopes", "Chat.Read,Chat.Create"},
			"was not granted the delegated permission Chat.Create (it has: Chat.Read, Chat.ReadWrite)"},
		{"disabled user", []string{"--tenant", fabrikam, "--user", former}, "the account of user " + former + " is disabled"},
		{"forced", []string{"--tenant", northwind, "--app", demo.ConsoleApp, "--roles", "Chat.Read.All", "--force"}, ""},
		{"app and user by the names of tenant files", []string{"--tenant", fabrikam, "--app", "Fabrikam Sync", "--user", "pat", "--scopes", "Chat.Read"}, ""},
		{"typo of an app's name", []string{"--tenant", fabrikam, "--app", "fabrikam synk", "--roles", "Chat.Create"},
			`is not an app registration of this tenant; did you mean "fabrikam sync"?`},
		{"typo of a user's alias", []string{"--tenant", fabrikam, "--user", "pta", "--scopes", "Chat.Read"},
			`is not a user of this tenant; did you mean "pat"?`},
		{"typo of a role", []string{"--tenant", fabrikam, "--app", fabrikamSync, "--roles", "Team.Creat"},
			`unknown application permission "Team.Creat"; did you mean "Team.Create"?`},
		{"typo of a scope", []string{"--tenant", fabrikam, "--user", "pat", "--scopes", "Chat.Raed"},
			`unknown delegated permission "Chat.Raed"; did you mean "Chat.Read"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), append([]string{"token", "--db", db}, tt.args...), &out, io.Discard)
			switch {
			case tt.error == "" && err != nil:
				t.Fatalf("token: %v", err)
			case tt.error != "" && (err == nil || !strings.Contains(err.Error(), tt.error)):
				t.Fatalf("token: %v, want an error with %q", err, tt.error)
			case tt.error == "" && strings.Count(out.String(), ".") != 2:
				t.Fatalf("not a JWT: %q", out.String())
			}
		})
	}
	// The token uses the issuer the server recorded: the server takes it.
	token := runToken(t, db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp)
	if status, _, _, err := fetch(http.MethodGet, base+"/v1.0/teams/"+demo.TeamID, token, nil); err != nil || status != http.StatusOK {
		t.Errorf("GET team with the token: %d %v", status, err)
	}
}

// TestTokenNames: "teamsops token" takes the names tenant files take, and
// puts the ids they name in the token; --force mints for a permission
// name no tenant file could grant, but says what it probably meant.
func TestTokenNames(t *testing.T) {
	db := testdb.DSN(t)
	serveInBackground(t, "--db", db, "--tenant-file", examples[0])
	var out, stderr bytes.Buffer
	if err := run(context.Background(), []string{"token", "--db", db, "--tenant", fabrikam,
		"--app", "fabrikam sync", "--user", "PAT", "--scopes", "Chat.Read"}, &out, &stderr); err != nil {
		t.Fatalf("token: %v\n%s", err, stderr.String())
	}
	claims := jwtPayload(t, out.String())
	s := testdb.Open(t, db)
	pat, err := s.User(context.Background(), fabrikam, "pat@fabrikam.onmicrosoft.com")
	if err != nil {
		t.Fatal(err)
	}
	if claims["appid"] != fabrikamSync || claims["oid"] != pat.ID {
		t.Errorf("appid %v, oid %v; want %s and %s", claims["appid"], claims["oid"], fabrikamSync, pat.ID)
	}

	out.Reset()
	stderr.Reset()
	if err := run(context.Background(), []string{"token", "--db", db, "--tenant", fabrikam,
		"--app", fabrikamSync, "--roles", "Team.Creat", "--force"}, &out, &stderr); err != nil {
		t.Fatalf("forced token: %v", err)
	}
	if roles := jwtPayload(t, out.String())["roles"]; fmt.Sprint(roles) != "[Team.Creat]" {
		t.Errorf("roles %v, want [Team.Creat]", roles)
	}
	if want := `did you mean "Team.Create"?`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

// jwtPayload decodes the claims of a JWT without checking it.
func jwtPayload(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestApplyOneMistakeOneError applies a file with one wrong chat member:
// apply reports that one problem, not also a "duplicate id" of the chat
// whose derived id the unresolved member left equal to another's.
func TestApplyOneMistakeOneError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tenant.yaml")
	os.WriteFile(file, []byte("tenant: {id: "+northwind+"}\nusers:\n  - userPrincipalName: ana@contoso.com\n"+
		"  - userPrincipalName: ben@contoso.com\nchats:\n  - chatType: group\n    members: [ana, ben, cyy]\n"+
		"  - chatType: group\n    members: [ana, ben]\n"), 0o600)
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"apply", "--db", "sqlite:" + filepath.Join(dir, "t.db"), file}, io.Discard, &stderr)
	want := file + `:7:25: chats[0].members[2]: user "cyy" is not a user of this tenant` + "\n"
	if err == nil || err.Error() != "1 problem in tenant files: nothing was applied" || stderr.String() != want {
		t.Errorf("apply = %v, stderr:\n%s\nwant:\n%s", err, stderr.String(), want)
	}
}

// TestOnlyServeAndApplyCreateDatabases runs every command that does not
// serve or apply, with its default --db where it has one, in a folder
// holding no database: none creates one there.
func TestOnlyServeAndApplyCreateDatabases(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		{"token", "--tenant", demo.TenantID, "--app", demo.ConsoleApp},
		{"wait", "--db", "sqlite:teamsops.db", "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--timeout", "5s",
			"http://127.0.0.1:1/v1.0/teams('x')/operations('y')"},
		{"listen", "--server", "http://127.0.0.1:1", "--token", "a.b.c", "--resource", "/teams('x')/operations"},
	} {
		err := run(context.Background(), args, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%s succeeded without a server or its database", args[0])
		}
		if args[0] != "listen" && !strings.Contains(err.Error(), "there is no database at "+filepath.Join(dir, "teamsops.db")) {
			t.Errorf("%s: %v, want the missing database named", args[0], err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Fatalf("%s created %s", args[0], entries[0].Name())
		}
	}
}
