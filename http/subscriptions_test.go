package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// subEnv is a whole teamsops (internal/server) with change notifications,
// for the /subscriptions endpoints.
type subEnv struct {
	t    *testing.T
	srv  *server.Server
	base string
}

func newSubEnv(t *testing.T, allowHTTP bool) *subEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	profile, _ := engine.ProfileByName("instant")
	base := "http://" + ln.Addr().String()
	srv, err := server.Open(context.Background(), server.Config{DB: testdb.DSN(t), PublicURL: base, Profile: profile,
		Demo: true, AllowHTTPNotifications: allowHTTP,
		Notifications: server.NotificationSettings{ValidationTimeout: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	hs := &httptest.Server{Listener: ln, Config: &http.Server{Handler: srv.Handler}}
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &subEnv{t: t, srv: srv, base: base}
}

func (e *subEnv) token(c identity.Claims) string {
	e.t.Helper()
	tok, err := e.srv.Issuer.Issue(c, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *subEnv) app(appID string, roles ...string) string {
	return e.token(identity.Claims{TenantID: demo.TenantID, AppID: appID, Roles: roles})
}

func (e *subEnv) user(userID string, scopes ...string) string {
	return e.token(identity.Claims{TenantID: demo.TenantID, UserID: userID, AppID: demo.ConsoleApp, Scopes: scopes})
}

func (e *subEnv) call(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	return res.StatusCode, m
}

func errorMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// echoReceiver answers the validation handshake correctly.
func echoReceiver(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(tok))
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/notify"
}

func subscriptionBody(url, resource string) map[string]any {
	return map[string]any{"changeType": "created,updated", "notificationUrl": url, "resource": resource,
		"expirationDateTime": time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339Nano), "clientState": "s"}
}

// TestCreateSubscriptionPermissions is the permission table of POST
// /subscriptions: what reading the resource needs, tenant-wide resources
// for applications only.
func TestCreateSubscriptionPermissions(t *testing.T) {
	e := newSubEnv(t, true)
	url := echoReceiver(t)
	chatOps, teamOps := "/chats/"+demo.ChatID+"/operations", "/teams/"+demo.TeamID+"/operations"
	personal := e.token(identity.Claims{TenantID: teamsops.ConsumerTenantID, UserID: demo.UserAdele, AppID: demo.ConsoleApp, Scopes: []string{"Chat.Read"}})
	tests := []struct {
		name, resource, token string
		want                  int
	}{
		{"app Chat.Read.All on a chat", chatOps, e.app(demo.ConsoleApp, "Chat.Read.All"), 201},
		{"app Chat.ReadBasic.All on a chat", chatOps, e.app(demo.ConsoleApp, "Chat.ReadBasic.All"), 201},
		{"app without a chat permission", chatOps, e.app(demo.ConsoleApp, "Team.ReadBasic.All"), 403},
		{"app with an RSC grant on the chat", chatOps, e.app(demo.ChatBotApp), 201},
		{"app with an RSC grant, another chat", "/chats/19:other@thread.v2/operations", e.app(demo.ChatBotApp), 403},
		{"member Chat.Read", chatOps, e.user(demo.UserAdele, "Chat.Read"), 201},
		{"member Chat.ReadBasic", chatOps, e.user(demo.UserAlex, "Chat.ReadBasic"), 201},
		{"not a member", chatOps, e.user(demo.UserMegan, "Chat.Read"), 403},
		{"member without a chat scope", chatOps, e.user(demo.UserAdele, "Team.ReadBasic.All"), 403},
		{"no such chat", "/chats/19:none@thread.v2/operations", e.app(demo.ConsoleApp, "Chat.Read.All"), 404},
		{"app Team.ReadBasic.All on a team", teamOps, e.app(demo.ConsoleApp, "Team.ReadBasic.All"), 201},
		{"app Group.Read.All on a team", teamOps, e.app(demo.ConsoleApp, "Group.Read.All"), 201},
		{"app without a team permission", teamOps, e.app(demo.ConsoleApp, "Chat.Read.All"), 403},
		{"team member", teamOps, e.user(demo.UserAlex, "Team.ReadBasic.All"), 201},
		{"not a team member", teamOps, e.user(demo.UserMegan, "Team.ReadBasic.All"), 403},
		{"no such team", "/teams/00000000-0000-4000-8000-000000000000/operations", e.app(demo.ConsoleApp, "Team.ReadBasic.All"), 404},
		{"all chats, app Chat.Read.All", "/chats/getAllOperations", e.app(demo.ConsoleApp, "Chat.Read.All"), 201},
		{"all chats, app without", "/chats/getAllOperations", e.app(demo.ConsoleApp, "Team.ReadBasic.All"), 403},
		{"all chats, RSC only", "/chats/getAllOperations", e.app(demo.ChatBotApp), 403},
		{"all chats, delegated", "/chats/getAllOperations", e.user(demo.UserAdele, "Chat.Read"), 403},
		{"all teams, app Team.ReadBasic.All", "/teams/getAllOperations", e.app(demo.ConsoleApp, "Team.ReadBasic.All"), 201},
		{"all teams, app Chat.Read.All", "/teams/getAllOperations", e.app(demo.ConsoleApp, "Chat.Read.All"), 403},
		{"all teams, delegated", "/teams/getAllOperations", e.user(demo.UserAdele, "Team.ReadBasic.All"), 403},
		{"everything, app Chat.Read.All", "/teamwork/getAllOperations", e.app(demo.ConsoleApp, "Chat.Read.All"), 201},
		{"everything, app Directory.Read.All", "/teamwork/getAllOperations", e.app(demo.ConsoleApp, "Directory.Read.All"), 201},
		{"everything, app without", "/teamwork/getAllOperations", e.app(demo.ConsoleApp, "Channel.Create"), 403},
		{"everything, delegated", "/teamwork/getAllOperations", e.user(demo.UserAdele, "Chat.Read", "Team.ReadBasic.All"), 403},
		{"personal account", chatOps, personal, 403},
	}
	for _, tt := range tests {
		status, m := e.call(http.MethodPost, "/v1.0/subscriptions", tt.token, subscriptionBody(url, tt.resource))
		if status != tt.want {
			t.Errorf("%s: POST = %d %v, want %d", tt.name, status, m, tt.want)
		}
	}
}

// TestSubscriptionEndpointPermissions is the permission table of reading,
// renewing, reauthorizing and deleting a subscription: its app, in its
// tenant (and its user, when delegated); renewing and reauthorizing check
// the create rule again.
func TestSubscriptionEndpointPermissions(t *testing.T) {
	e := newSubEnv(t, true)
	url := echoReceiver(t)
	owner := e.app(demo.ConsoleApp, "Team.ReadBasic.All")
	ownerWithout := e.app(demo.ConsoleApp)
	otherApp := e.app(demo.ChatBotApp, "Team.ReadBasic.All")
	otherTenant := e.token(identity.Claims{TenantID: "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", AppID: demo.ConsoleApp, Roles: []string{"Team.ReadBasic.All"}})
	adele, alex := e.user(demo.UserAdele, "Team.ReadBasic.All"), e.user(demo.UserAlex, "Team.ReadBasic.All")
	create := func(token string) string {
		status, m := e.call(http.MethodPost, "/beta/subscriptions", token, subscriptionBody(url, "/teams/"+demo.TeamID+"/operations"))
		if status != http.StatusCreated {
			t.Fatalf("create: %d %v", status, m)
		}
		return m["id"].(string)
	}
	renew := map[string]any{"expirationDateTime": time.Now().Add(40 * time.Minute).UTC().Format(time.RFC3339)}
	tests := []struct {
		name, token string
		delegated   bool // the subscription is Adele's
		get, patch  int
		reauth, del int
	}{
		{"its app", owner, false, 200, 200, 204, 204},
		{"its app, without the permission now", ownerWithout, false, 200, 403, 403, 204},
		{"another app", otherApp, false, 404, 404, 404, 404},
		{"another tenant", otherTenant, false, 404, 404, 404, 404},
		{"its user", adele, true, 200, 200, 204, 204},
		{"another user of its app", alex, true, 404, 404, 404, 404},
		// subscription-list.md: an app calling for itself sees what it
		// created for any user.
		{"its app, for a user's subscription", owner, true, 200, 200, 204, 204},
	}
	for _, tt := range tests {
		mk := func() string {
			if tt.delegated {
				return create(adele)
			}
			return create(owner)
		}
		id := mk()
		if status, m := e.call(http.MethodGet, "/v1.0/subscriptions/"+id, tt.token, nil); status != tt.get {
			t.Errorf("%s: GET = %d %v, want %d", tt.name, status, m, tt.get)
		}
		if status, m := e.call(http.MethodPatch, "/v1.0/subscriptions/"+id, tt.token, renew); status != tt.patch {
			t.Errorf("%s: PATCH = %d %v, want %d", tt.name, status, m, tt.patch)
		}
		if status, m := e.call(http.MethodPost, "/v1.0/subscriptions/"+id+"/reauthorize", tt.token, nil); status != tt.reauth {
			t.Errorf("%s: reauthorize = %d %v, want %d", tt.name, status, m, tt.reauth)
		}
		if status, m := e.call(http.MethodDelete, "/v1.0/subscriptions/"+id, tt.token, nil); status != tt.del {
			t.Errorf("%s: DELETE = %d %v, want %d", tt.name, status, m, tt.del)
		}
	}
	// GET /subscriptions lists the calling app's own only.
	mine := create(owner)
	for _, tt := range []struct {
		token string
		want  bool
	}{{owner, true}, {otherApp, false}, {otherTenant, false}, {alex, false}} {
		status, m := e.call(http.MethodGet, "/v1.0/subscriptions", tt.token, nil)
		found := false
		values, _ := m["value"].([]any)
		for _, v := range values {
			found = found || v.(map[string]any)["id"] == mine
		}
		if status != http.StatusOK || found != tt.want {
			t.Errorf("list: %d, lists the subscription: %v, want %v", status, found, tt.want)
		}
	}
	if status, m := e.call(http.MethodDelete, "/v1.0/subscriptions/"+mine, owner, nil); status != 204 {
		t.Errorf("DELETE = %d %v", status, m)
	}
	if status, _ := e.call(http.MethodGet, "/v1.0/subscriptions/"+mine, owner, nil); status != 404 {
		t.Errorf("GET after DELETE = %d, want 404", status)
	}
}

// TestSubscriptionShape: a created subscription reads back as Graph's
// subscription resource.
func TestSubscriptionShape(t *testing.T) {
	e := newSubEnv(t, true)
	url := echoReceiver(t)
	token := e.app(demo.ConsoleApp, "Chat.Read.All")
	body := subscriptionBody(url+"?key=1", "chats('"+demo.ChatID+"')/operations")
	body["changeType"] = "updated"
	status, m := e.call(http.MethodPost, "/v1.0/subscriptions", token, body)
	if status != http.StatusCreated {
		t.Fatalf("POST = %d %v", status, m)
	}
	want := map[string]any{"@odata.context": e.base + "/v1.0/$metadata#subscriptions/$entity",
		"resource": "chats('" + demo.ChatID + "')/operations", "applicationId": demo.ConsoleApp, "changeType": "updated",
		"clientState": "s", "notificationUrl": url + "?key=1", "notificationQueryOptions": nil, "lifecycleNotificationUrl": nil,
		"creatorId": identity.ServicePrincipalID(demo.TenantID, demo.ConsoleApp), "includeResourceData": false,
		"latestSupportedTlsVersion": "v1_2", "encryptionCertificate": nil, "encryptionCertificateId": nil, "notificationUrlAppId": nil}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	_, got := e.call(http.MethodGet, "/beta/subscriptions/"+m["id"].(string), token, nil)
	if got["expirationDateTime"] != m["expirationDateTime"] || got["@odata.context"] != e.base+"/beta/$metadata#subscriptions/$entity" {
		t.Errorf("GET = %v", got)
	}
	// subscription-list.md: "the clientState property value is not
	// returned" in a list.
	_, list := e.call(http.MethodGet, "/v1.0/subscriptions", token, nil)
	if values := list["value"].([]any); len(values) != 1 || values[0].(map[string]any)["clientState"] != nil {
		t.Errorf("list = %v, want one subscription without its clientState", values)
	}
	if status, _ := e.call(http.MethodGet, "/v1.0/subscriptions?$top=1", token, nil); status != http.StatusBadRequest {
		t.Errorf("a query option = %d, want 400", status)
	}
	if status, _ := e.call(http.MethodPut, "/v1.0/subscriptions/"+m["id"].(string), token, nil); status != http.StatusMethodNotAllowed {
		t.Errorf("PUT = %d, want 405", status)
	}
}

// handshakeReceivers answer the validation request each in its own way.
func handshakeReceivers(t *testing.T) map[string]string {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	handlers := map[string]http.HandlerFunc{
		"wrong token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("not the token"))
		},
		"wrong content type": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(r.URL.Query().Get("validationToken")))
		},
		"not 200": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) },
		"too slow": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		},
	}
	urls := map[string]string{}
	for name, h := range handlers {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		urls[name] = srv.URL + "/notify"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	urls["unreachable"] = "http://" + ln.Addr().String() + "/notify"
	ln.Close()
	return urls
}

