//go:build unix

package docs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/teamsops/teamsops/internal/processtest"
)

// blockTimeout bounds one block: the slowest examples wait for an
// operation of the default profile, which ends within seconds.
const blockTimeout = 2 * time.Minute

// TestExamples runs every ```sh and ```http block of README.md and
// docs/*.md, in order, against a "teamsops serve" of the file's own
// (docs/development.md, "Examples that run"). A block that fails, or that
// neither runs nor says why it cannot, fails the test, which names its
// file and line.
func TestExamples(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("the doc test runs shell examples with bash:", err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("the doc test runs the examples' curl:", err)
	}
	files := markdownFiles(t)
	bin := processtest.Build(t)
	for _, file := range files {
		text, err := os.ReadFile(filepath.Join("..", file))
		if err != nil {
			t.Fatal(err)
		}
		p, errs := parse(file, string(text))
		for _, err := range errs {
			t.Error(err)
		}
		if !slices.ContainsFunc(p.blocks, func(b block) bool { return b.skip == "" }) {
			continue
		}
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			runPage(t, bin, p)
		})
	}
}

// markdownFiles lists README.md and every .md file under docs/, as paths
// from the repository's root.
func markdownFiles(t *testing.T) []string {
	files := []string{"README.md"}
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, filepath.ToSlash(filepath.Join("docs", path)))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// runPage starts the page's server in a working directory of its own and
// runs its blocks there in order, sharing their variables.
func runPage(t *testing.T, bin string, p page) {
	dir := t.TempDir()
	// ./teamsops and the examples' tenant files are where a reader who
	// followed the README has them.
	if err := os.Symlink(bin, filepath.Join(dir, "teamsops")); err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(examples, filepath.Join(dir, "examples")); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, bin, dir, p.serveFlags)
	r := &runner{dir: dir, addr: srv.addr, state: filepath.Join(dir, ".doctest-state")}
	if err := os.WriteFile(r.state, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, b := range p.blocks {
		if b.skip != "" {
			continue
		}
		var err error
		if b.lang == "http" {
			err = r.http(b)
		} else {
			err = r.sh(b)
		}
		if err != nil {
			t.Errorf("%s failed: %v\n%s\nthe server's log ends:\n%s\n"+
				"(run it by hand against \"teamsops serve %s\", or mark it <!-- doctest: skip (reason) --> if it cannot run in CI)",
				b.name(), err, numbered(b), indent(srv.log.Tail(20)), strings.Join(p.serveFlags, " "))
			return // later blocks may depend on this one
		}
	}
}

// numbered shows a block with the Markdown file's line numbers.
func numbered(b block) string {
	var s strings.Builder
	for i, line := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
		fmt.Fprintf(&s, "  %4d | %s\n", b.line+1+i, line)
	}
	return s.String()
}

// runner runs one page's blocks.
type runner struct {
	dir, addr string
	state     string // the variables earlier blocks set, as "export -p" writes them
}

// rewrite maps what a block says to what runs here: the binary for
// "go run", the built binary for "go build", this server for port 8080.
func (r *runner) rewrite(text string) string {
	text = goRunRe.ReplaceAllString(text, "teamsops$1")
	return strings.NewReplacer(
		"go build -o teamsops ./cmd/teamsops", ": built by the doc test",
		"127.0.0.1:8080", r.addr,
		"localhost:8080", r.addr,
	).Replace(text)
}

// goRunRe is "go run ./cmd/teamsops" as a command, not the start of
// another one's path (./cmd/teamsops-bench).
var goRunRe = regexp.MustCompile(`go run \./cmd/teamsops([\s;&|)]|$)`)

// prelude runs before each shell block, on its first line so that bash's
// line numbers stay the block's: earlier blocks' variables, every
// variable exported (a later block or an ```http block may use it), curl
// failing on an error status, and the variables saved on the way out.
const prelude = `set -a; . "$DOCTEST_STATE"; set -eo pipefail; ` +
	`curl() { command curl --fail-with-body "$@"; }; ` +
	`trap 'export -p | grep -Ev "^declare -x (PWD|OLDPWD|SHLVL|_)=" > "$DOCTEST_STATE.next"' EXIT` + "\n"

// sh runs a shell block with bash and checks its exit status.
func (r *runner) sh(b block) error {
	script := filepath.Join(r.dir, ".doctest-block.sh")
	if err := os.WriteFile(script, []byte(prelude+r.rewrite(b.text)), 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), blockTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Kill what the block started in the background too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if ctx.Err() != nil {
		return fmt.Errorf("still running after %v; its output:\n%s", blockTimeout, indent(out.String()))
	}
	if next, readErr := os.ReadFile(r.state + ".next"); readErr == nil {
		os.WriteFile(r.state, next, 0o600)
	}
	switch {
	case b.expect < 0 && err != nil:
		return fmt.Errorf("%v; its output:\n%s", err, indent(out.String()))
	case b.expect >= 0 && code != b.expect:
		return fmt.Errorf("exit status %d, where its marker expects %d; its output:\n%s", code, b.expect, indent(out.String()))
	}
	return nil
}

