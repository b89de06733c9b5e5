package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/processtest"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/notification"
)

// collector is a change-notification receiver in the test process. It
// records every notification by id and how many deliveries of one
// subscription were ever in flight at once; while held, it keeps each
// delivery waiting.
type collector struct {
	srv *httptest.Server

	mu       sync.Mutex
	byID     map[string]notification.ChangeNotification
	times    map[string]int // deliveries of each notification id
	inFlight map[string]int // by subscription
	maxIn    int
	held     bool
	waiting  int
	release  chan struct{}
}

func newCollector(t *testing.T) *collector {
	c := &collector{byID: map[string]notification.ChangeNotification{}, times: map[string]int{},
		inFlight: map[string]int{}, release: make(chan struct{})}
	c.srv = httptest.NewServer(http.HandlerFunc(c.serve))
	t.Cleanup(c.srv.Close)
	t.Cleanup(c.unhold)
	return c
}

func (c *collector) serve(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, tok)
		return
	}
	var col notification.Collection
	if err := json.NewDecoder(r.Body).Decode(&col); err != nil || len(col.Value) == 0 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	sub := col.Value[0].SubscriptionID
	c.mu.Lock()
	c.inFlight[sub]++
	c.maxIn = max(c.maxIn, c.inFlight[sub])
	held, release := c.held, c.release
	if held {
		c.waiting++
	}
	c.mu.Unlock()
	if held {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	c.mu.Lock()
	c.inFlight[sub]--
	if held || r.Context().Err() != nil {
		c.mu.Unlock()
		return // the sender may be dead: this delivery does not count
	}
	for _, n := range col.Value {
		c.byID[n.ID] = n
		c.times[n.ID]++
	}
	c.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (c *collector) hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

func (c *collector) unhold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.held {
		c.held = false
		close(c.release)
		c.release = make(chan struct{})
	}
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byID)
}

// subscribeAll subscribes the demo console app to every chat operation.
func subscribeAll(t *testing.T, p *process, token, url string) string {
	t.Helper()
	status, _, body := p.call(t, http.MethodPost, "/v1.0/subscriptions", token, map[string]any{
		"changeType": "created,updated", "notificationUrl": url, "resource": "/chats/getAllOperations",
		"expirationDateTime": time.Now().Add(50 * time.Minute).UTC().Format(time.RFC3339), "clientState": "crash"})
	if status != http.StatusCreated {
		t.Fatalf("POST /subscriptions: %d %v", status, body)
	}
	return body["id"].(string)
}

// checkLifecycles checks that every operation of locations was notified
// as created, then updated twice (inProgress, then its end).
func checkLifecycles(t *testing.T, c *collector, locations []string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	byOp := map[string][]string{}
	for _, n := range c.byID {
		byOp[n.ResourceData.ID] = append(byOp[n.ResourceData.ID], n.ChangeType)
	}
	for _, loc := range locations {
		_, opPart, _ := strings.Cut(loc, "/operations('")
		op := strings.TrimSuffix(opPart, "')")
		got := byOp[op]
		slices.Sort(got)
		if !slices.Equal(got, []string{"created", "updated", "updated"}) {
			t.Errorf("operation %s: notified %v, want created and two updates", op, got)
		}
	}
}

// TestNotificationsSurviveCrash: deliveries are in flight when teamsops is
// SIGKILLed; after a restart on the same database every notification of
// every operation arrives.
func TestNotificationsSurviveCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary for about a minute")
	}
	bin := processtest.Build(t)
	db := testdb.DSN(t)
	addr := freeAddr(t)
	args := []string{"--demo", "--profile", "instant", "--allow-http-notifications"}
	p := start(t, bin, db, addr, args...)
	token := p.token(t, bin, db)
	c := newCollector(t)
	subscribeAll(t, p, token, c.srv.URL+"/notify")
	c.hold()
	const n = 20
	locations := make([]string, n)
	createChats(t, []*process{p}, token, 0, n, 0, locations)
	waitEnded(t, p, token, locations) // every notification is written
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		waiting := c.waiting
		c.mu.Unlock()
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no delivery in flight")
		}
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	c.unhold()
	if got := c.count(); got != 0 {
		t.Fatalf("%d notifications counted before the crash, want none", got)
	}
	p = start(t, bin, db, addr, "--profile", "instant", "--allow-http-notifications")
	for deadline := time.Now().Add(2 * time.Minute); c.count() < 3*n; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d notifications arrived after the restart\n%s", c.count(), 3*n, p.log)
		}
	}
	checkLifecycles(t, c, locations)
}

