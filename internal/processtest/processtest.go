// Package processtest runs the teamsops binary as a child process of a
// test: it builds the binary, keeps the process's output readable while it
// runs, and waits for the process to answer /readyz. The end-to-end tests
// of cmd/teamsops and the runnable examples of the docs start their
// servers with it.
package processtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Build builds cmd/teamsops into a temporary folder of t and returns the
// binary's path. It works from any folder of the module.
func Build(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "teamsops")
	// The toolchain that runs the test, even where PATH has no go.
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/teamsops/teamsops/cmd/teamsops").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./cmd/teamsops: %v\n%s", err, out)
	}
	return bin
}

// Output is what a process writes to its stdout and stderr, safe to read
// while the process still writes.
type Output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p; it is the process's side.
func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

// String returns everything written so far.
func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// Tail returns the last n lines written.
func (o *Output) Tail(n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(o.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// WaitReady polls base's /readyz until it answers 200. It gives up when
// exited is closed first (a nil channel never is) or after timeout.
func WaitReady(base string, exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("exited before it was ready")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("was not ready within %v", timeout)
		}
	}
}
