package notification_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/notification"
)

// stack is a whole teamsops (internal/server) with the demo tenant, on a
// new database of the back end under test, serving on a loopback port.
type stack struct {
	t    testing.TB
	srv  *server.Server
	base string
}

// fastRetries retry failed deliveries within a fraction of a second.
var fastRetries = server.NotificationSettings{RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond,
	ValidationTimeout: 2 * time.Second}

func newStack(t *testing.T, settings server.NotificationSettings) *stack {
	return newStackTB(t, settings)
}

// newStackTB starts a stack; options change its configuration.
func newStackTB(t testing.TB, settings server.NotificationSettings, options ...func(*server.Config)) *stack {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cfg := server.Config{DB: testdb.DSN(t), PublicURL: base, Profile: profile, Demo: true,
		AllowHTTPNotifications: true, Notifications: settings, Logger: testLogger(), OwnAddrs: []string{ln.Addr().String()}}
	for _, o := range options {
		o(&cfg)
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv.Handler}}
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Stop(stopCtx)
		srv.Close()
	})
	return &stack{t: t, srv: srv, base: base}
}

// appToken is an application token of the demo tenant.
func (s *stack) appToken(appID string, roles ...string) string {
	return s.token(identity.Claims{TenantID: demo.TenantID, AppID: appID, Roles: roles})
}

// userToken is a delegated token of the demo tenant for the console app.
func (s *stack) userToken(userID string, scopes ...string) string {
	return s.token(identity.Claims{TenantID: demo.TenantID, UserID: userID, AppID: demo.ConsoleApp, Scopes: scopes})
}

func (s *stack) token(c identity.Claims) string {
	s.t.Helper()
	tok, err := s.srv.Issuer.Issue(c, time.Hour)
	if err != nil {
		s.t.Fatal(err)
	}
	return tok
}

// console is the demo console app's token with all its roles.
func (s *stack) console() string { return s.appToken(demo.ConsoleApp, demo.ConsoleRoles...) }

// call sends a Graph request and returns the status and JSON body.
func (s *stack) call(method, path, token string, body any) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

// subscribe creates a subscription and returns its id, failing the test
// unless the answer is 201.
func (s *stack) subscribe(token string, body map[string]any) string {
	s.t.Helper()
	status, m := s.call(http.MethodPost, "/v1.0/subscriptions", token, body)
	if status != http.StatusCreated {
		s.t.Fatalf("POST /subscriptions = %d %v", status, m)
	}
	return m["id"].(string)
}

// archiveTeam starts an archiveTeam (or unarchiveTeam) operation on the
// demo team.
func (s *stack) archiveTeam(archive bool) {
	s.t.Helper()
	action := "unarchive"
	if archive {
		action = "archive"
	}
	status, m := s.call(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/"+action, s.console(), nil)
	if status != http.StatusAccepted {
		s.t.Fatalf("POST %s = %d %v", action, status, m)
	}
}

// receiver is a change-notification receiver on a loopback port: it
// answers the validation handshake and records what it is sent. While
// down, it answers 503.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	down     bool
	received []notification.Collection
	posts    int
	changed  chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{changed: make(chan struct{}, 1)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/notify" }

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	if tok := req.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(tok))
		return
	}
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts++
	if r.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var c notification.Collection
	if err := json.Unmarshal(body, &c); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.received = append(r.received, c)
	w.WriteHeader(http.StatusAccepted)
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

// notifications returns every notification received, in order.
func (r *receiver) notifications() []notification.ChangeNotification {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []notification.ChangeNotification
	for _, c := range r.received {
		out = append(out, c.Value...)
	}
	return out
}

func (r *receiver) collections() []notification.Collection {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.received)
}

// waitFor waits until cond holds; the bound only keeps a broken run from
// hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// operationNotifications returns the change notifications (not lifecycle
// ones) received for a subscription.
func operationNotifications(r *receiver, subID string) []notification.ChangeNotification {
	var out []notification.ChangeNotification
	for _, n := range r.notifications() {
		if n.SubscriptionID == subID && n.LifecycleEvent == "" {
			out = append(out, n)
		}
	}
	return out
}

// lifecycleEvents returns the lifecycle events received for a subscription.
func lifecycleEvents(r *receiver, subID string) []string {
	var out []string
	for _, n := range r.notifications() {
		if n.SubscriptionID == subID && n.LifecycleEvent != "" {
			out = append(out, n.LifecycleEvent)
		}
	}
	return out
}

// testLogger shows the server's errors with TEAMSOPS_TEST_VERBOSE set.
func testLogger() *slog.Logger {
	if os.Getenv("TEAMSOPS_TEST_VERBOSE") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// decodeJSON decodes a request body.
func decodeJSON(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

// in returns an expirationDateTime d from now.
func in(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339Nano) }
