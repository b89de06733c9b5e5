package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestWaitExitCodes runs "teamsops wait" as a process against "teamsops
// serve" processes — one on the instant profile, one on the realistic
// profile for the timeout — with each way of getting a token, and checks
// each exit status: 0 succeeded, 1 failed, 2 timed out, 3 anything else.
func TestWaitExitCodes(t *testing.T) {
	bin := processtest.Build(t)
	instantDB, realisticDB := testdb.DSN(t), testdb.DSN(t)
	instant := start(t, bin, instantDB, freeAddr(t), "--demo", "--profile", "instant")
	realistic := start(t, bin, realisticDB, freeAddr(t), "--demo", "--profile", "realistic")
	token := instant.token(t, bin, instantDB)
	slowToken := realistic.token(t, bin, realisticDB)

	chat := func(p *process, token string, headers ...string) string {
		t.Helper()
		h := http.Header{}
		for i := 0; i+1 < len(headers); i += 2 {
			h.Set(headers[i], headers[i+1])
		}
		status, got, body := p.callWith(t, http.MethodPost, "/v1.0/chats", token, createChatWithApp("wait"), h)
		if status != http.StatusAccepted {
			t.Fatalf("POST /chats: %d %v", status, body)
		}
		return got.Get("Location")
	}
	beta := "--base-url=" + instant.base + "/beta"
	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		status string // of the operation printed on stdout ("": none)
		stderr string // part of what stderr says
	}{
		{"succeeded, --token", []string{beta, "--token", token, chat(instant, token)}, nil, 0, "succeeded", "succeeded"},
		{"succeeded, client credentials", []string{chat(instant, token), beta, "--tenant", demo.TenantID, "--client-id", demo.ConsoleApp},
			[]string{"TEAMSOPS_CLIENT_SECRET=" + demo.ConsoleSecret}, 0, "succeeded", "succeeded"},
		{"succeeded, --db, an absolute URL", []string{"--db", instantDB, "--tenant", demo.TenantID, "--app", demo.ConsoleApp,
			instant.base + "/beta" + chat(instant, token)}, nil, 0, "succeeded", "succeeded"},
		{"failed", []string{beta, "--token", token, chat(instant, token, "X-Teamsops-Fault", "fail")}, nil, 1, "failed", "serviceNotAvailable"},
		{"timed out", []string{"--base-url", realistic.base + "/beta", "--token", slowToken, "--timeout", "1s", chat(realistic, slowToken)},
			nil, 2, "", "timed out after 1s"},
		{"a bad token", []string{beta, "--token", "not-a-token", chat(instant, token)}, nil, 3, "", "401"},
		{"no such operation", []string{beta, "--token", token, "/teams('" + demo.TeamID + "')/operations('00000000-0000-0000-0000-000000000000')"},
			nil, 3, "", "404"},
		{"no credentials", []string{beta, chat(instant, token)}, nil, 3, "", "--token"},
		{"no Location", []string{beta, "--token", token}, nil, 3, "", "one LOCATION-or-URL"},
		{"a bad flag", []string{"--timeout", "soon", "x"}, nil, 3, "", "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, append([]string{"wait"}, tt.args...)...)
			cmd.Env = append(cleanEnv(), tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) {
				t.Fatalf("exit %d, want %d; stderr %q, want it to mention %q", code, tt.code, stderr.String(), tt.stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "teamsops wait: ") || !strings.HasSuffix(last, fmt.Sprintf("(exit status %d)", tt.code)) ||
				strings.Contains(stderr.String(), "\nteamsops: ") {
				t.Errorf("stderr %q: want it to end with the outcome and exit status, said once", stderr.String())
			}
			if tt.status == "" {
				if stdout.Len() > 0 {
					t.Errorf("stdout %q, want nothing", stdout.String())
				}
				return
			}
			var op map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &op); err != nil {
				t.Fatalf("stdout is not an operation: %v: %q", err, stdout.String())
			}
			if op["status"] != tt.status || op["operationType"] != "createChat" || op["attemptsCount"] == 0.0 {
				t.Errorf("operation %v", op)
			}
			if e, _ := op["error"].(map[string]any); tt.status == "failed" && e["code"] != "serviceNotAvailable" {
				t.Errorf("error %v", op["error"])
			}
		})
	}
}

// cleanEnv is the test's environment without TEAMSOPS_ variables, which
// "teamsops wait" would read as flags.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEAMSOPS_") {
			env = append(env, kv)
		}
	}
	return env
}

