package http_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

// stuckID is an operation of the demo team written straight to the store
// with no job, so it stays inProgress until a test moves it.
const stuckID = "0a0b0c0d-1111-4222-8333-444455556666"

var teamRef = teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID}

func stuckPath(version string) string {
	return "/" + version + "/teams/" + demo.TeamID + "/operations/" + stuckID
}

func (e *env) stuckOperation() *teamsops.Operation {
	e.t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	op := &teamsops.Operation{ID: stuckID, TenantID: demo.TenantID, Resource: teamRef,
		Type: teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusInProgress,
		CreatedDateTime: now, LastActionDateTime: now, AttemptsCount: 1,
		TargetResourceID: demo.TeamID, TargetResourceLocation: "/teams('" + demo.TeamID + "')"}
	if err := e.store.CreateOperation(e.t.Context(), op); err != nil {
		e.t.Fatal(err)
	}
	return op
}

// finish moves op to succeeded through the store, as the engine would.
func finish(t *testing.T, store teamsops.Store, op *teamsops.Operation) {
	t.Helper()
	err := store.Update(t.Context(), func(tx teamsops.Tx) error {
		op.Status, op.LastActionDateTime = teamsops.OperationStatusSucceeded, time.Now().UTC().Truncate(time.Microsecond)
		return tx.UpdateOperation(t.Context(), op)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// heldGet GETs path with "Prefer: wait=N" in the background.
func (e *env) heldGet(path, token, prefer string) <-chan response {
	out := make(chan response, 1)
	go func() { out <- e.getAsync(path, token, "Prefer", prefer) }()
	return out
}

// getAsync is get for another goroutine: it reports failures with Error.
func (e *env) getAsync(path, token string, headers ...string) response {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Errorf("GET %s: %v", path, err)
		return response{}
	}
	defer res.Body.Close()
	body := make([]byte, 0, 1024)
	buf := make([]byte, 1024)
	for {
		n, err := res.Body.Read(buf)
		body = append(body, buf[:n]...)
		if err != nil {
			break
		}
	}
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// awaitHeld waits until n requests are held.
func awaitHeld(t *testing.T, e *env, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); e.waits.Held() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests held, want %d", e.waits.Held(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantOperationStatus(t *testing.T, res response, status, applied, retryAfter string) {
	t.Helper()
	if res.status != http.StatusOK {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if got := res.json(t)["status"]; got != status {
		t.Errorf("status = %v, want %s", got, status)
	}
	if got := res.header.Get("Preference-Applied"); got != applied {
		t.Errorf("Preference-Applied = %q, want %q", got, applied)
	}
	if got := res.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("Retry-After = %q, want %q", got, retryAfter)
	}
}

// A held GET is released by the operation's status change, and says the
// preference was applied.
func TestPreferWaitReleasedByChange(t *testing.T) {
	e := newEnv(t)
	op := e.stuckOperation()
	tok := e.consoleToken()
	held := e.heldGet(stuckPath("v1.0"), tok, "wait=60")
	awaitHeld(t, e, 1)
	// A change that keeps the status (a retry moving lastActionDateTime)
	// does not release it.
	op.AttemptsCount = 2
	if err := e.store.UpdateOperation(t.Context(), op); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	if e.waits.Held() != 1 {
		t.Fatal("a change that kept the status released the request")
	}
	finish(t, e.store, op)
	wantOperationStatus(t, <-held, "succeeded", "wait=60", "")
}

// Without a change, the GET answers when the wait has passed, with the
// operation as it is and when to look again.
func TestPreferWaitTimesOut(t *testing.T) {
	e := newEnv(t)
	e.stuckOperation()
	res := e.get(stuckPath("beta"), e.consoleToken(), "Prefer", "wait=1")
	wantOperationStatus(t, res, "inProgress", "wait=1", "1")
}

// Shutting down answers held requests at once.
func TestPreferWaitReleasedByDrain(t *testing.T) {
	e := newEnv(t)
	e.stuckOperation()
	held := e.heldGet(stuckPath("v1.0"), e.consoleToken(), "wait=60")
	awaitHeld(t, e, 1)
	e.waits.Drain()
	wantOperationStatus(t, <-held, "inProgress", "wait=60", "1")
	// Drained, the server holds nothing more.
	res := e.get(stuckPath("v1.0"), e.consoleToken(), "Prefer", "wait=60")
	wantOperationStatus(t, res, "inProgress", "wait=60", "1")
}

// A malformed or unsupported preference is ignored (RFC 7240 section 2),
// never an error; the answer comes at once.
func TestPreferWaitIgnored(t *testing.T) {
	e := newEnv(t)
	e.stuckOperation()
	tok := e.consoleToken()
	for _, prefer := range []string{"wait=abc", "wait=-1", "wait=", "wait=1.5", "wait=99999999999999999999",
		"wait", "wait=abc, wait=5", "respond-async", "wait=0"} {
		res := e.get(stuckPath("v1.0"), tok, "Prefer", prefer)
		wantOperationStatus(t, res, "inProgress", "", "1")
	}
	// Beside another preference, and in any case, it is applied; a huge
	// value is capped.
	res := e.get(stuckPath("v1.0"), tok, "Prefer", `include-unknown-enum-members, WAIT="1"`)
	if got := res.header.Values("Preference-Applied"); len(got) != 2 || got[1] != "wait=1" {
		t.Errorf("Preference-Applied = %q", got)
	}
	// A terminal operation answers at once: nothing to wait for.
	res = e.get(seedPath, tok, "Prefer", "wait=60")
	wantOperationStatus(t, res, "succeeded", "", "")
}

// The wait preference is only for GET of one operation; elsewhere it is
// ignored too.
func TestPreferWaitOnlyOnOperations(t *testing.T) {
	e := newEnv(t)
	res := e.get("/v1.0/teams/"+demo.TeamID+"/operations", e.consoleToken(), "Prefer", "wait=30")
	if res.status != http.StatusOK || res.header.Get("Preference-Applied") != "" {
		t.Errorf("list: %d, Preference-Applied %q", res.status, res.header.Get("Preference-Applied"))
	}
}

// A caller without permission is refused at once, not held.
func TestPreferWaitAuthorizesFirst(t *testing.T) {
	e := newEnv(t)
	e.stuckOperation()
	res := e.get(stuckPath("v1.0"), e.appToken(demo.ConsoleApp, "Chat.Read.All"), "Prefer", "wait=60")
	if res.status != http.StatusForbidden {
		t.Errorf("status %d: %s", res.status, res.body)
	}
}

// The 202 of an action says when to look at its operation, and so does a
// GET of an operation that has not ended, as the profile says: Graph's 30
// seconds on the realistic profile.
func TestRetryAfter(t *testing.T) {
	e := newEnvOn(t, testdb.New(t), 30*time.Second)
	e.stuckOperation()
	tok := e.consoleToken()
	res := e.send(http.MethodPost, "/v1.0/teams/"+demo.TeamID+"/archive", tok, nil)
	if res.status != http.StatusAccepted || res.header.Get("Retry-After") != "30" {
		t.Errorf("archive: %d, Retry-After %q", res.status, res.header.Get("Retry-After"))
	}
	wantOperationStatus(t, e.get(stuckPath("v1.0"), tok), "inProgress", "", "30")
	wantOperationStatus(t, e.get(seedPath, tok), "succeeded", "", "")
}

// A request held by one replica is released when another replica, on the
// same PostgreSQL database, ends the operation.
func TestPreferWaitAcrossReplicas(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	a := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	b := newEnvOn(t, testdb.Open(t, dsn), time.Second)
	op := a.stuckOperation()
	held := a.heldGet(stuckPath("v1.0"), a.consoleToken(), "wait=60")
	awaitHeld(t, a, 1)
	finish(t, b.store, op)
	wantOperationStatus(t, <-held, "succeeded", "wait=60", "")
}
