package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
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

// TestServeDemoAndToken runs the quick start's flow in process: serve --demo,
// a token from "teamsops token" on the same database, the seed's request,
// and a clean stop.
func TestServeDemoAndToken(t *testing.T) {
	db := testdb.DSN(t)
	base := serveInBackground(t, "--demo", "--db", db) // which also checks serve stops cleanly

	token := runToken(t, db, "--tenant", demo.TenantID, "--user", demo.UserAdele, "--scopes", "Chat.Read")
	status, _, body, err := fetch(http.MethodGet, base+"/beta/chats/"+demo.ChatID+"/operations/"+demo.ChatOperation, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK || !strings.Contains(string(body), `"operationType":"createChat"`) {
		t.Fatalf("status %d: %s", status, body)
	}
	// On a loopback address, without an admin token, the dashboard is open.
	res, err := http.Get(base + "/_teamsops/ui/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), demo.ChatOperation) {
		t.Errorf("the dashboard: %d", res.StatusCode)
	}
}

// TestLoopback: only a loopback listener serves the dashboard without an
// admin token; every interface, or one of them, is not one.
func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.2:8080": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, "[::]:8080": false, "10.1.2.3:8080": false, "192.168.1.10:8080": false,
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := loopback(tcp); got != want {
			t.Errorf("loopback(%s) = %v, want %v", addr, got, want)
		}
	}
}

