package main

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestComposeStack runs deploy/compose.yaml's stack without containers:
// each replica with its own command line from the file — only its --db
// pointed at a new database of the test's PostgreSQL, its --addr at a
// free port, and --public-url at the proxy — behind Caddy running
// deploy/Caddyfile, its site and upstreams moved to those ports. Through
// the one public URL it gets a token, spreads requests over both
// replicas, runs an operation to its end, and signs in to the dashboard,
// whose session must stick to one replica.
func TestComposeStack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs two replicas and Caddy")
	}
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		if os.Getenv("TEAMSOPS_TEST_CADDY_REQUIRED") != "" {
			t.Fatal("TEAMSOPS_TEST_CADDY_REQUIRED is set, but there is no caddy (apt-get install caddy)")
		}
		t.Skip("no caddy: apt-get install caddy")
	}
	services, replicas := readCompose(t)
	db := testdb.PostgresDSN(t)
	bin := processtest.Build(t)
	proxyAddr := freeAddr(t)
	public := "http://" + proxyAddr

	upstreams := map[string]string{} // compose's name:port → the test's address
	var procs []*process
	var adminToken string
	for _, name := range replicas {
		c := replicaCommand(t, name, services[name])
		adminToken = c.adminToken
		_, port, _ := strings.Cut(c.addr, ":")
		addr := freeAddr(t)
		upstreams[name+":"+port] = addr
		var args []string
		for _, a := range services[name].Command[1:] {
			a = interpolate(a)
			if !strings.HasPrefix(a, "--db=") && !strings.HasPrefix(a, "--addr=") && !strings.HasPrefix(a, "--public-url=") {
				args = append(args, a)
			}
		}
		procs = append(procs, launch(t, bin, db, addr, append(args, "--public-url="+public)...))
	}
	for _, p := range procs {
		waitReady(t, p.base)
	}
	startCaddy(t, caddy, proxyAddr, upstreams)
	waitReady(t, public)

	token := consoleToken(t, public)
	seed := public + "/beta/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation
	for range 10 {
		status, _, body, err := fetch(http.MethodGet, seed, token, nil)
		if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte(`"@odata.context":"`+public+`/beta/$metadata#chats(`)) {
			t.Fatalf("GET the seed's operation through the proxy: %d %v %s", status, err, body)
		}
	}
	for i, p := range procs {
		if n := seedRequests(t, p.base); n == 0 {
			t.Errorf("replica %s answered none of the 10 requests through the proxy", replicas[i])
		}
	}

	// An operation started through the proxy ends, whichever replica runs
	// it, and every replica sees its effect.
	status, h, body, err := fetch(http.MethodPost, public+"/v1.0/teams/"+demo.TeamID+"/archive", token, nil)
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("archive the demo team: %d %v %s", status, err, body)
	}
	for polls := 0; !bytes.Contains(body, []byte(`"status":"succeeded"`)); polls++ {
		if polls == 30 {
			t.Fatalf("the archive operation has not ended after %d held polls: %s", polls, body)
		}
		status, _, body, err = fetch(http.MethodGet, public+"/v1.0"+h.Get("Location"), token, nil, "Prefer", "wait=20")
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %v %s", h.Get("Location"), status, err, body)
		}
		if bytes.Contains(body, []byte(`"status":"failed"`)) {
			// The fast profile fails one attempt in ten, and all four
			// once in ten thousand operations.
			t.Fatalf("the archive operation failed: %s", body)
		}
	}
	for i, p := range procs {
		status, _, body, err := fetch(http.MethodGet, p.base+"/v1.0/teams/"+demo.TeamID, token, nil)
		if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte(`"isArchived":true`)) {
			t.Errorf("replica %s: the team after the operation: %d %v %s", replicas[i], status, err, body)
		}
	}

	checkDashboardAffinity(t, public, adminToken)
}

// startCaddy runs Caddy on deploy/Caddyfile with its site on addr, its
// upstreams moved as upstreams says, and its admin endpoint off.
func startCaddy(t *testing.T, caddy, addr string, upstreams map[string]string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(deployDir, "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	site, _ := readCaddyfile(t, filepath.Join(deployDir, "Caddyfile"))
	config := strings.Replace(string(text), "\n"+site+" {", "\nhttp://"+addr+" {", 1)
	for from, to := range upstreams {
		config = strings.ReplaceAll(config, " "+from, " "+to)
	}
	config = "{\n\tadmin off\n\tauto_https off\n}\n" + config
	dir := t.TempDir()
	path := filepath.Join(dir, "Caddyfile")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	var log processtest.Output
	cmd := exec.Command(caddy, "run", "--adapter", "caddyfile", "--config", path)
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("caddy's configuration:\n%s\ncaddy's log:\n%s", config, log.String())
		}
	})
}

// consoleToken gets the demo console app's token from the token endpoint
// at base.
func consoleToken(t *testing.T, base string) string {
	t.Helper()
	res, err := http.PostForm(base+"/"+demo.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp},
		"client_secret": {demo.ConsoleSecret}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	_, rest, ok := strings.Cut(buf.String(), `"access_token":"`)
	token, _, _ := strings.Cut(rest, `"`)
	if res.StatusCode != http.StatusOK || !ok || token == "" {
		t.Fatalf("token endpoint: %d %s", res.StatusCode, buf.String())
	}
	return token
}

// seedRequests is how many GETs of a chat's operation a replica's
// /metrics counts.
func seedRequests(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	n := 0
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "teamsops_http_requests_total{") &&
			strings.Contains(line, `/chats/{chat-id}/operations/{operation-id}"`) && strings.Contains(line, `method="GET"`) {
			fields := strings.Fields(line)
			v, _ := strconv.ParseFloat(fields[len(fields)-1], 64)
			n += int(v)
		}
	}
	return n
}

// checkDashboardAffinity signs in to the dashboard through the proxy and
// opens it again and again: a session lives in one replica's memory, so
// every request must reach the replica that made it.
func checkDashboardAffinity(t *testing.T, public, adminToken string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.PostForm(public+"/_teamsops/ui/login", url.Values{"token": {adminToken}, "next": {"/_teamsops/ui/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dashboard login through the proxy: %d", res.StatusCode)
	}
	for i := range 12 {
		res, err := client.Get(public + "/_teamsops/ui/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("dashboard request %d after signing in: %d (%s): the session reached another replica",
				i+1, res.StatusCode, res.Header.Get("Location"))
		}
	}
}
