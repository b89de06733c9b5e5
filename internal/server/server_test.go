package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// serve assembles teamsops on a new database of the back end under test
// and serves it.
func serve(t *testing.T) (*server.Server, string) {
	t.Helper()
	return serveWith(t, 0)
}

// serveWith is serve with Graph's throttling limits times throttle.
func serveWith(t *testing.T, throttle float64) (*server.Server, string) {
	t.Helper()
	return serveConfig(t, server.Config{DB: testdb.DSN(t), Demo: true, Throttle: throttle})
}

// serveConfig assembles teamsops as cfg says, on the instant profile, and
// serves it on a loopback port until the test ends.
func serveConfig(t *testing.T, cfg server.Config) (*server.Server, string) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	cfg.PublicURL = base
	srv := open(t, cfg)
	hs.Config.Handler = srv.Handler
	srv.Timeouts.Apply(hs.Config)
	hs.Start()
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Drain)
	start(t, srv)
	return srv, base
}

// open assembles teamsops as cfg says, on the instant profile, without
// starting its background work; it is closed when the test ends.
func open(t *testing.T, cfg server.Config) *server.Server {
	t.Helper()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Profile = profile
	srv, err := server.Open(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// start starts srv's background work until the test ends.
func start(t *testing.T, srv *server.Server) {
	t.Helper()
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Stop(ctx)
	})
}

func call(t *testing.T, method, url, token, body string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
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

// TestMetrics scrapes /metrics, parses it with Prometheus' own text
// parser, and finds exactly the requests and operations the test made.
func TestMetrics(t *testing.T) {
	srv, base := serve(t)
	tok, err := srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	seed := base + "/beta/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation
	gets := 0
	for range 5 {
		if res := call(t, http.MethodGet, seed, tok, ""); res.StatusCode != http.StatusOK {
			t.Fatalf("GET: %d", res.StatusCode)
		}
		gets++
	}
	if res := call(t, http.MethodGet, seed, "not-a-token", ""); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET without a token: %d", res.StatusCode)
	}
	body := `{"chatType":"group","members":[` + member(demo.UserAdele) + `,` + member(demo.UserAlex) + `],
		"installedApps":[{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + demo.TeamsAppID + `"}]}`
	var locations []string
	for i := range 3 {
		var fault []string
		if i == 0 {
			fault = []string{"X-Teamsops-Fault", "transient=1"} // one retry
		}
		res := call(t, http.MethodPost, base+"/beta/chats", tok, body, fault...)
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("POST /chats: %d", res.StatusCode)
		}
		locations = append(locations, res.Header.Get("Location"))
	}
	for _, loc := range locations {
		for {
			req, _ := http.NewRequest(http.MethodGet, base+"/beta"+loc, nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Prefer", "wait=10")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var op map[string]any
			json.NewDecoder(res.Body).Decode(&op)
			res.Body.Close()
			gets++
			if op["status"] == "succeeded" {
				break
			}
		}
	}

	families := scrape(t, base+"/metrics")
	const opRoute = "/chats/{chat-id}/operations/{operation-id}"
	checks := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"teamsops_http_requests_total", map[string]string{"route": opRoute, "method": "GET", "code": "200"}, float64(gets)},
		{"teamsops_http_requests_total", map[string]string{"route": "other", "method": "GET", "code": "401"}, 1},
		{"teamsops_http_requests_total", map[string]string{"route": "/chats", "method": "POST", "code": "202"}, 3},
		{"teamsops_operations_accepted_total", map[string]string{"type": "createChat"}, 3},
		{"teamsops_operations_ended_total", map[string]string{"type": "createChat", "status": "succeeded"}, 3},
		{"teamsops_operation_attempts_total", map[string]string{"type": "createChat"}, 4},
		{"teamsops_operation_retries_total", map[string]string{"type": "createChat"}, 1},
		{"teamsops_operations_queue_depth", nil, 0},
		{"teamsops_held_requests", nil, 0},
	}
	for _, c := range checks {
		if got, ok := value(families[c.family], c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
	if h, ok := families["teamsops_http_request_duration_seconds"]; !ok || h.GetType() != dto.MetricType_HISTOGRAM {
		t.Error("no request latency histogram")
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := families[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
}

// TestThrottledMetrics: with --throttle scale=0.01, "GET /teams/{team-id}"
// admits one request every 3.3 seconds, and one team one request every 25
// seconds per app; the refused ones are counted in
// teamsops_throttled_requests_total by the limit that refused them (the
// team's, which is the tighter), and their requests as 429s of their
// route. A batch's requests are throttled, routed and counted one by one:
// joinedTeams shares the row of "GET /teams/{team-id}".
func TestThrottledMetrics(t *testing.T) {
	srv, base := serveWith(t, 0.01)
	tok, err := srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var statuses []int
	for range 3 {
		statuses = append(statuses, call(t, http.MethodGet, base+"/v1.0/teams/"+demo.TeamID, tok, "").StatusCode)
	}
	batch := `{"requests":[{"id":"1","method":"GET","url":"/me/joinedTeams"}]}`
	if res := call(t, http.MethodPost, base+"/v1.0/$batch", tok, batch); res.StatusCode != http.StatusOK {
		t.Fatalf("batch: %d", res.StatusCode)
	}
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusTooManyRequests || statuses[2] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v", statuses)
	}
	families := scrape(t, base+"/metrics")
	checks := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"teamsops_throttled_requests_total", map[string]string{"limit": "resource: GET /teams/{team-id}, joinedTeams"}, 2},
		{"teamsops_throttled_requests_total", map[string]string{"limit": "app+tenant: GET /teams/{team-id}, joinedTeams"}, 1},
		{"teamsops_http_requests_total", map[string]string{"route": "/teams/{team-id}", "method": "GET", "code": "429"}, 2},
		{"teamsops_http_requests_total", map[string]string{"route": "/$batch", "method": "POST", "code": "200"}, 1},
		{"teamsops_http_requests_total", map[string]string{"route": "/me/joinedTeams", "method": "GET", "code": "429"}, 1},
	}
	for _, c := range checks {
		if got, ok := value(families[c.family], c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}
}

func member(user string) string {
	return `{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],
		"user@odata.bind":"https://graph.microsoft.com/v1.0/users('` + user + `')"}`
}

func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return families
}

// value finds the sample of f whose labels include want.
func value(f *dto.MetricFamily, want map[string]string) (float64, bool) {
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}
