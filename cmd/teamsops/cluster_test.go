package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// Helpers of the tests that run several replicas (replica_test.go) or lose
// the database (outage_test.go).

// replicasURL is the --public-url of replicas behind one load balancer:
// @odata.context and the token issuer are built on it, so it is the same
// for every replica.
const replicasURL = "http://teamsops.replicas.test"

// launchReplicas starts a replica of bin on db at each of addrs, all at
// once (so they migrate, load the demo tenant and create the signing key
// together), with the demo, the fast profile, replicasURL and args; it
// returns them when each is ready, with a token of the ops console.
func launchReplicas(t *testing.T, bin, db string, addrs []string, args ...string) ([]*process, string) {
	t.Helper()
	args = append([]string{"--demo", "--profile", "fast", "--public-url", replicasURL}, args...)
	replicas := make([]*process, len(addrs))
	for i, addr := range addrs {
		replicas[i] = launch(t, bin, db, addr, args...)
	}
	for _, p := range replicas {
		waitReady(t, p.base)
	}
	return replicas, issueToken(t, bin, db, replicasURL)
}

// issueToken is "teamsops token" for the ops console on db, with the
// issuer every replica started with --public-url publicURL accepts.
func issueToken(t *testing.T, bin, db, publicURL string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "--db", db, "--public-url", publicURL, "--tenant", demo.TenantID,
		"--app", demo.ConsoleApp, "--roles", strings.Join(demo.ConsoleRoles, ",")).CombinedOutput()
	if err != nil {
		t.Fatalf("token: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// fetch sends a request and returns the status, headers and raw body; it
// is safe to call from any goroutine.
func fetch(method, url, token string, body any, headers ...string) (int, http.Header, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := http.Client{Timeout: 30 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, got, err
}

// createChats POSTs createChatWithApp bodies numbered from..to-1, eight at a
// time, the i-th to replicas[i % len(replicas)], and records each 202's
// Location in locations[i]. Every failOf-th operation (if failOf > 0) is
// asked to fail every attempt.
func createChats(t *testing.T, replicas []*process, token string, from, to, failOf int, locations []string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []string
	next := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range next {
				var fault []string
				if failOf > 0 && i%failOf == 0 {
					fault = []string{"X-Teamsops-Fault", "fail"}
				}
				p := replicas[i%len(replicas)]
				status, h, body, err := fetch(http.MethodPost, p.base+"/v1.0/chats", token,
					createChatWithApp(fmt.Sprintf("replica %d", i)), fault...)
				mu.Lock()
				if err != nil || status != http.StatusAccepted {
					errs = append(errs, fmt.Sprintf("POST /chats #%d to %s: %d %v %s", i, p.base, status, err, body))
				}
				locations[i] = h.Get("Location")
				mu.Unlock()
			}
		})
	}
	for i := from; i < to; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("%d requests failed, e.g. %s", len(errs), errs[0])
	}
}

// operation GETs the operation at location (a 202's Location) on beta.
func operation(t *testing.T, p *process, token, location string) map[string]any {
	t.Helper()
	status, _, body, err := fetch(http.MethodGet, p.base+"/beta"+location, token, nil)
	if err != nil || status != http.StatusOK {
		t.Fatalf("GET %s on %s: %d %v %s", location, p.base, status, err, body)
	}
	var op map[string]any
	if err := json.Unmarshal(body, &op); err != nil {
		t.Fatalf("GET %s: %v", location, err)
	}
	return op
}

// waitTerminal polls every operation through p until each has succeeded
// or failed, and returns how many of each.
func waitTerminal(t *testing.T, p *process, token string, locations []string, timeout time.Duration) (succeeded, failed int) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	pending := locations
	for len(pending) > 0 {
		var still []string
		for _, loc := range pending {
			if s := operation(t, p, token, loc)["status"]; s != "succeeded" && s != "failed" {
				still = append(still, loc)
			}
		}
		pending = still
		if len(pending) > 0 && time.Now().After(deadline) {
			t.Fatalf("%d of %d operations never ended, e.g. %s", len(pending), len(locations), pending[0])
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, loc := range locations {
		if operation(t, p, token, loc)["status"] == "succeeded" {
			succeeded++
		} else {
			failed++
		}
	}
	return succeeded, failed
}

// checkEffects checks, through p, that each succeeded operation's chat has
// its app installed once and each failed one's has none.
func checkEffects(t *testing.T, p *process, token string, locations []string) {
	t.Helper()
	for _, loc := range locations {
		op := operation(t, p, token, loc)
		chat, _ := op["targetResourceId"].(string)
		status, _, body, err := fetch(http.MethodGet, p.base+"/v1.0/chats/"+chat+"/installedApps", token, nil)
		var apps struct{ Value []any }
		if err != nil || status != http.StatusOK || json.Unmarshal(body, &apps) != nil {
			t.Fatalf("installedApps of %s: %d %v %s", chat, status, err, body)
		}
		switch {
		case op["status"] == "succeeded" && len(apps.Value) != 1:
			t.Errorf("%s succeeded with %d installations", chat, len(apps.Value))
		case op["status"] == "failed" && len(apps.Value) != 0:
			t.Errorf("%s failed with %d installations", chat, len(apps.Value))
		}
	}
}
