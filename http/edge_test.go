package http_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/throttle"
)

// fakeClock is a clock tests move by hand; the server reads it from its
// own goroutines.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// throttled gives the env a throttler at scale on a fake clock.
func throttled(e *env, scale float64) *fakeClock {
	c := &fakeClock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}
	th := throttle.New(scale)
	th.Now = c.now
	e.api.Throttle = th
	return c
}

// want429 checks Graph's throttling answer and returns its Retry-After.
func want429(t *testing.T, what string, res response) time.Duration {
	t.Helper()
	body := res.json(t)
	e, _ := body["error"].(map[string]any)
	after, err := time.ParseDuration(res.header.Get("Retry-After") + "s")
	if res.status != http.StatusTooManyRequests || e["code"] != "TooManyRequests" || e["message"] != "Please retry again later." ||
		err != nil || after < 0 {
		t.Fatalf("%s: %d, Retry-After %q: %s", what, res.status, res.header.Get("Retry-After"), res.body)
	}
	// innerError as the page's sample shows it (concepts/throttling.md).
	inner, _ := e["innerError"].(map[string]any)
	if inner["code"] != "429" || inner["status"] != "429" || inner["message"] != "Please retry after" ||
		inner["request-id"] != res.header.Get("request-id") || inner["date"] == nil {
		t.Errorf("%s: innerError %v", what, inner)
	}
	return after
}

// TestThrottleGetTeam: "GET /teams/{team-id}" is also a request on the
// team, and the page's 4 per second per app on a given team, scaled by
// 0.1, leaves one: the second request is refused, another app and another
// tenant are not, and a retry after Retry-After succeeds.
func TestThrottleGetTeam(t *testing.T) {
	e := newEnv(t)
	clock := throttled(e, 0.1)
	addOtherTenant(t, e)
	token := e.consoleToken()
	path := "/v1.0/teams/" + demo.TeamID
	if res := e.get(path, token); res.status != http.StatusOK {
		t.Fatalf("first request: %d %s", res.status, res.body)
	}
	after := want429(t, "second request", e.get(path, token))
	if res := e.get(path, e.appToken(demo.ChatBotApp)); res.status == http.StatusTooManyRequests {
		t.Error("another app was throttled")
	}
	other := e.token(identity.Claims{TenantID: otherTenant, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles})
	if res := e.get(path, other); res.status != http.StatusNotFound {
		t.Errorf("the same app in another tenant: %d %s", res.status, res.body)
	}
	clock.advance(after)
	if res := e.get(path, token); res.status != http.StatusOK {
		t.Errorf("after Retry-After (%v): %d %s", after, res.status, res.body)
	}
}

// TestThrottlePerTeam: at Graph's own limits, one app's fifth GET of a
// team's operation within a second is refused by the page's "A maximum of
// four requests per second per app can be issued on a given team.", while
// the operation of another team still answers.
func TestThrottlePerTeam(t *testing.T) {
	e := newEnv(t)
	throttled(e, 1)
	token := e.consoleToken()
	otherTeamOp := "/v1.0" + accepted(t, e.send(http.MethodPost, "/v1.0/teams", token, newTeamBody("Other")))
	path := "/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation
	for i := range 4 {
		if res := e.get(path, token); res.status != http.StatusOK {
			t.Fatalf("request %d: %d %s", i+1, res.status, res.body)
		}
	}
	want429(t, "fifth request on the team", e.get(path, token))
	if res := e.get(otherTeamOp, token); res.status != http.StatusOK {
		t.Errorf("another team's operation: %d %s", res.status, res.body)
	}
}