// runToken runs "teamsops token" in this process on db with args, and
// returns the token it printed.
func runToken(t *testing.T, db string, args ...string) string {
	t.Helper()
	var out, stderr bytes.Buffer
	if err := run(context.Background(), append([]string{"token", "--db", db}, args...), &out, &stderr); err != nil {
		t.Fatalf("token: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(out.String())
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	if err := processtest.WaitReady(base, nil, 30*time.Second); err != nil {
		t.Fatalf("%s: %v", base, err)
	}
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
		{[]string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0", "--throttle", "fast"}, "--throttle"},
		{[]string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0", "--throttle", "scale=0"}, "--throttle"},
		{[]string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0", "--history-retention", "-1h"}, "--history-retention"},
		{[]string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0", "--history-retention", "a week"}, "history-retention"},
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
	db := testdb.DSN(t)
	testdb.Open(t, db).Close() // a database as apply leaves it
	t.Setenv("TEAMSOPS_DB", db)
	t.Setenv("TEAMSOPS_PUBLIC_URL", "http://127.0.0.1:8080")
	t.Setenv("TEAMSOPS_FORCE", "true") // the database has no tenant
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--app", demo.ConsoleApp, "--roles", "Chat.Read.All"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), ".") != 2 {
		t.Errorf("not a JWT: %q", out.String())
	}
}

// TestServeThrottle: TEAMSOPS_THROTTLE=scale=0.01 (the environment form
// of --throttle) turns "GET /teams/{team-id}", 30 per second on Graph
// and 4 per second per app on one team, into one every 25 seconds: the
// second request is a 429 with Retry-After.
func TestServeThrottle(t *testing.T) {
	t.Setenv("TEAMSOPS_THROTTLE", "scale=0.01")
	db := testdb.DSN(t)
	base := serveInBackground(t, "--demo", "--profile", "instant", "--db", db)
	token := runToken(t, db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--roles", "Team.ReadBasic.All")
	var statuses []int
	var retryAfter string
	for range 2 {
		status, header, _, err := fetch(http.MethodGet, base+"/v1.0/teams/"+demo.TeamID, token, nil)
		if err != nil {
			t.Fatal(err)
		}
		statuses, retryAfter = append(statuses, status), header.Get("Retry-After")
	}
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusTooManyRequests || retryAfter == "" {
		t.Errorf("statuses %v, Retry-After %q", statuses, retryAfter)
	}
}

// TestServeTLS serves HTTPS with --tls-cert and --tls-key, and builds the
// default public URL on https.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	db := "sqlite:" + filepath.Join(dir, "teamsops.db")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--profile", "instant", "--db", db, "--addr", addr,
			"--tls-cert", certFile, "--tls-key", keyFile}, io.Discard, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	var res *http.Response
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err = client.Get("https://" + addr + "/" + demo.TenantID + "/v2.0/.well-known/openid-configuration"); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc map[string]any
	json.NewDecoder(res.Body).Decode(&doc)
	if want := "https://" + addr + "/" + demo.TenantID + "/v2.0"; doc["issuer"] != want {
		t.Errorf("issuer %v, want %s", doc["issuer"], want)
	}
}

func TestTLSFlagsGoTogether(t *testing.T) {
	err := run(context.Background(), []string{"serve", "--db", "sqlite::memory:", "--addr", "127.0.0.1:0", "--tls-cert", "x.pem"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("err %v", err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "teamsops test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestExitCode: what main prints and exits with for each kind of result.
func TestExitCode(t *testing.T) {
	failed := errors.New("operation failed")
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, 0, ""},
		{flag.ErrHelp, 0, ""},
		{errors.New("no command given"), 2, "teamsops: no command given\n"},
		{&exitError{code: exitFailed, err: failed}, 1, "teamsops: operation failed\n"},
		{&exitError{code: exitTimedOut, err: failed, said: true}, 2, ""},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		if code := exitCode(tt.err, &stderr); code != tt.code || stderr.String() != tt.stderr {
			t.Errorf("exitCode(%v) = %d, said %q; want %d, %q", tt.err, code, stderr.String(), tt.code, tt.stderr)
		}
	}
}

// TestHelp: each command's -h is its reference: what it does with
// databases and its exit statuses; token's says how long a token is
// accepted. -h is not an error.
func TestHelp(t *testing.T) {
	tests := map[string][]string{
		"":       {"Exit status: 0 done", `"go run" exits 1`, "token and wait --db only use the database of a server"},
		"serve":  {"Exit status: 0 stopped by SIGINT", "creates --db if it does not exist"},
		"apply":  {"Exit status: 0 applied, 2 any error", "creates the database if it does not exist", "each mistake once"},
		"token":  {"Exit status: 0", "token never creates a database", "accepted until 5 minutes after its", `"--ttl 1m" is refused as expired`},
		"wait":   {"0 succeeded, 1 failed, 2 timed out", "(exit status 2)"},
		"listen": {"Exit status: 0 interrupted", "opens no database"},
	}
	for cmd, want := range tests {
		args := []string{"-h"}
		if cmd != "" {
			args = []string{cmd, "-h"}
		}
		var stdout, stderr bytes.Buffer
		err := run(context.Background(), args, &stdout, &stderr)
		if exitCode(err, io.Discard) != 0 {
			t.Errorf("%v: %v, want exit status 0", args, err)
		}
		for _, w := range want {
			if !strings.Contains(stdout.String()+stderr.String(), w) {
				t.Errorf("%v does not say %q", args, w)
			}
		}
	}
}

// TestTokenTTL: --ttl is exp - nbf, in whole seconds; less than a second
// is refused before any database is read.
func TestTokenTTL(t *testing.T) {
	db := testdb.DSN(t)
	testdb.Open(t, db).Close()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "--db", db, "--public-url", "http://127.0.0.1:1", "--force",
		"--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--ttl", "90s"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	claims := jwtPayload(t, out.String())
	if exp, nbf := claims["exp"].(float64), claims["nbf"].(float64); exp-nbf != 90 || claims["iat"] != nbf {
		t.Errorf("exp %v, nbf %v, iat %v: want exp - nbf = 90 and iat = nbf", exp, nbf, claims["iat"])
	}
	for _, ttl := range []string{"0s", "500ms", "-1h"} {
		err := run(context.Background(), []string{"token", "--db", "sqlite:missing.db", "--tenant", demo.TenantID,
			"--app", demo.ConsoleApp, "--ttl", ttl}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--ttl "+ttl) || !strings.Contains(err.Error(), "at least 1s") {
			t.Errorf("--ttl %s: %v", ttl, err)
		}
	}
}
