package main

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
)

// TestDatabaseOutage stops PostgreSQL while operations run: Graph requests
// answer 503 with Retry-After in Graph's error format, /healthz stays 200
// and /readyz turns 503. When the database is back the service recovers by
// itself, and every operation ends. It uses a PostgreSQL server of its own.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a PostgreSQL server of its own and the binary for about a minute")
	}
	pg := newPrivatePostgres(t)
	bin := processtest.Build(t)
	p := start(t, bin, pg.DSN, freeAddr(t), "--demo", "--profile", "fast")
	token := issueToken(t, bin, pg.DSN, p.base)

	const n = 40
	locations := make([]string, n+1)
	createChats(t, []*process{p}, token, 0, n, 0, locations)
	pg.Stop()
	down := time.Now()

	opURL := p.base + "/beta" + locations[0]
	for _, req := range []struct{ method, url string }{
		{http.MethodGet, opURL},
		{http.MethodGet, p.base + "/beta/chats/" + demo.ChatID + "/operations"},
		{http.MethodPost, p.base + "/v1.0/chats"},
	} {
		wantUnavailable(t, req.method, req.url, token)
	}
	wantStatus(t, p.base+"/healthz", http.StatusOK)
	wantStatus(t, p.base+"/readyz", http.StatusServiceUnavailable)
	time.Sleep(5*time.Second - time.Since(down)) // an outage of some seconds

	pg.Start()
	up := time.Now()
	t.Logf("database down for %s", up.Sub(down).Round(time.Millisecond))
	waitReady(t, p.base)
	t.Logf("ready %s after the database", time.Since(up).Round(time.Millisecond))
	// New work is accepted again, and every operation ends.
	createChats(t, []*process{p}, token, n, n+1, 0, locations)
	succeeded, failed := waitTerminal(t, p, token, locations, 3*time.Minute)
	t.Logf("%s after the database: %d operations succeeded, %d failed", time.Since(up).Round(time.Second), succeeded, failed)
	checkEffects(t, p, token, locations)
	if os.Getenv("TEAMSOPS_TEST_VERBOSE") != "" {
		t.Log(p.log)
	}
}

// wantUnavailable checks that a Graph request answers 503 with Retry-After
// and Graph's error envelope.
func wantUnavailable(t *testing.T, method, url, token string) {
	t.Helper()
	var body any
	if method == http.MethodPost {
		body = createChatWithApp("during the outage")
	}
	status, h, raw, err := fetch(method, url, token, body)
	var e struct {
		Error struct {
			Code       string
			Message    string
			InnerError map[string]any
		}
	}
	switch {
	case err != nil:
		t.Errorf("%s %s: %v", method, url, err)
	case status != http.StatusServiceUnavailable || h.Get("Retry-After") == "":
		t.Errorf("%s %s: %d, Retry-After %q, %s; want 503 with Retry-After", method, url, status, h.Get("Retry-After"), raw)
	case json.Unmarshal(raw, &e) != nil || e.Error.Code != "ServiceUnavailable" || e.Error.InnerError["request-id"] == nil:
		t.Errorf("%s %s: body %s, want Graph's error envelope with code ServiceUnavailable", method, url, raw)
	}
}

func wantStatus(t *testing.T, url string, want int) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != want {
		t.Errorf("GET %s: %d, want %d", url, res.StatusCode, want)
	}
}