// env is the environment of a shell block: the test's own without
// TEAMSOPS_ settings, the binary first on PATH, and the defaults of
// "teamsops wait" and "teamsops listen" on this server.
func (r *runner) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEAMSOPS_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"PATH="+r.dir+string(os.PathListSeparator)+os.Getenv("PATH"),
		"DOCTEST_STATE="+r.state,
		"TEAMSOPS_BASE_URL=http://"+r.addr+"/v1.0",
		"TEAMSOPS_SERVER=http://"+r.addr,
	)
}

// vars reads the variables earlier blocks set.
func (r *runner) vars() (map[string]string, error) {
	cmd := exec.Command("bash", "-c", `set -a; . "$DOCTEST_STATE"; env -0`)
	cmd.Dir = r.dir
	cmd.Env = r.env()
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("reading the earlier blocks' variables: %v", err)
	}
	vars := map[string]string{}
	for _, kv := range strings.Split(string(out), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	return vars, nil
}

var varRe = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expand replaces $NAME and ${NAME} with the variables earlier blocks set,
// and leaves any other $ as it is: OData's $select, $count, $metadata.
func expand(text string, vars map[string]string) string {
	return varRe.ReplaceAllStringFunc(text, func(m string) string {
		name := strings.Trim(m, "${}")
		if v, ok := vars[name]; ok {
			return v
		}
		return m
	})
}

// http sends an ```http block as a raw request: a request line, headers,
// a blank line and the body, with earlier blocks' variables expanded. Its
// answer must not be an error status unless its marker expects one.
func (r *runner) http(b block) error {
	vars, err := r.vars()
	if err != nil {
		return err
	}
	req, err := rawRequest(expand(r.rewrite(b.text), vars), r.addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), blockTimeout)
	defer cancel()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	res.Body.Close()
	if (b.expect < 0 && res.StatusCode >= 400) || (b.expect >= 0 && res.StatusCode != b.expect) {
		want := "a success"
		if b.expect >= 0 {
			want = fmt.Sprint(b.expect)
		}
		return fmt.Errorf("status %s where %s was expected; its body:\n%s", res.Status, want, indent(string(body)))
	}
	return nil
}

// rawRequest reads "METHOD TARGET [HTTP/1.1]", headers and a body. A
// target that is a path goes to addr.
func rawRequest(text, addr string) (*http.Request, error) {
	text = strings.Trim(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	fields := strings.Fields(lines[0])
	if len(fields) < 2 || len(fields) > 3 {
		return nil, fmt.Errorf("the first line %q is not METHOD TARGET HTTP/1.1", lines[0])
	}
	target := fields[1]
	if strings.HasPrefix(target, "/") {
		target = "http://" + addr + target
	}
	req, err := http.NewRequest(fields[0], target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	for _, line := range lines[1:] {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("the header line %q has no colon", line)
		}
		if k = strings.TrimSpace(k); !strings.EqualFold(k, "Host") {
			req.Header.Add(k, strings.TrimSpace(v))
		}
	}
	return req, nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}

// server is a "teamsops serve" a page's blocks run against.
type server struct {
	addr string
	log  *processtest.Output
}

// startServer starts "teamsops serve" with flags in dir, on a free
// loopback port; it is stopped when the test ends. A port taken by
// another process between its choice and the server's bind is chosen
// again, so that other tests on the machine do not fail this one.
func startServer(t *testing.T, bin, dir string, flags []string) *server {
	for try := 1; ; try++ {
		s, err := launchServer(t, bin, dir, flags)
		if err == nil {
			return s
		}
		if try == 3 || !strings.Contains(s.log.Tail(40), "address already in use") {
			t.Fatalf("teamsops serve %s %v:\n%s", strings.Join(flags, " "), err, indent(s.log.Tail(40)))
		}
	}
}

// launchServer starts one server and waits for it to be ready.
func launchServer(t *testing.T, bin, dir string, flags []string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{addr: addr, log: &processtest.Output{}}
	cmd := exec.Command(bin, append(append([]string{"serve"}, flags...), "--addr", addr)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = s.log, s.log
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEAMSOPS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	return s, processtest.WaitReady("http://"+addr, exited, 2*time.Minute)
}
