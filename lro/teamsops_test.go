package lro_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/lro"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// quick polls a local teamsops often: its instant profile ends an
// operation in milliseconds, and today's server says nothing of when to
// come back.
var quick = &lro.Options{MinDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}

// teamsopsServer is teamsops in-process, as "teamsops serve --demo
// --profile instant" wires it, on a temporary SQLite file.
type teamsopsServer struct {
	url    string         // http://127.0.0.1:port
	client *http.Client   // signed in as the demo's ops console
	engine engine.Runner  // started unless asked otherwise
	store  teamsops.Store //
}

func startTeamsops(t *testing.T, running bool) *teamsopsServer {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "teamsops.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := demo.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	profile, _ := engine.ProfileByName("instant")
	eng, err := engine.New(riversqlite.New(store.DB()), store, engine.Config{Profile: profile, Effects: effects()})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		eng.Stop(stopCtx)
	})
	if running {
		if err := eng.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	iss, err := identity.NewIssuer(ctx, store, base)
	if err != nil {
		t.Fatal(err)
	}
	validator, err := identity.NewValidator(ctx, iss)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(store)
	svc.Runner = eng
	srv.Config.Handler = &httpapi.Server{PublicURL: base, Service: svc, Auth: validator, Identity: iss.Handler(store),
		Ready: store.Ping, Logger: slog.New(slog.DiscardHandler)}
	srv.Start()
	t.Cleanup(srv.Close)
	token, err := iss.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &teamsopsServer{url: base, client: &http.Client{Transport: bearer(token)}, engine: eng, store: store}
}

func effects() map[teamsops.OperationType]engine.Effect {
	out := map[teamsops.OperationType]engine.Effect{}
	for typ, effect := range service.Effects() {
		out[typ] = effect
	}
	return out
}

// bearer is a transport that signs every request with a token, as an
// oauth2 client's does.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}

// start sends an action that answers 202 and returns the response, whose
// body it has closed.
func start(t *testing.T, client *http.Client, method, url string, body any, headers ...string) *http.Response {
	t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, url, bytes.NewReader(raw))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("%s %s: %d, want 202", method, url, res.StatusCode)
	}
	return res
}

const graphV1 = "https://graph.microsoft.com/v1.0"

func member(id string) map[string]any {
	return map[string]any{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": []string{"owner"},
		"user@odata.bind": graphV1 + "/users('" + id + "')"}
}

// chatWithApp is "Create chat" with an app installed: a createChat operation.
func chatWithApp(topic string) map[string]any {
	return map[string]any{"chatType": "group", "topic": topic,
		"members":       []any{member(demo.UserAdele), member(demo.UserAlex), member(demo.UserMegan)},
		"installedApps": []any{map[string]any{"teamsApp@odata.bind": graphV1 + "/appCatalogs/teamsApps/" + demo.TeamsAppID}}}
}

func newTeam(name string) map[string]any {
	return map[string]any{"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "displayName": name,
		"members": []any{member(demo.UserAdele)}}
}

