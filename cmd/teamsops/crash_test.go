package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
	"github.com/teamsops/teamsops/internal/testdb"
)

// process is a real teamsops binary running as a child process.
type process struct {
	cmd  *exec.Cmd
	base string
	log  *processtest.Output
}

func start(t *testing.T, bin, db, addr string, args ...string) *process {
	t.Helper()
	p := launch(t, bin, db, addr, args...)
	waitReady(t, p.base)
	return p
}

// launch starts "teamsops serve" without waiting for it to be ready; it is
// killed when the test ends.
func launch(t *testing.T, bin, db, addr string, args ...string) *process {
	t.Helper()
	var log processtest.Output
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, base: "http://" + addr, log: &log}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	return p
}

func (p *process) token(t *testing.T, bin, db string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "--db", db, "--public-url", p.base, "--tenant", demo.TenantID,
		"--app", demo.ConsoleApp, "--roles", strings.Join(demo.ConsoleRoles, ",")).Output()
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// call sends a Graph request and decodes the JSON answer, if any.
func (p *process) call(t *testing.T, method, path, token string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	return p.callWith(t, method, path, token, body, nil)
}

// callWith is call with more request headers.
func (p *process) callWith(t *testing.T, method, path, token string, body any, headers http.Header) (int, http.Header, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, p.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for name, values := range headers {
		req.Header[name] = values
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, res.Header, out
}

// createChatWithApp is Graph's "Create chat" with one installed app.
func createChatWithApp(topic string) map[string]any {
	member := func(id string) map[string]any {
		return map[string]any{
			"@odata.type":     "#microsoft.graph.aadUserConversationMember",
			"roles":           []string{"owner"},
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + id + "')",
		}
	}
	return map[string]any{
		"chatType": "group", "topic": topic,
		"members":       []any{member(demo.UserAdele), member(demo.UserAlex), member(demo.UserMegan)},
		"installedApps": []any{map[string]any{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/" + demo.TeamsAppID}},
	}
}

// TestCrashAndRestart starts operations on the realistic profile, kills
// the process with SIGKILL while they run, restarts it on the same
// database, and checks every operation ends, each app installed once, and
// each team operation's effect visible exactly when it succeeded.
func TestCrashAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary for a few minutes")
	}
	bin := processtest.Build(t)
	db := testdb.DSN(t) // SQLite, or PostgreSQL with TEAMSOPS_TEST_BACKEND=postgres
	addr := freeAddr(t)
	prepareTeams(t, db) // crashteams_test.go
	p := start(t, bin, db, addr, "--demo", "--profile", "realistic")
	token := p.token(t, bin, db)

	const n = 60
	locations := make([]string, 0, n)
	for i := range n {
		status, h, body := p.call(t, http.MethodPost, "/v1.0/chats", token, createChatWithApp(fmt.Sprintf("crash %d", i)))
		if status != http.StatusAccepted {
			t.Fatalf("POST /chats: %d %v", status, body)
		}
		locations = append(locations, h.Get("Location"))
	}
	teamOps := startTeamOps(t, p, token) // every team operation type; crashteams_test.go
	time.Sleep(1500 * time.Millisecond)  // attempts have started; none can have ended
	running := 0
	for _, loc := range locations {
		if _, _, op := p.call(t, http.MethodGet, "/beta"+loc, token, nil); op["status"] == "inProgress" {
			running++
		}
	}
	if running == 0 {
		t.Fatal("no operation was in progress when the process was killed: the test proves nothing")
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()

	p = start(t, bin, db, addr, "--profile", "realistic")
	pending := slices.Clone(locations)
	for _, o := range teamOps {
		pending = append(pending, o.location)
	}
	waitEnded(t, p, token, pending)
	for _, loc := range locations {
		_, _, op := p.call(t, http.MethodGet, "/beta"+loc, token, nil)
		chat := op["targetResourceId"].(string)
		_, _, apps := p.call(t, http.MethodGet, "/v1.0/chats/"+chat+"/installedApps", token, nil)
		installed := len(apps["value"].([]any))
		switch {
		case op["status"] == "succeeded" && installed != 1:
			t.Errorf("%s succeeded with %d installations", chat, installed)
		case op["status"] == "failed" && installed != 0:
			t.Errorf("%s failed with %d installations", chat, installed)
		}
	}
	checkTeamOps(t, p, token, teamOps)
	if os.Getenv("TEAMSOPS_TEST_VERBOSE") != "" {
		t.Log(p.log)
	}
}

// waitEnded polls the operations at locations until each has ended.
// cloneTeam takes up to 2 minutes on the realistic profile; one that fails
// transiently takes two attempts and a 10s backoff.
func waitEnded(t *testing.T, p *process, token string, locations []string) {
	t.Helper()
	deadline := time.Now().Add(7 * time.Minute)
	pending := locations
	for len(pending) > 0 && time.Now().Before(deadline) {
		var still []string
		for _, loc := range pending {
			status, _, op := p.call(t, http.MethodGet, "/beta"+loc, token, nil)
			if status != http.StatusOK {
				t.Fatalf("GET %s: %d %v", loc, status, op)
			}
			if s := op["status"]; s != "succeeded" && s != "failed" {
				still = append(still, loc)
			}
		}
		pending = still
		time.Sleep(time.Second)
	}
	if len(pending) > 0 {
		t.Fatalf("%d of %d operations never finished, e.g. %s\n%s", len(pending), len(locations), pending[0], p.log)
	}
}
