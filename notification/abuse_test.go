package notification_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/tenantfile"
)

// TestValidationTokenNotAccessToken: a rich subscription may not name
// Microsoft Graph as the audience of its validation tokens, and a
// validation token presented as an access token is refused.
func TestValidationTokenNotAccessToken(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life := newReceiver(t), newReceiver(t)
	_, cert := newCertificate(t)
	rich := func(appID string) map[string]any {
		body := teamSubscription(r, life, 2*time.Hour)
		body["includeResourceData"] = true
		body["encryptionCertificate"] = cert
		body["encryptionCertificateId"] = "my-cert"
		if appID != "" {
			body["notificationUrlAppId"] = appID
		}
		return body
	}
	for _, graph := range []string{"00000003-0000-0000-c000-000000000000", "https://graph.microsoft.com",
		"https://graph.microsoft.com/"} {
		if status, m := s.call(http.MethodPost, "/v1.0/subscriptions", s.console(), rich(graph)); status != http.StatusBadRequest {
			t.Errorf("notificationUrlAppId %s: POST /subscriptions = %d %v, want 400", graph, status, m)
		}
	}
	subID := s.subscribe(s.console(), rich(""))
	s.archiveTeam(true)
	waitFor(t, "a rich notification", func() bool { return len(operationNotifications(r, subID)) >= 1 })
	c := r.collections()[0]
	if len(c.ValidationTokens) == 0 {
		t.Fatal("no validation token")
	}
	if status, m := s.call(http.MethodGet, "/v1.0/subscriptions", c.ValidationTokens[0], nil); status != http.StatusUnauthorized {
		t.Errorf("GET /subscriptions with a validation token = %d %v, want 401", status, m)
	}
}

// TestOwnAddressRefused: a subscription cannot aim the validation request
// or its notifications at the server's own listeners — the Graph listener
// and the metrics one — whatever name or local address reaches them.
func TestOwnAddressRefused(t *testing.T) {
	// The metrics listener is played by a receiver, which answers the
	// validation handshake: only the check of addresses refuses it.
	metrics := newReceiver(t)
	metricsPort := metrics.srv.Listener.Addr().(*net.TCPAddr).Port
	s := newStackTB(t, fastRetries, func(c *server.Config) {
		c.OwnAddrs = append(c.OwnAddrs, fmt.Sprintf("0.0.0.0:%d", metricsPort))
	})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))
	r := newReceiver(t)
	for _, u := range []string{
		s.base + "/v1.0/subscriptions",
		"http://localhost:" + port + "/_teamsops/tenants",
		fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		fmt.Sprintf("http://localhost:%d/metrics", metricsPort),
	} {
		body := teamSubscription(r, nil, 30*time.Minute)
		body["notificationUrl"] = u
		if status, m := s.call(http.MethodPost, "/v1.0/subscriptions", s.console(), body); status != http.StatusBadRequest {
			t.Errorf("notificationUrl %s: POST /subscriptions = %d %v, want 400", u, status, m)
		} else if e, _ := m["error"].(map[string]any); e["code"] != "BadRequest" ||
			!strings.Contains(fmt.Sprint(e["message"]), "address of this server") {
			t.Errorf("notificationUrl %s: error %v", u, m)
		}
		body = teamSubscription(r, r, 2*time.Hour)
		body["lifecycleNotificationUrl"] = u
		if status, m := s.call(http.MethodPost, "/v1.0/subscriptions", s.console(), body); status != http.StatusBadRequest {
			t.Errorf("lifecycleNotificationUrl %s: POST /subscriptions = %d %v, want 400", u, status, m)
		}
	}
	// Nor can an update move a subscription there.
	subID := s.subscribe(s.console(), teamSubscription(r, nil, 30*time.Minute))
	if status, m := s.call(http.MethodPatch, "/v1.0/subscriptions/"+subID, s.console(),
		map[string]any{"notificationUrl": s.base + "/metrics"}); status != http.StatusBadRequest {
		t.Errorf("PATCH to the server's own address = %d %v, want 400", status, m)
	}
}