// TestEveryOperationType starts an operation of every type on teamsops
// and waits for each with a poller made from its 202. On v1.0 the poller's
// "Prefer: include-unknown-enum-members" brings the members after
// unknownFutureValue; createChat, which v1.0 lacks, is polled on beta.
func TestEveryOperationType(t *testing.T) {
	s := startTeamsops(t, true)
	general := service.GeneralChannelID(demo.TeamID)
	channel := s.url + "/v1.0/teams/" + demo.TeamID + "/channels/" + general
	var created string // the team createTeam makes, which archiveTeam then archives
	steps := []struct {
		want         lro.OperationType
		method, path string
		body         func() any
	}{
		{lro.TypeCreateChat, http.MethodPost, "/beta/chats", func() any { return chatWithApp("lro") }},
		{lro.TypeCreateTeam, http.MethodPost, "/v1.0/teams", func() any { return newTeam("lro") }},
		{lro.TypeCloneTeam, http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/clone", func() any {
			return map[string]any{"displayName": "lro clone", "mailNickname": "lroclone", "partsToClone": "apps,settings,channels"}
		}},
		{lro.TypeArchiveTeam, http.MethodPost, "/v1.0/teams/{created}/archive", nil},
		{lro.TypeUnarchiveTeam, http.MethodPost, "/v1.0/teams/{created}/unarchive", nil},
		{lro.TypeTeamifyGroup, http.MethodPost, "/v1.0/teams", func() any {
			return map[string]any{"template@odata.bind": graphV1 + "/teamsTemplates('standard')", "group@odata.bind": graphV1 + "/groups('" + demo.SalesGroup + "')"}
		}},
		{lro.TypeCreateChannel, http.MethodPost, "/v1.0/teams/" + demo.TeamID + "/channels", func() any {
			return map[string]any{"displayName": "Partners", "membershipType": "shared", "members": []any{member(demo.UserAdele)}}
		}},
		{lro.TypeArchiveChannel, http.MethodPost, strings.TrimPrefix(channel, s.url) + "/archive", nil},
		{lro.TypeUnarchiveChannel, http.MethodPost, strings.TrimPrefix(channel, s.url) + "/unarchive", nil},
	}
	for _, step := range steps {
		t.Run(string(step.want), func(t *testing.T) {
			var body any
			if step.body != nil {
				body = step.body()
			}
			res := start(t, s.client, step.method, s.url+strings.ReplaceAll(step.path, "{created}", created), body)
			p, err := lro.New(s.client, res, quick)
			if err != nil {
				t.Fatal(err)
			}
			op, err := p.PollUntilDone(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if op.Status != lro.StatusSucceeded || op.OperationType != step.want || op.ID == "" || op.AttemptsCount < 1 ||
				op.CreatedDateTime.IsZero() || op.LastActionDateTime.Before(op.CreatedDateTime) ||
				op.TargetResourceID == "" || !strings.Contains(op.TargetResourceLocation, op.TargetResourceID) || op.Error != nil {
				t.Errorf("operation %+v", op)
			}
			// Key form, or segment form as the channel pages show it.
			if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/operations('"+op.ID+"')") && !strings.HasSuffix(loc, "/operations/"+op.ID) {
				t.Errorf("Location %q, operation %s", res.Header.Get("Location"), op.ID)
			}
			if step.want == lro.TypeCreateChat && !strings.Contains(op.Values, demo.TeamsAppID) {
				t.Errorf("beta's values: %q", op.Values)
			}
			if step.want == lro.TypeCreateTeam {
				created = op.TargetResourceID
			}
		})
	}
}

// TestFailedOperations: an operation made to fail (X-Teamsops-Fault:
// fail) ends PollUntilDone with an *OperationError carrying Graph's code;
// one made to fail transiently succeeds on a later attempt.
func TestFailedOperations(t *testing.T) {
	s := startTeamsops(t, true)
	tests := []struct {
		name, path, fault string
		body              any
		wantAttempts      int
	}{
		{"createChat fails", "/beta/chats", "fail", chatWithApp("doomed"), 3},
		{"createTeam fails", "/v1.0/teams", "fail", newTeam("doomed"), 3},
		{"archiveTeam fails", "/v1.0/teams/" + demo.TeamID + "/archive", "fail", nil, 3},
		{"createChat retried", "/beta/chats", "transient=2", chatWithApp("retried"), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := start(t, s.client, http.MethodPost, s.url+tt.path, tt.body, "X-Teamsops-Fault", tt.fault)
			p, err := lro.New(s.client, res, quick)
			if err != nil {
				t.Fatal(err)
			}
			op, err := p.PollUntilDone(context.Background())
			var failed *lro.OperationError
			if tt.fault != "fail" {
				if err != nil || op.Status != lro.StatusSucceeded || op.AttemptsCount != tt.wantAttempts {
					t.Errorf("%+v, %v", op, err)
				}
				return
			}
			if !errors.As(err, &failed) || op != nil {
				t.Fatalf("%+v, %v", op, err)
			}
			if failed.Code != "serviceNotAvailable" || failed.Message == "" || failed.Operation.Status != lro.StatusFailed ||
				failed.Operation.AttemptsCount != tt.wantAttempts || failed.Operation.Error == nil {
				t.Errorf("error %+v, operation %+v", failed, failed.Operation)
			}
		})
	}
}

