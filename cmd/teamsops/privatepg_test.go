package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// privatePostgres is a PostgreSQL server of the test's own, in a temporary
// directory on a free port, which the test may stop and start at will —
// never the machine's shared server.
type privatePostgres struct {
	t      *testing.T
	bindir string
	data   string
	// runAs is the OS user the server runs as when the test runs as root
	// (initdb and postgres refuse root); "" to run as the current user.
	runAs string
	// DSN reaches the server's postgres database as its superuser.
	DSN string
}

// newPrivatePostgres initializes and starts a server, and stops it when
// the test ends. It skips the test when PostgreSQL's programs are missing,
// or when running as root without a "postgres" user to run them as.
func newPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		t.Skipf("needs PostgreSQL's server programs: pg_config --bindir: %v", err)
	}
	pg := &privatePostgres{t: t, bindir: strings.TrimSpace(string(out))}
	if _, err := os.Stat(filepath.Join(pg.bindir, "initdb")); err != nil {
		t.Skipf("needs PostgreSQL's server programs: %v", err)
	}
	dir := t.TempDir()
	pg.data = filepath.Join(dir, "data")
	if os.Geteuid() == 0 {
		pg.runAs = "postgres"
		if err := pg.handOver(dir); err != nil {
			t.Skipf("initdb refuses root, and the server cannot run as the postgres user: %v", err)
		}
	}
	pg.run("initdb", "--no-sync", "-D", pg.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C")
	port := strings.TrimPrefix(freeAddr(t), "127.0.0.1:")
	// TCP on loopback only, and no Unix socket: nothing shared with the
	// machine's server. fsync off: the test never loses power.
	conf := fmt.Sprintf("\nport = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n", port)
	f, err := os.OpenFile(filepath.Join(pg.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(conf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	pg.DSN = "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
	pg.Start()
	t.Cleanup(func() { pg.pgctl("stop", "-m", "immediate") })
	return pg
}

// handOver lets the postgres user own dir and reach it through its
// parent, which t.TempDir creates for root alone.
func (pg *privatePostgres) handOver(dir string) error {
	u, err := user.Lookup(pg.runAs)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	return os.Chown(dir, uid, gid)
}

// Start starts the server and waits until it accepts connections.
func (pg *privatePostgres) Start() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", pg.data, "-l", filepath.Join(pg.data, "server.log"), "-w", "start")
}

// Stop stops the server as an operator would (pg_ctl stop -m fast): open
// connections are closed, and nothing listens on the port until Start.
func (pg *privatePostgres) Stop() {
	pg.t.Helper()
	pg.run("pg_ctl", "-D", pg.data, "-m", "fast", "-w", "stop")
}

func (pg *privatePostgres) pgctl(args ...string) error {
	return pg.command("pg_ctl", append([]string{"-D", pg.data}, args...)...).Run()
}

// run runs one of the server's programs and fails the test if it fails.
func (pg *privatePostgres) run(program string, args ...string) {
	pg.t.Helper()
	if out, err := pg.command(program, args...).CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %s: %v\n%s", program, strings.Join(args, " "), err, out)
	}
}

func (pg *privatePostgres) command(program string, args ...string) *exec.Cmd {
	path := filepath.Join(pg.bindir, program)
	cmd := exec.Command(path, args...)
	if pg.runAs != "" {
		cmd = exec.Command("runuser", append([]string{"-u", pg.runAs, "--", path}, args...)...)
	}
	cmd.Dir = filepath.Dir(pg.data) // one the server's user may enter
	return cmd
}