// TestReplicasDeliverOnce: three replicas on one PostgreSQL database
// deliver each notification once, and never two deliveries of one
// subscription at a time.
func TestReplicasDeliverOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three replicas")
	}
	db := testdb.PostgresDSN(t)
	bin := processtest.Build(t)
	replicas, token := launchReplicas(t, bin, db, []string{freeAddr(t), freeAddr(t), freeAddr(t)}, "--allow-http-notifications")
	c, d := newCollector(t), newCollector(t)
	subscribeAll(t, replicas[0], token, c.srv.URL+"/notify")
	subscribeAll(t, replicas[1], token, d.srv.URL+"/notify")
	const n = 90
	locations := make([]string, n)
	createChats(t, replicas, token, 0, n, 0, locations)
	waitTerminal(t, replicas[2], token, locations, 3*time.Minute)
	for _, col := range []*collector{c, d} {
		for deadline := time.Now().Add(2 * time.Minute); col.count() < 3*n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d notifications arrived", col.count(), 3*n)
			}
		}
		checkLifecycles(t, col, locations)
		col.mu.Lock()
		for id, times := range col.times {
			if times != 1 {
				t.Errorf("notification %s delivered %d times", id, times)
			}
		}
		if col.maxIn != 1 {
			t.Errorf("%d deliveries of one subscription at once, want 1", col.maxIn)
		}
		col.mu.Unlock()
	}
}

// TestListen runs "teamsops listen" as its own process against a served
// teamsops: it subscribes with client credentials, answers the handshake,
// decrypts rich notifications, prints one JSON line each, and deletes its
// subscription on SIGINT.
func TestListen(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := processtest.Build(t)
	db := testdb.DSN(t)
	p := start(t, bin, db, freeAddr(t), "--demo", "--profile", "instant", "--allow-http-notifications")
	token := p.token(t, bin, db)

	cmd := exec.Command(bin, "listen", "--server", p.base, "--tenant", demo.TenantID,
		"--client-id", demo.ConsoleApp, "--client-secret", demo.ConsoleSecret,
		"--resource", "/teams/"+demo.TeamID+"/operations", "--rich")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr processtest.Output
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(time.Minute); !strings.Contains(stderr.String(), "subscribed:"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("listen did not subscribe: %s", stderr.String())
		}
	}
	if status, _, body := p.call(t, http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/archive", token, nil); status != http.StatusAccepted {
		t.Fatalf("archive: %d %v", status, body)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var statuses []string
	for len(statuses) < 3 {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("listen ended: %s", stderr.String())
			}
			var got struct {
				Notification notification.ChangeNotification
				Content      map[string]any
				Problems     []string
			}
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("not one JSON per line: %q", line)
			}
			if len(got.Problems) > 0 || got.Content == nil {
				t.Fatalf("notification with problems %v: %s", got.Problems, line)
			}
			statuses = append(statuses, fmt.Sprint(got.Content["status"]))
		case <-time.After(time.Minute):
			t.Fatalf("no notification printed: %s", stderr.String())
		}
	}
	if want := []string{"notStarted", "inProgress", "succeeded"}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	cmd.Process.Signal(syscall.SIGINT)
	if err := cmd.Wait(); err != nil {
		t.Errorf("listen exited with %v: %s", err, stderr.String())
	}
	_, _, list := p.call(t, http.MethodGet, "/v1.0/subscriptions", token, nil)
	if values, _ := list["value"].([]any); len(values) != 0 {
		t.Errorf("after listen stopped, subscriptions = %v, want none\n%s", values, stderr.String())
	}
}
