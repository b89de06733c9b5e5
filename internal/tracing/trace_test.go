package tracing_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/internal/tracing"
)

// collector is an OTLP/HTTP receiver: it decodes the protobuf requests
// the exporter sends to /v1/traces and keeps their spans.
type collector struct {
	mu       sync.Mutex
	spans    []*tracepb.Span
	resource []*commonpb.KeyValue
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var req coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &req)
	}
	if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || err != nil {
		http.Error(w, "not an OTLP/HTTP protobuf export", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	for _, rs := range req.ResourceSpans {
		c.resource = rs.GetResource().GetAttributes()
		for _, ss := range rs.ScopeSpans {
			c.spans = append(c.spans, ss.Spans...)
		}
	}
	c.mu.Unlock()
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

// inTrace returns the spans received of the trace.
func (c *collector) inTrace(traceID string) []*tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*tracepb.Span
	for _, s := range c.spans {
		if hex.EncodeToString(s.TraceId) == traceID {
			out = append(out, s)
		}
	}
	return out
}

// receiver is a change-notification receiver that answers the
// validation handshake and records each notification's traceparent.
type receiver struct {
	mu          sync.Mutex
	traceparent []string
	bodies      []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, tok)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.traceparent = append(rc.traceparent, r.Header.Get("traceparent"))
	rc.bodies = append(rc.bodies, string(body))
	rc.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// received returns the traceparents of the notifications received so
// far that mention text.
func (rc *receiver) received(text string) []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for i, b := range rc.bodies {
		if strings.Contains(b, text) {
			out = append(out, rc.traceparent[i])
		}
	}
	return out
}

// env is a teamsops server with tracing as the environment says, a
// receiver subscribed to the demo tenant's chat operations, and a token
// of the demo tenant's console app.
type env struct {
	srv      *server.Server
	tracing  *tracing.Tracing
	base     string
	token    string
	receiver *receiver
}

// start serves teamsops, with tracing from the environment, on the
// instant profile.
func start(t testing.TB) *env {
	t.Helper()
	tr, err := tracing.FromEnv(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv, err := server.Open(t.Context(), server.Config{DB: testdb.DSN(t), Demo: true, PublicURL: base, Profile: profile,
		AllowHTTPNotifications: true, Tracing: tr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs.Config.Handler = srv.Handler
	hs.Start()
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Drain)
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Stop(ctx)
		tr.Shutdown(ctx)
	})
	tok, err := srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, tracing: tr, base: base, token: tok, receiver: &receiver{}}
	rs := httptest.NewServer(e.receiver)
	t.Cleanup(rs.Close)
	sub, _ := json.Marshal(map[string]any{"changeType": "created,updated", "notificationUrl": rs.URL + "/notify?code=receiver-key",
		"resource": "/chats/getAllOperations", "clientState": "tracing",
		"expirationDateTime": time.Now().Add(50 * time.Minute).UTC().Format(time.RFC3339)})
	if res := e.call(t, http.MethodPost, "/v1.0/subscriptions", string(sub)); res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /subscriptions: %d", res.StatusCode)
	}
	return e
}

// call sends a request with the console app's token.
func (e *env) call(t testing.TB, method, path, body string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, e.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// createChat starts a createChat operation with traceparent (if any)
// and returns its id.
func (e *env) createChat(t *testing.T, traceparent string) string {
	t.Helper()
	member := func(user string) string {
		return `{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],
			"user@odata.bind":"https://graph.microsoft.com/v1.0/users('` + user + `')"}`
	}
	body := `{"chatType":"group","members":[` + member(demo.UserAdele) + `,` + member(demo.UserAlex) + `],
		"installedApps":[{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + demo.TeamsAppID + `"}]}`
	var headers []string
	if traceparent != "" {
		headers = []string{"traceparent", traceparent}
	}
	res := e.call(t, http.MethodPost, "/beta/chats", body, headers...)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /chats: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location") // /chats('…')/operations('{id}')
	_, id, _ := strings.Cut(loc, "/operations('")
	return strings.TrimSuffix(id, "')")
}

// awaitSucceeded waits until the receiver has heard of the operation's
// two updates (inProgress, succeeded), and returns the traceparents of the notifications about it.
func (e *env) awaitSucceeded(t *testing.T, opID string) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Created, then updated twice: inProgress and succeeded.
		updates := 0
		for _, body := range e.receiver.all() {
			if strings.Contains(body, opID) {
				updates += strings.Count(body, `"changeType":"updated"`)
			}
		}
		if updates >= 2 {
			return e.receiver.received(opID)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification of operation %s succeeded; got %q", opID, e.receiver.all())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (rc *receiver) all() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]string(nil), rc.bodies...)
}

// otlp starts an OTLP receiver and points the exporter at it.
func otlp(t *testing.T) *collector {
	t.Helper()
	c := &collector{}
	hs := httptest.NewServer(c)
	t.Cleanup(hs.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", hs.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_SERVICE_NAME", "teamsops-under-test")
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=test")
	t.Setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
	t.Setenv("OTEL_SDK_DISABLED", "")
	return c
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == key {
			return kv.Value.GetStringValue()
		}
	}
	return ""
}