// TestThrottlePerChat: at Graph's own limits, one app's second request on
// a chat within a second is refused by the page's "A maximum of one request
// per second per app per tenant can be issued on a given channel or
// chat.", whichever of the chat's paths it takes; another app is not, nor
// a request on no chat, and the chat answers again after Retry-After.
func TestThrottlePerChat(t *testing.T) {
	e := newEnv(t)
	clock := throttled(e, 1)
	token := e.consoleToken()
	if res := e.get(seedPath, token); res.status != http.StatusOK {
		t.Fatalf("first request: %d %s", res.status, res.body)
	}
	after := want429(t, "second request on the chat", e.get("/beta/chats/"+demo.ChatID+"/operations", token))
	if res := e.get(seedPath, e.appToken(demo.ChatBotApp, "ChatSettings.Read.Chat")); res.status == http.StatusTooManyRequests {
		t.Error("another app was throttled")
	}
	if res := e.get("/v1.0/teams/"+demo.TeamID, token); res.status != http.StatusOK {
		t.Errorf("a request on a team: %d %s", res.status, res.body)
	}
	clock.advance(after)
	if res := e.get(seedPath, token); res.status != http.StatusOK {
		t.Errorf("after Retry-After (%v): %d %s", after, res.status, res.body)
	}
}

// TestThrottlePerUser: at Graph's own limits, a user's sixth List chats
// or Get chat within a second is refused by the page's "A maximum of five
// requests per second per user", through whichever app; another user's
// list, and an application's, still pass.
func TestThrottlePerUser(t *testing.T) {
	e := newEnv(t)
	throttled(e, 1)
	adele := e.userToken(demo.UserAdele, "Chat.ReadBasic")
	paths := []string{"/v1.0/me/chats", "/v1.0/chats", "/v1.0/users/" + demo.UserAdele + "/chats", "/beta/me/chats", "/v1.0/me/chats"}
	for i, path := range paths {
		if res := e.get(path, adele); res.status != http.StatusOK {
			t.Fatalf("request %d, %s: %d %s", i+1, path, res.status, res.body)
		}
	}
	other := e.token(identity.Claims{TenantID: demo.TenantID, UserID: demo.UserAdele, AppID: demo.CLIApp, Scopes: []string{"Chat.ReadBasic"}})
	want429(t, "the sixth, through another app", e.get("/v1.0/me/chats", other))
	if res := e.get("/v1.0/me/chats", e.userToken(demo.UserAlex, "Chat.ReadBasic")); res.status != http.StatusOK {
		t.Errorf("another user: %d %s", res.status, res.body)
	}
	if res := e.get("/v1.0/users/"+demo.UserAdele+"/chats", e.consoleToken()); res.status != http.StatusOK {
		t.Errorf("an application: %d %s", res.status, res.body)
	}
}

// TestThrottleCreateTeam reaches "POST /teams" (10 per app per tenant,
// scaled to 1).
func TestThrottleCreateTeam(t *testing.T) {
	e := newEnv(t)
	throttled(e, 0.1)
	token := e.consoleToken()
	accepted(t, e.send(http.MethodPost, "/v1.0/teams", token, newTeamBody("First")))
	want429(t, "second team", e.send(http.MethodPost, "/v1.0/teams", token, newTeamBody("Second")))
	if res := e.get("/v1.0/teams/"+demo.TeamID, token); res.status != http.StatusOK {
		t.Errorf("a GET after a throttled POST: %d", res.status)
	}
}