// TestHandshakeFailures: a receiver that fails the validation handshake,
// at notificationUrl or at lifecycleNotificationUrl, fails the create with
// Graph's 400 and message, and a PATCH to such a URL fails likewise.
func TestHandshakeFailures(t *testing.T) {
	e := newSubEnv(t, true)
	good := echoReceiver(t)
	token := e.app(demo.ConsoleApp, "Team.ReadBasic.All")
	want := map[string]string{
		"wrong token":        "Response must exactly match validationToken query parameter.",
		"wrong content type": "Response must be of content type text/plain.",
		"not 200":            "Notification endpoint must respond with 200 OK to validation request.",
		"too slow":           "Subscription validation request timeout.",
		"unreachable":        "Notification endpoint must respond with 200 OK to validation request.",
	}
	okID := ""
	{
		body := subscriptionBody(good, "/teams/"+demo.TeamID+"/operations")
		body["lifecycleNotificationUrl"] = good
		status, m := e.call(http.MethodPost, "/v1.0/subscriptions", token, body)
		if status != http.StatusCreated {
			t.Fatalf("with a good receiver: %d %v", status, m)
		}
		okID = m["id"].(string)
	}
	for name, url := range handshakeReceivers(t) {
		for _, field := range []string{"notificationUrl", "lifecycleNotificationUrl"} {
			body := subscriptionBody(good, "/teams/"+demo.TeamID+"/operations")
			body["lifecycleNotificationUrl"] = good
			body[field] = url
			status, m := e.call(http.MethodPost, "/v1.0/subscriptions", token, body)
			if status != http.StatusBadRequest || !strings.Contains(errorMessage(m), want[name]) {
				t.Errorf("%s at %s: POST = %d %q, want 400 %q", name, field, status, errorMessage(m), want[name])
			}
			status, m = e.call(http.MethodPatch, "/v1.0/subscriptions/"+okID, token, map[string]any{field: url})
			if status != http.StatusBadRequest || !strings.Contains(errorMessage(m), want[name]) {
				t.Errorf("%s at %s: PATCH = %d %q, want 400 %q", name, field, status, errorMessage(m), want[name])
			}
		}
	}
	_, m := e.call(http.MethodGet, "/v1.0/subscriptions/"+okID, token, nil)
	if m["notificationUrl"] != good || m["lifecycleNotificationUrl"] != good {
		t.Errorf("a failed PATCH changed the subscription: %v", m)
	}
	subs, _ := e.srv.Store.Subscriptions(context.Background(), demo.TenantID, "")
	if len(subs) != 1 {
		t.Errorf("%d subscriptions stored, want only the good one", len(subs))
	}
}