// TestSubscriptionQuota: an app has at most MaxSubscriptions in a tenant;
// one more is refused with Graph's 403, and
// deleting one makes room again.
func TestSubscriptionQuota(t *testing.T) {
	const quota = 3
	s := newStackTB(t, fastRetries, func(c *server.Config) { c.MaxSubscriptions = quota })
	r := newReceiver(t)
	body := map[string]any{"changeType": "created,updated", "notificationUrl": r.url(),
		"resource": "/teamwork/getAllOperations", "expirationDateTime": in(30 * time.Minute)}
	var ids []string
	for range quota {
		ids = append(ids, s.subscribe(s.console(), body))
	}
	status, m := s.call(http.MethodPost, "/v1.0/subscriptions", s.console(), body)
	if e, _ := m["error"].(map[string]any); status != http.StatusForbidden || e["code"] != "Forbidden" ||
		!strings.Contains(fmt.Sprint(e["message"]), "subscription quota") {
		t.Fatalf("subscription %d: %d %v, want 403 naming the quota", quota+1, status, m)
	}
	if status, _ := s.call(http.MethodDelete, "/v1.0/subscriptions/"+ids[0], s.console(), nil); status != http.StatusNoContent {
		t.Fatalf("DELETE = %d", status)
	}
	s.subscribe(s.console(), body)
}

// slowReceiver is a receiver that takes a while to answer each
// notification, and counts the POSTs it answered.
type slowReceiver struct {
	srv      *httptest.Server
	answered atomic.Int64
}

func newSlowReceiver(t *testing.T, delay time.Duration) *slowReceiver {
	r := &slowReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if tok := req.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(tok))
			return
		}
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return
		}
		r.answered.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// The second tenant: examples/tenant.yaml's Fabrikam, its sync app and
// one of its users.
const (
	fabrikam     = "6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f"
	fabrikamSync = "3c9e2b7a-5d1f-4a8e-b6c4-2e0d9f7a1b3c"
	fabrikamSam  = "2f6e4c1a-9b8d-4e7f-a6c5-3d2b1a0f9e8d"
)

// TestSlowReceiverDelaysOnlyItself: one tenant's subscriptions on a
// receiver that takes seconds to answer do not hold back another tenant's
// notification — it arrives while the slow receiver's backlog is still
// being worked through.
func TestSlowReceiverDelaysOnlyItself(t *testing.T) {
	const subscriptions, delay = 10, 3 * time.Second
	settings := fastRetries
	settings.Timeout = 4 * delay // the slow receiver's answers count: only slow, not failed
	ds, err := tenantfile.ReadFiles("../examples/tenant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := newStackTB(t, settings, func(c *server.Config) { c.Tenants = ds })
	slow := newSlowReceiver(t, delay)
	for range subscriptions {
		s.subscribe(s.console(), map[string]any{"changeType": "created,updated", "notificationUrl": slow.srv.URL + "/slow",
			"resource": "/teamwork/getAllOperations", "expirationDateTime": in(30 * time.Minute)})
	}
	other := newReceiver(t)
	sync := s.token(identity.Claims{TenantID: fabrikam, AppID: fabrikamSync, Roles: []string{"Team.Create", "Team.ReadBasic.All", "Chat.Read.All"}})
	otherID := s.subscribe(sync, map[string]any{"changeType": "created,updated", "notificationUrl": other.url(),
		"resource": "/teamwork/getAllOperations", "expirationDateTime": in(30 * time.Minute)})

	s.archiveTeam(true) // a notification for each of the slow receiver's subscriptions
	time.Sleep(200 * time.Millisecond)
	status, m := s.call(http.MethodPost, "/v1.0/teams", sync, map[string]any{
		"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "Fair",
		"members": []any{map[string]any{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": []string{"owner"},
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + fabrikamSam + "')"}}})
	if status != http.StatusAccepted {
		t.Fatalf("POST /teams = %d %v", status, m)
	}
	start := time.Now()
	waitFor(t, "the other tenant's notification", func() bool { return len(operationNotifications(other, otherID)) > 0 })
	took, answered := time.Since(start), slow.answered.Load()
	if answered >= subscriptions {
		t.Errorf("the other tenant's notification came after the slow receiver's backlog (%d POSTs answered, %v)", answered, took)
	}
	t.Logf("the other tenant's notification after %v; the slow receiver had answered %d POSTs", took, answered)
}