// TestFaultHeaderRefusals: throttle=N and unavailable=N refuse N requests,
// let the next through and start again; latency delays; bad values are a
// 400 on any request.
func TestFaultHeaderRefusals(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	path := "/v1.0/teams/" + demo.TeamID
	var got []int
	for range 6 {
		got = append(got, e.get(path, token, "X-Teamsops-Fault", "throttle=2; retry-after=0").status)
	}
	if want := []int{429, 429, 200, 429, 429, 200}; !equalInts(got, want) {
		t.Errorf("throttle=2: statuses %v, want %v", got, want)
	}
	res := e.get(path, token, "X-Teamsops-Fault", "unavailable;retry-after=7")
	if res.status != http.StatusServiceUnavailable || res.header.Get("Retry-After") != "7" || res.errorCode(t) != "ServiceUnavailable" {
		t.Errorf("unavailable: %d, Retry-After %q: %s", res.status, res.header.Get("Retry-After"), res.body)
	}
	if res := e.get(path, token, "X-Teamsops-Fault", "throttle"); res.header.Get("Retry-After") != "1" {
		t.Errorf("throttle: Retry-After %q", res.header.Get("Retry-After"))
	}
	if res := e.get(path, token, "X-Teamsops-Fault", "latency=5ms"); res.status != http.StatusOK {
		t.Errorf("latency: %d", res.status)
	}
	for _, v := range []string{"explode", "throttle=0", "latency=1h", "fail;transient=1", "retry-after=3"} {
		if res := e.get(path, token, "X-Teamsops-Fault", v); res.status != http.StatusBadRequest {
			t.Errorf("%q: %d %s", v, res.status, res.body)
		}
	}
	// A fault is checked after authentication: no token is still a 401.
	if res := e.get(path, "", "X-Teamsops-Fault", "throttle"); res.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", res.status)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFaultHeaderWithOperation: a request may both be throttled once and
// start a failing operation: the retry starts it.
func TestFaultHeaderWithOperation(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	h := []string{"X-Teamsops-Fault", "throttle=1; fail; retry-after=0"}
	if res := e.send(http.MethodPost, "/v1.0/teams", token, newTeamBody("Flaky"), h...); res.status != http.StatusTooManyRequests {
		t.Fatalf("first try: %d %s", res.status, res.body)
	}
	op, _ := e.runOp("beta", http.MethodPost, "/teams", token, newTeamBody("Flaky"), h...)
	wantStatus(t, op, "failed", "createTeam")
}

// TestFaultRules: an app's fault rules fail the operations it starts
// with their error, or make attempts fail; a request's own header wins;
// other apps and types are untouched.
func TestFaultRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rules := []*teamsops.FaultRule{
		{ID: "no-teams", TenantID: demo.TenantID, ClientAppID: demo.ConsoleApp, OperationType: teamsops.OperationTypeCreateTeam,
			Action: teamsops.FaultActionFail, ErrorCode: "TeamsCreationDisabled", ErrorMessage: "No teams for this app."},
		{ID: "slow-archive", TenantID: demo.TenantID, ClientAppID: demo.ConsoleApp, OperationType: teamsops.OperationTypeArchiveChannel,
			Action: teamsops.FaultActionTransient, Attempts: 2},
	}
	for _, r := range rules {
		if err := e.store.CreateFaultRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	token := e.consoleToken()
	op, _ := e.runOp("beta", http.MethodPost, "/teams", token, newTeamBody("Refused"))
	if errObj, _ := op["error"].(map[string]any); op["status"] != "failed" || op["attemptsCount"] != 1.0 ||
		errObj["code"] != "TeamsCreationDisabled" || errObj["message"] != "No teams for this app." {
		t.Errorf("createTeam under a fail rule: %v", op)
	}
	op, _ = e.runOp("beta", http.MethodPost, "/teams", token, newTeamBody("Allowed"), "X-Teamsops-Fault", "transient=1")
	if op["status"] != "succeeded" || op["attemptsCount"] != 2.0 {
		t.Errorf("the header wins over the rule: %v", op)
	}
	general := "/teams/" + demo.TeamID + "/channels/" + generalChannel(e, token) + "/archive"
	op, _ = e.runOp("beta", http.MethodPost, general, token, nil)
	if op["status"] != "succeeded" || op["attemptsCount"] != 3.0 {
		t.Errorf("archiveChannel under a transient rule: %v", op)
	}
	other := e.appToken(otherConsole, demo.ConsoleRoles...)
	if err := e.store.CreateAppRegistration(ctx, &teamsops.AppRegistration{ClientID: otherConsole, TenantID: demo.TenantID, Roles: demo.ConsoleRoles}); err != nil {
		t.Fatal(err)
	}
	op, _ = e.runOp("beta", http.MethodPost, "/teams", other, newTeamBody("Other app"))
	wantStatus(t, op, "succeeded", "createTeam")
}

const otherConsole = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

// generalChannel returns the id of the demo team's General channel.
func generalChannel(e *env, token string) string {
	e.t.Helper()
	for _, c := range e.getOK("/v1.0/teams/"+demo.TeamID+"/channels", token)["value"].([]any) {
		if ch := c.(map[string]any); ch["displayName"] == "General" {
			return ch["id"].(string)
		}
	}
	e.t.Fatal("no General channel")
	return ""
}