// TestThrottledAndUnavailable puts a proxy before teamsops that answers the
// first GETs of the operation with 429 (Retry-After) and 503 (none), as
// Graph does under load; the poller rides them out.
func TestThrottledAndUnavailable(t *testing.T) {
	s := startTeamsops(t, true)
	target, _ := url.Parse(s.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex
	var injected []int
	faults := []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusServiceUnavailable}
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodGet && len(injected) < len(faults) {
			code := faults[len(injected)]
			injected = append(injected, code)
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "1")
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			w.Write([]byte(`{"error":{"code":"` + http.StatusText(code) + `","message":"injected"}}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	res := start(t, s.client, http.MethodPost, front.URL+"/beta/chats", chatWithApp("throttled"))
	p, err := lro.New(s.client, res, quick)
	if err != nil {
		t.Fatal(err)
	}
	op, err := p.PollUntilDone(context.Background())
	if err != nil || op.Status != lro.StatusSucceeded {
		t.Fatalf("%+v, %v", op, err)
	}
	if len(injected) != len(faults) {
		t.Errorf("injected %v, want %v: the test proves nothing", injected, faults)
	}
}

// TestResumeAfterRestart: a waiter reads the operation while the engine is
// down, stops, and a new poller resumed from its token carries on once
// the engine runs, without starting the operation again.
func TestResumeAfterRestart(t *testing.T) {
	s := startTeamsops(t, false)
	res := start(t, s.client, http.MethodPost, s.url+"/beta/chats", chatWithApp("resumed"))
	// Without Prefer: wait, which a server that applies it would hold
	// for its full length: nothing changes while the engine is down.
	first, err := lro.New(s.client, res, &lro.Options{MinDelay: quick.MinDelay, MaxDelay: quick.MaxDelay, Wait: -1})
	if err != nil {
		t.Fatal(err)
	}
	op, err := first.Poll(context.Background())
	if err != nil || op.Status != lro.StatusNotStarted || first.Done() {
		t.Fatalf("before the engine runs: %+v, %v", op, err)
	}
	token := first.ResumeToken() // what the waiting process keeps before it dies

	if err := s.engine.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	resumed, err := lro.Resume(s.client, token, quick)
	if err != nil {
		t.Fatal(err)
	}
	done, err := resumed.PollUntilDone(context.Background())
	if err != nil || done.Status != lro.StatusSucceeded || done.ID != op.ID {
		t.Fatalf("resumed: %+v, %v", done, err)
	}
	chat := teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: op.TargetResourceID}
	if ops, _, err := s.store.ListOperations(context.Background(), demo.TenantID, chat, teamsops.OperationQuery{}); err != nil || len(ops) != 1 {
		t.Errorf("the chat has %d operations (%v), want 1", len(ops), err)
	}
}

// TestChatCreatedOnV1: v1.0's "Create chat" answers 202 with a Location
// that only beta serves (v1.0 has no chat operations). A poller made from
// that 202 resolves it against v1.0, as it would on Graph, and ends with
// the 400; one made with NewFromLocation on the beta base URL succeeds.
func TestChatCreatedOnV1(t *testing.T) {
	s := startTeamsops(t, true)
	res := start(t, s.client, http.MethodPost, s.url+"/v1.0/chats", chatWithApp("v1"))
	p, err := lro.New(s.client, res, quick)
	if err != nil {
		t.Fatal(err)
	}
	var re *lro.ResponseError
	if _, err := p.PollUntilDone(context.Background()); !errors.As(err, &re) || re.StatusCode != http.StatusBadRequest || re.Code != "BadRequest" {
		t.Fatalf("polled on v1.0: %v, want a 400 ResponseError", err)
	}
	p, err = lro.NewFromLocation(s.client, s.url+"/beta", res.Header.Get("Location"), quick)
	if err != nil {
		t.Fatal(err)
	}
	if op, err := p.PollUntilDone(context.Background()); err != nil || op.Status != lro.StatusSucceeded || op.OperationType != lro.TypeCreateChat {
		t.Errorf("polled on beta: %+v, %v", op, err)
	}
}