// TestOneTrace follows one trace from the client's request, carrying a
// traceparent, through the attempt of the operation it starts — a River
// job, whose trace context comes from the job's row — to the POST of the
// change notification that operation causes, which carries traceparent
// to the receiver.
func TestOneTrace(t *testing.T) {
	c := otlp(t)
	e := start(t)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	const clientSpan = "00f067aa0ba902b7"
	opID := e.createChat(t, "00-"+traceID+"-"+clientSpan+"-01")
	seen := e.awaitSucceeded(t, opID)

	// The receiver was sent the trace.
	for _, tp := range seen {
		if parts := strings.Split(tp, "-"); len(parts) != 4 || parts[1] != traceID {
			t.Fatalf("a notification of the operation came with traceparent %q, want trace %s", tp, traceID)
		}
	}
	spans := e.settled(t, c, traceID, clientSpan, seen)
	byID := map[string]*tracepb.Span{}
	for _, s := range spans {
		byID[hex.EncodeToString(s.SpanId)] = s
	}
	find := func(name string, ok func(*tracepb.Span) bool) *tracepb.Span {
		for _, s := range spans {
			if s.Name == name && ok(s) {
				return s
			}
		}
		var names []string
		for _, s := range spans {
			names = append(names, s.Name)
		}
		t.Fatalf("no span %q in trace %s; spans: %q", name, traceID, names)
		return nil
	}
	any := func(*tracepb.Span) bool { return true }

	// The request's span continues the client's.
	req := find("POST /beta/chats", any)
	if hex.EncodeToString(req.ParentSpanId) != clientSpan || req.Kind != tracepb.Span_SPAN_KIND_SERVER {
		t.Errorf("request span: parent %x kind %v, want parent %s, server", req.ParentSpanId, req.Kind, clientSpan)
	}
	if got := attr(req, "teamsops.tenant.id"); got != demo.TenantID {
		t.Errorf("request span tenant = %q, want %s", got, demo.TenantID)
	}
	if got := attr(req, "teamsops.operation.id"); got != opID {
		t.Errorf("request span operation = %q, want %s", got, opID)
	}
	// The attempt's span descends from the request's, through the
	// insert of its job.
	attempt := find("process teamsops.operation", func(s *tracepb.Span) bool { return attr(s, "teamsops.operation.id") == opID })
	if attr(attempt, "teamsops.operation.type") != "createChat" || attr(attempt, "teamsops.tenant.id") != demo.TenantID {
		t.Errorf("attempt span attributes: %v", attempt.Attributes)
	}
	if !descends(byID, attempt, req) {
		t.Errorf("the attempt's span does not descend from the request's")
	}
	// Each notification POST the receiver saw is a client span of the
	// trace, under a delivery job's run.
	for _, tp := range seen {
		parent := strings.Split(tp, "-")[2]
		post, ok := byID[parent]
		if !ok || post.Kind != tracepb.Span_SPAN_KIND_CLIENT || post.Name != "POST" {
			t.Fatalf("the notification's traceparent names span %s, not a client POST of the trace", parent)
		}
		if got := attr(post, "url.full"); strings.Contains(got, "?") || strings.Contains(got, "receiver-key") {
			t.Errorf("the POST's span records url.full %q, query string included", got)
		}
		if !descends(byID, post, req) {
			t.Errorf("the notification POST's span does not descend from the request's")
		}
	}
	find("process teamsops.delivery", any)
	find("store.Update", any)

	resource := map[string]string{}
	for _, kv := range c.resource {
		resource[kv.Key] = kv.Value.GetStringValue()
	}
	if resource["service.name"] != "teamsops-under-test" || resource["deployment.environment.name"] != "test" {
		t.Errorf("resource = %v, want OTEL_SERVICE_NAME's and OTEL_RESOURCE_ATTRIBUTES' attributes", resource)
	}
}

