package http_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// logBuffer is a log destination several goroutines may write at once.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (e *env) captureLog() *logBuffer {
	var buf logBuffer
	e.api.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	return &buf
}

// statuses records the status of each answered request, as the metrics do.
type statuses struct{ got chan int }

func (s *statuses) Request(_, _ string, status int, _ time.Duration) { s.got <- status }
func (s *statuses) Accepted(*teamsops.Operation)                     {}

// A held GET whose client goes away ends with its context cancelled:
// that is the client's doing, recorded as 499 and logged as such, never a
// 500 logged as the server's failure.
func TestClientGoneIsNotServerError(t *testing.T) {
	e := newEnv(t)
	logs := e.captureLog()
	seen := &statuses{got: make(chan int, 8)}
	e.api.Observer = seen
	e.stuckOperation()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+stuckPath("v1.0"), nil)
	req.Header.Set("Authorization", "Bearer "+e.consoleToken())
	req.Header.Set("Prefer", "wait=60")
	done := make(chan error, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	awaitHeld(t, e, 1)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the cancelled request was answered")
	}
	select {
	case status := <-seen.got:
		if status != 499 {
			t.Errorf("a request abandoned by its client recorded as %d, want 499", status)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the abandoned request never ended")
	}
	if out := logs.String(); strings.Contains(out, "level=ERROR") || !strings.Contains(out, "request abandoned by its client") {
		t.Errorf("log:\n%s", out)
	}
}

// Every 5xx the edge answers is logged with its request-id, also one
// written past writeError (here by the admin handler).
func TestEveryServerErrorLogged(t *testing.T) {
	e := newEnv(t)
	logs := e.captureLog()
	e.api.Admin = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "broken", http.StatusInternalServerError)
	})
	res := e.get("/_teamsops/tenants", "")
	id := res.header.Get("request-id")
	if res.status != http.StatusInternalServerError || id == "" {
		t.Fatalf("status %d, request-id %q", res.status, id)
	}
	out := logs.String()
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "request_id="+id) || !strings.Contains(out, "status=500") {
		t.Errorf("the 500 is not logged with its request-id:\n%s", out)
	}
}