func TestServerRoot(t *testing.T) {
	tests := map[string]string{
		"http://127.0.0.1:8080/v1.0":                            "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/beta/":                           "http://127.0.0.1:8080",
		"https://teamsops.example/graph/v1.0/teams('x')/ops":    "https://teamsops.example/graph",
		"https://teamsops.example/BETA/chats('19:a@thread.v2')": "https://teamsops.example",
		"https://teamsops.example":                              "https://teamsops.example",
		"https://teamsops.example/":                             "https://teamsops.example",
	}
	for in, want := range tests {
		if got := serverRoot(in); got != want {
			t.Errorf("serverRoot(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWaitFlags: flags may follow the Location, and exactly one Location
// is taken.
func TestWaitFlags(t *testing.T) {
	c, err := parseWait([]string{"/teams('a')/operations('b')", "--timeout", "2s", "--token", "t"}, io.Discard)
	if err != nil || c.location != "/teams('a')/operations('b')" || c.timeout.String() != "2s" || c.token != "t" {
		t.Errorf("%+v, %v", c, err)
	}
	for _, args := range [][]string{{}, {"a", "b"}, {"--timeout", "0s", "a"}} {
		if _, err := parseWait(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}

// TestWaitClosedPort: against a port nothing listens on, "teamsops wait"
// says each refused connection and the retry that follows on stderr as it
// happens, and when --timeout runs out it exits 2 with an error that
// still names the refused connection.
func TestWaitClosedPort(t *testing.T) {
	base := "http://" + freeAddr(t) + "/v1.0"
	var stdout, stderr bytes.Buffer
	err := wait(context.Background(), []string{"--base-url", base, "--token", "t", "--timeout", "2500ms",
		"/teams('" + demo.TeamID + "')/operations('op')"}, &stdout, &stderr)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != exitTimedOut {
		t.Fatalf("wait = %v, want exit %d", err, exitTimedOut)
	}
	if !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %q does not say the connection was refused", err)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "teamsops wait: gave up waiting: timed out after 2.5s: ") ||
		!strings.HasSuffix(last, "(exit status 2)") {
		t.Errorf("the last line %q does not say the wait timed out, with its exit status", last)
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "teamsops wait: ") ||
		!strings.Contains(lines[0], "connection refused; retrying in ") || !strings.HasSuffix(lines[0], "(1 of 8)") {
		t.Errorf("stderr %q, want a line per retry, the first ending (1 of 8)", stderr.String())
	}
	if stdout.Len() > 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// TestWaitLastLine: whatever the outcome, the last line on stderr says it
// and the exit status in words, since "go run" turns every status but 0
// into 1; main does not repeat the error after it.
func TestWaitLastLine(t *testing.T) {
	ops := map[string]string{
		"ok":   `{"id": "ok", "operationType": "createTeam", "status": "succeeded", "attemptsCount": 1}`,
		"fail": `{"id": "fail", "operationType": "createTeam", "status": "failed", "attemptsCount": 1, "error": {"code": "QuotaExceeded", "message": "No more teams."}}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1.0/teams('t')/operations('"), "')")
		op, ok := ops[id]
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			op = `{"error": {"code": "NotFound", "message": "No such operation."}}`
		}
		io.WriteString(w, op)
	}))
	defer srv.Close()
	tests := []struct {
		id   string
		code int
		last string
	}{
		{"ok", 0, "teamsops wait: operation succeeded (exit status 0)"},
		{"fail", exitFailed, "teamsops wait: operation failed: QuotaExceeded: No more teams. (exit status 1)"},
		{"gone", exitOther, "teamsops wait: could not wait: "},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		err := wait(context.Background(), []string{"--base-url", srv.URL + "/v1.0", "--token", "t", "--timeout", "30s",
			"/teams('t')/operations('" + tt.id + "')"}, &stdout, &stderr)
		var exit *exitError
		code := 0
		if errors.As(err, &exit) {
			code = exit.code
			if !exit.said {
				t.Errorf("%s: main would print the error again after the last line", tt.id)
			}
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		last := lines[len(lines)-1]
		if code != tt.code || !strings.HasPrefix(last, tt.last) || !strings.HasSuffix(last, fmt.Sprintf("(exit status %d)", tt.code)) {
			t.Errorf("%s: exit %d, last line %q; want %d and %q", tt.id, code, last, tt.code, tt.last)
		}
	}
	// -h prints the reference, exit statuses and "go run" included.
	var stderr bytes.Buffer
	if err := wait(context.Background(), []string{"-h"}, io.Discard, &stderr); err != nil ||
		!strings.Contains(stderr.String(), "0 succeeded, 1 failed, 2 timed out (--timeout), 3 any other") ||
		!strings.Contains(stderr.String(), `"go run"`) {
		t.Errorf("wait -h: %v\n%s", err, stderr.String())
	}
}