// TestCreateSubscriptionInvalid: every malformed request is a 400 with a
// message, and https is required unless the server allows http.
func TestCreateSubscriptionInvalid(t *testing.T) {
	e := newSubEnv(t, true)
	url := echoReceiver(t)
	token := e.app(demo.ConsoleApp, "Team.ReadBasic.All")
	teamOps := "/teams/" + demo.TeamID + "/operations"
	at := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.RFC3339Nano) }
	tests := []struct {
		name   string
		change func(b map[string]any)
		want   string
	}{
		{"deleted", func(b map[string]any) { b["changeType"] = "deleted" }, "changeType"},
		{"no change type", func(b map[string]any) { delete(b, "changeType") }, "changeType"},
		{"past", func(b map[string]any) { b["expirationDateTime"] = at(-time.Minute) }, "in the future"},
		{"too far", func(b map[string]any) { b["expirationDateTime"] = at(4321 * time.Minute) }, "4320 minutes"},
		{"over an hour without lifecycle", func(b map[string]any) { b["expirationDateTime"] = at(2 * time.Hour) }, "lifecycleNotificationUrl is a required property"},
		{"long client state", func(b map[string]any) { b["clientState"] = strings.Repeat("x", 129) }, "128"},
		{"rich without certificate", func(b map[string]any) { b["includeResourceData"] = true }, "encryptionCertificate"},
		{"bad certificate", func(b map[string]any) {
			b["includeResourceData"], b["encryptionCertificate"], b["encryptionCertificateId"] = true, "bm90IGEgY2VydA==", "c"
		}, "encryptionCertificate"},
		{"bad TLS version", func(b map[string]any) { b["latestSupportedTlsVersion"] = "v2" }, "latestSupportedTlsVersion"},
		{"relative URL", func(b map[string]any) { b["notificationUrl"] = "/notify" }, "absolute"},
		{"bad resource", func(b map[string]any) { b["resource"] = "/me/messages" }, "not supported"},
		{"unknown property", func(b map[string]any) { b["colour"] = "blue" }, "does not exist"},
	}
	for _, tt := range tests {
		body := subscriptionBody(url, teamOps)
		tt.change(body)
		status, m := e.call(http.MethodPost, "/v1.0/subscriptions", token, body)
		if status != http.StatusBadRequest || !strings.Contains(errorMessage(m), tt.want) {
			t.Errorf("%s: POST = %d %q, want 400 mentioning %q", tt.name, status, errorMessage(m), tt.want)
		}
	}
	strict := newSubEnv(t, false)
	status, m := strict.call(http.MethodPost, "/v1.0/subscriptions", strict.app(demo.ConsoleApp, "Team.ReadBasic.All"),
		subscriptionBody(url, teamOps))
	if status != http.StatusBadRequest || !strings.Contains(errorMessage(m), "HTTPS") {
		t.Errorf("http without --allow-http-notifications: %d %q, want 400 naming HTTPS", status, errorMessage(m))
	}
}