// settled returns the spans of the trace once those of the notification
// POSTs the receiver saw (seen, their traceparents) and all their
// ancestors up to the client's span are exported: a delivery run's span
// ends after its POST's, once the run has recorded the delivery.
func (e *env) settled(t *testing.T, c *collector, traceID, clientSpan string, seen []string) []*tracepb.Span {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if err := e.tracing.Flush(t.Context()); err != nil {
			t.Fatal(err)
		}
		spans := c.inTrace(traceID)
		byID := map[string]*tracepb.Span{}
		for _, s := range spans {
			byID[hex.EncodeToString(s.SpanId)] = s
		}
		complete := true
		for _, tp := range seen {
			complete = complete && reaches(byID, strings.Split(tp, "-")[2], clientSpan)
		}
		if complete || time.Now().After(deadline) {
			return spans
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// reaches reports whether the parents of span id, all exported, lead to
// span root.
func reaches(byID map[string]*tracepb.Span, id, root string) bool {
	for range len(byID) + 1 {
		if id == root {
			return true
		}
		s, ok := byID[id]
		if !ok {
			return false
		}
		id = hex.EncodeToString(s.ParentSpanId)
	}
	return false
}

// descends reports whether s has ancestor among its parents in spans.
func descends(byID map[string]*tracepb.Span, s, ancestor *tracepb.Span) bool {
	for range len(byID) {
		parent, ok := byID[hex.EncodeToString(s.ParentSpanId)]
		if !ok {
			return false
		}
		if parent == ancestor {
			return true
		}
		s = parent
	}
	return false
}

// TestNoSecretInSpans makes requests that carry secrets — a bearer token,
// a client secret in a token request's body, a code in a query string —
// and finds none of them in any span or the resource; and finds spans
// named by their routes.
func TestNoSecretInSpans(t *testing.T) {
	c := otlp(t)
	e := start(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {demo.ConsoleApp},
		"client_secret": {"demo-console-secret"}, "scope": {"https://graph.microsoft.com/.default"}}
	res, err := http.PostForm(e.base+"/"+demo.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d, no access token", res.StatusCode)
	}
	e.token = tok.AccessToken
	const code = "query-code-1234567890"
	seed := "/beta/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation
	if res := e.call(t, http.MethodGet, seed+"?code="+code+"&$select=id,status", ""); res.StatusCode >= 500 {
		t.Fatalf("GET the seed: %d", res.StatusCode)
	}
	if res := e.call(t, http.MethodGet, seed, ""); res.StatusCode != http.StatusOK {
		t.Fatalf("GET the seed: %d", res.StatusCode)
	}
	// A batch's span stays the batch's, whatever its requests' routes.
	batch := `{"requests":[{"id":"1","method":"GET","url":"/chats/` + demo.ChatID + `/operations/` + demo.ChatOperation + `"}]}`
	if res := e.call(t, http.MethodPost, "/beta/$batch", batch); res.StatusCode != http.StatusOK {
		t.Fatalf("POST /$batch: %d", res.StatusCode)
	}
	e.awaitSucceeded(t, e.createChat(t, ""))
	if err := e.tracing.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}

	secrets := []string{e.token, "demo-console-secret", code, "receiver-key", "validationToken", "Bearer"}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.spans) == 0 {
		t.Fatal("no span was exported")
	}
	names := map[string]bool{}
	for _, s := range c.spans {
		names[s.Name] = true
		texts := []string{s.Name}
		for _, kv := range s.Attributes {
			texts = append(texts, kv.Key, kv.Value.String())
		}
		for _, ev := range s.Events {
			texts = append(texts, ev.Name)
			for _, kv := range ev.Attributes {
				texts = append(texts, kv.Value.String())
			}
		}
		texts = append(texts, s.GetStatus().GetMessage())
		for _, text := range texts {
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("span %q holds %q: %s", s.Name, secret, text)
				}
			}
		}
	}
	for _, want := range []string{"POST /{tenant}/oauth2/v2.0/token", "GET /beta/chats/{chat-id}/operations/{operation-id}",
		"POST /v1.0/subscriptions", "POST /beta/$batch"} {
		if !names[want] {
			t.Errorf("no span named %q among %v", want, names)
		}
	}
}
