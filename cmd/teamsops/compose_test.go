package main

import (
	"bufio"
	"bytes"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// composeService is what the test reads of a service of deploy/compose.yaml.
type composeService struct {
	Image string `yaml:"image"`
	Build struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
}

// composeVariable is compose's ${NAME:-default} and ${NAME:?error}.
var composeVariable = regexp.MustCompile(`\$\{([A-Z_]+):([-?])([^}]*)\}`)

// interpolate reads a compose value as compose does with an environment
// that sets every required variable (${NAME:?…}) to "NAME-value" and no
// other.
func interpolate(s string) string {
	return composeVariable.ReplaceAllStringFunc(s, func(v string) string {
		m := composeVariable.FindStringSubmatch(v)
		if m[2] == "?" {
			return m[1] + "-value"
		}
		return m[3]
	})
}

// replicaCommand parses a teamsops service's command as serve does.
func replicaCommand(t *testing.T, name string, s composeService) serveConfig {
	t.Helper()
	if len(s.Command) == 0 || s.Command[0] != "serve" {
		t.Fatalf("%s: command %q, want serve and its flags", name, s.Command)
	}
	var args []string
	for _, a := range s.Command[1:] {
		a = interpolate(a)
		if strings.Contains(a, "$") {
			t.Fatalf("%s: %q: a variable the test cannot read", name, a)
		}
		args = append(args, a)
	}
	var c serveConfig
	var stderr bytes.Buffer
	fs := c.flags(&stderr)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		t.Fatalf("%s: serve %q: %v %q %s", name, args, err, fs.Args(), stderr.String())
	}
	for k, v := range s.Environment {
		flag, ok := strings.CutPrefix(k, "TEAMSOPS_")
		f := fs.Lookup(strings.ReplaceAll(strings.ToLower(flag), "_", "-"))
		if !ok || f == nil {
			t.Errorf("%s: environment %s names no flag of serve", name, k)
		} else if err := f.Value.Set(v); err != nil {
			t.Errorf("%s: %s=%q: %v", name, k, v, err)
		}
	}
	if _, _, err := c.modes(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	return c
}

// TestComposeFile checks deploy/compose.yaml as docs/operating.md says
// replicas must run: each replica's command is one serve takes, with the
// same settings as the others, listening where the proxy sends requests,
// on the database the PostgreSQL service creates, under the public URL
// the proxy publishes.
func TestComposeFile(t *testing.T) {
	services, replicas := readCompose(t)
	var upstreams []string
	first := replicaCommand(t, replicas[0], services[replicas[0]])
	for _, name := range replicas {
		s := services[name]
		c := replicaCommand(t, name, s)
		if s.Build.Context != "" {
			if _, err := os.Stat(filepath.Join(deployDir, s.Build.Context, s.Build.Dockerfile)); err != nil {
				t.Errorf("%s: build: %v", name, err)
			}
		}
		same := func(what, a, b string) {
			if a != b {
				t.Errorf("%s: %s %q, %s's %q: replicas need the same", name, what, a, replicas[0], b)
			}
		}
		same("--db", c.db, first.db)
		same("--public-url", c.publicURL, first.publicURL)
		same("--profile", c.profile, first.profile)
		same("--throttle", c.throttle, first.throttle)
		same("--admin-token", c.adminToken, first.adminToken)
		same("--trust-issuer", c.trusted.String(), first.trusted.String())
		host, port, err := net.SplitHostPort(c.addr)
		if err != nil || host != "0.0.0.0" {
			t.Errorf("%s: --addr %q: the proxy reaches a replica only on all interfaces", name, c.addr)
		}
		upstreams = append(upstreams, name+":"+port)
		checkDatabase(t, name, c.db, services)
		for _, a := range s.Command[1:] {
			if !strings.HasPrefix(a, "--") || (!strings.Contains(a, "=") && a != "--demo") {
				t.Errorf("%s: %q: write flags as --flag=value (TestComposeStack replaces some)", name, a)
			}
		}
	}
	if first.publicURL == "" {
		t.Fatal("no --public-url: each replica would name its own address")
	}
	checkProxy(t, deployDir, first.publicURL, upstreams, services)
}

// deployDir holds compose.yaml and the proxy's configuration.
var deployDir = filepath.Join("..", "..", "deploy")

// readCompose reads deploy/compose.yaml's services and the names of its
// teamsops replicas, sorted.
func readCompose(t *testing.T) (map[string]composeService, []string) {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(text, &compose); err != nil {
		t.Fatal(err)
	}
	var replicas []string
	for name, s := range compose.Services {
		if strings.HasPrefix(s.Image, "teamsops:") {
			replicas = append(replicas, name)
		}
	}
	slices.Sort(replicas)
	if len(replicas) < 2 {
		t.Fatalf("services %v: want at least two teamsops replicas", replicas)
	}
	return compose.Services, replicas
}

// checkDatabase: dsn names the PostgreSQL service, its user, password and
// database.
func checkDatabase(t *testing.T, name, dsn string, services map[string]composeService) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme != "postgres" {
		t.Errorf("%s: --db %q is not a postgres:// URL (%v)", name, dsn, err)
		return
	}
	pg, ok := services[u.Hostname()]
	if !ok {
		t.Errorf("%s: --db names host %q, no service", name, u.Hostname())
		return
	}
	password, _ := u.User.Password()
	env := pg.Environment
	if u.User.Username() != env["POSTGRES_USER"] || password != env["POSTGRES_PASSWORD"] ||
		strings.TrimPrefix(u.Path, "/") != env["POSTGRES_DB"] || u.Port() != "5432" {
		t.Errorf("%s: --db %q does not match the %s service's %v", name, dsn, u.Hostname(), env)
	}
}

