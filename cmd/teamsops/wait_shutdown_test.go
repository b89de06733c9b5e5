package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestShutdownAnswersHeldRequests: on SIGTERM (here, the end of serve's
// context) a GET held by "Prefer: wait" answers at once with the
// operation's current state, and serve stops cleanly instead of waiting
// out its grace period for the held request.
func TestShutdownAnswersHeldRequests(t *testing.T) {
	db := testdb.DSN(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--profile", "realistic", "--db", db, "--addr", addr}, io.Discard, io.Discard)
	}()
	base := "http://" + addr
	waitReady(t, base)

	bearer := "Bearer " + runToken(t, db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--roles", "TeamSettings.ReadWrite.All")
	// Archiving takes 10 to 40 seconds on the realistic profile.
	req, _ := http.NewRequest(http.MethodPost, base+"/v1.0/teams/"+demo.TeamID+"/archive", nil)
	req.Header.Set("Authorization", bearer)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusAccepted || res.Header.Get("Retry-After") != "30" {
		t.Fatalf("archive: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}

	held := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1.0"+loc, nil)
		req.Header.Set("Authorization", bearer)
		req.Header.Set("Prefer", "wait=60")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
		}
		held <- res
	}()
	// Give the GET time to be held (were it answered earlier, the checks
	// below would still hold).
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v (held requests should not delay the shutdown)", err)
	}
	res = <-held
	if res == nil {
		return
	}
	defer res.Body.Close()
	var op map[string]any
	json.NewDecoder(res.Body).Decode(&op)
	if res.StatusCode != http.StatusOK || (op["status"] != "inProgress" && op["status"] != "notStarted") {
		t.Errorf("held GET: %d %v", res.StatusCode, op)
	}
}
