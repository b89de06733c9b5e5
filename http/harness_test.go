package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// seedPath is the seed's request path (seed/get-teamsasyncoperation.md).
const seedPath = "/beta/chats/19:c253a29b5f694b55a6baad8e83510af7@thread.v2/operations/" + demo.ChatOperation

// env is a running teamsops with the demo tenant, on a new database of the
// back end under test (internal/testdb: a temporary SQLite file unless
// TEAMSOPS_TEST_BACKEND=postgres).
type env struct {
	t      *testing.T
	srv    *httptest.Server
	base   string
	store  teamsops.Store
	issuer *identity.Issuer
	// api is the handler under test; tests may set its Throttle before
	// their first request.
	api *httpapi.Server
	// stopEngine stops the operations engine ahead of the test's end.
	stopEngine func()
	// waits holds the requests that wait for operations (Prefer: wait).
	waits *service.Waits
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, testdb.New(t), time.Second)
}

// newEnvOn is newEnv on a given store, telling clients to look at
// operations again after poll.
func newEnvOn(t *testing.T, store teamsops.Store, poll time.Duration) *env {
	t.Helper()
	ctx := context.Background()
	if err := demo.Load(ctx, store); err != nil {
		t.Fatal(err)
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
	svc := service.New(cache.New(store, 0))
	runner, stopEngine := startEngine(t, store) // engine_test.go
	svc.Runner = runner
	svc.Waits = service.NewWaits(store)
	api := &httpapi.Server{
		PublicURL:    base,
		Service:      svc,
		Auth:         validator,
		Identity:     iss.Handler(store),
		Ready:        store.Ping,
		PollInterval: poll,
		Logger:       discardLogger(),
	}
	srv.Config.Handler = api
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(svc.Waits.Drain) // before srv.Close, which waits for held requests
	return &env{t: t, srv: srv, base: base, store: store, issuer: iss, api: api, stopEngine: stopEngine, waits: svc.Waits}
}

// appToken is an application token of the demo tenant.
func (e *env) appToken(appID string, roles ...string) string {
	return e.token(identity.Claims{TenantID: demo.TenantID, AppID: appID, Roles: roles})
}

// userToken is a delegated token of the demo tenant.
func (e *env) userToken(userID string, scopes ...string) string {
	return e.token(identity.Claims{TenantID: demo.TenantID, UserID: userID, AppID: demo.ConsoleApp, Scopes: scopes})
}

func (e *env) token(c identity.Claims) string {
	e.t.Helper()
	tok, err := e.issuer.Issue(c, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// response is a finished request.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into a map.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, r.body)
	}
	return m
}

// errorCode returns error.code of a Graph error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (e *env) get(path, token string, headers ...string) response {
	return e.do(http.MethodGet, path, token, headers...)
}

// do sends a request to path (relative to the server, or absolute) with
// the token and header name/value pairs.
func (e *env) do(method, path, token string, headers ...string) response {
	e.t.Helper()
	return e.doBody(method, path, token, nil, headers...)
}

// doBody is do with a request body (none if nil).
func (e *env) doBody(method, path, token string, body []byte, headers ...string) response {
	e.t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.base + path
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	// Keep the path exactly as written: Go would otherwise re-encode it.
	if !strings.HasPrefix(path, "http") {
		p, _, _ := strings.Cut(path, "?")
		req.URL.Opaque = "//" + req.URL.Host + p
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if res.StatusCode/100 == 2 {
		// Every answer a test sees is checked against its type's metadata
		// (metacheck_test.go); a difference fails the test that asked.
		if diffs := checkBody(res.Header, got, asksUnknownMembers(req.Header)); len(diffs) > 0 {
			e.t.Errorf("%s %s: the answer differs from Graph's metadata:\n%s", method, path, strings.Join(diffs, "\n"))
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: got}
}