// checkProxy: the one service that publishes the public URL's port runs
// the Caddyfile beside compose.yaml, whose site listens there and whose
// every reverse_proxy sends requests to exactly the replicas.
func checkProxy(t *testing.T, dir, publicURL string, upstreams []string, services map[string]composeService) {
	t.Helper()
	public, err := url.Parse(publicURL)
	if err != nil || public.Port() == "" {
		t.Fatalf("--public-url %q: want a URL with a port", publicURL)
	}
	var proxy composeService
	var containerPort string
	for name, s := range services {
		for _, p := range s.Ports {
			if hostPort, inside, ok := strings.Cut(p, ":"); ok && hostPort == public.Port() {
				proxy, containerPort = s, inside
				t.Logf("the public URL %s is %s's port %s", publicURL, name, inside)
			}
		}
	}
	if containerPort == "" {
		t.Fatalf("no service publishes the public URL's port %s", public.Port())
	}
	if !slices.ContainsFunc(proxy.Volumes, func(v string) bool { return strings.HasPrefix(v, "./Caddyfile:/etc/caddy/Caddyfile") }) {
		t.Fatalf("the proxy mounts %q, not ./Caddyfile", proxy.Volumes)
	}
	site, proxies := readCaddyfile(t, filepath.Join(dir, "Caddyfile"))
	if site != ":"+containerPort {
		t.Errorf("the Caddyfile's site is %q, the published port %s", site, containerPort)
	}
	if len(proxies) == 0 {
		t.Fatal("the Caddyfile has no reverse_proxy")
	}
	slices.Sort(upstreams)
	for i, p := range proxies {
		slices.Sort(p)
		if !slices.Equal(p, upstreams) {
			t.Errorf("reverse_proxy %d sends to %q, the replicas listen at %q", i+1, p, upstreams)
		}
	}
}

// readCaddyfile reads the Caddyfile's one site address and the upstreams
// of each of its reverse_proxy directives.
func readCaddyfile(t *testing.T, path string) (site string, proxies [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	depth := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		if depth == 0 && fields[len(fields)-1] == "{" {
			if site != "" {
				t.Fatalf("a second site %q after %q", fields[0], site)
			}
			site = fields[0]
		}
		if fields[0] == "reverse_proxy" {
			proxies = append(proxies, slices.DeleteFunc(fields[1:], func(s string) bool { return s == "{" }))
		}
		depth += strings.Count(sc.Text(), "{") - strings.Count(sc.Text(), "}")
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if depth != 0 {
		t.Fatalf("the Caddyfile's braces do not balance (%d)", depth)
	}
	return site, proxies
}
