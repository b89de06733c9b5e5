package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeDemoAndToken runs the README's flow in process: serve --demo,
// a token from "teamsops token" on the same database, the seed's request,
// and a clean stop.
func TestServeDemoAndToken(t *testing.T) {
	db := testdb.DSN(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--db", db, "--addr", addr}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v after its context ended", err)
		}
	}()
	waitReady(t, "http://"+addr)

	var out bytes.Buffer
	err := run(ctx, []string{"token", "--db", db, "--addr", addr, "--tenant", demo.TenantID,
		"--user", demo.UserAdele, "--scopes", "Chat.Read"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/beta/chats/"+demo.ChatID+"/operations/"+demo.ChatOperation, nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(out.String()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"operationType":"createChat"`) {
		t.Fatalf("status %d: %s", res.StatusCode, body)
	}
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not become ready")
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args     []string
		contains string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"token", "--db", "sqlite::memory:"}, "--tenant is required"},
		{[]string{"token", "--db", "sqlite::memory:", "--tenant", demo.TenantID}, "--app"},
		{[]string{"token", "--db", "sqlite::memory:", "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--scopes", "Chat.Read"}, "--user"},
		{[]string{"token", "--db", "sqlite::memory:", "--tenant", demo.TenantID, "--user", demo.UserAdele, "--roles", "Chat.Read.All"}, "--roles"},
		{[]string{"token", "--db", "mysql://x", "--tenant", demo.TenantID, "--app", demo.ConsoleApp}, "--db"},
		{[]string{"serve", "--db", "postgres://u:secret@127.0.0.1:1/teamsops", "--addr", "127.0.0.1:0"}, "--db postgres://…@127.0.0.1:1"},
		{[]string{"serve", "--db", "postgres://127.0.0.1:1/teamsops?pool_max_conns=1", "--addr", "127.0.0.1:0"}, "at least 2"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%v: err %v, want one mentioning %q", tt.args, err, tt.contains)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%v: the error shows the password: %v", tt.args, err)
		}
	}
}

func TestEnvironmentFlags(t *testing.T) {
	t.Setenv("TEAMSOPS_TENANT", demo.TenantID)
	t.Setenv("TEAMSOPS_DB", "sqlite::memory:")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--app", demo.ConsoleApp, "--roles", "Chat.Read.All"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), ".") != 2 {
		t.Errorf("not a JWT: %q", out.String())
	}
}
