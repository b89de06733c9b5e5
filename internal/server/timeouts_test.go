package server_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// shortTimeouts are the bounds of these tests: a second for a body and
// for idleness, so that what they end is seen in seconds.
var shortTimeouts = server.Timeouts{Header: 5 * time.Second, Body: time.Second, Idle: time.Second}

// patience is how long a test waits for the server to end a connection
// the bounds above should end in about a second: generous, as the
// machine may be busy.
const patience = 20 * time.Second

const testAdminToken = "timeouts-test-admin-token"

// A client that sends its headers and then trickles its body, a byte at
// a time, is answered 408 and its connection closed once the body's
// bound has passed — on the token endpoint, the dashboard's login and the
// admin API, none of which needs a token to reach.
func TestSlowBodyEndsInRequestTimeout(t *testing.T) {
	_, base := serveConfig(t, server.Config{DB: testdb.DSN(t), Demo: true, AdminToken: testAdminToken,
		Loopback: true, Timeouts: shortTimeouts})
	addr := strings.TrimPrefix(base, "http://")
	cases := []struct {
		name, path, contentType string
		headers                 []string
	}{
		{"token endpoint", "/" + demo.TenantID + "/oauth2/v2.0/token", "application/x-www-form-urlencoded", nil},
		{"dashboard login", "/_teamsops/ui/login", "application/x-www-form-urlencoded", nil},
		{"admin API", "/_teamsops/tenants", "application/json", []string{"Authorization", "Bearer " + testAdminToken}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res, closed := trickle(t, addr, c.path, append([]string{"Content-Type", c.contentType}, c.headers...)...)
			if res == nil {
				t.Fatal("the connection was closed without an answer, want a 408")
			}
			if res.StatusCode != http.StatusRequestTimeout {
				t.Fatalf("status %d, want 408", res.StatusCode)
			}
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Error.Code != "RequestTimeout" {
				t.Errorf("body: code %q, %v", body.Error.Code, err)
			}
			if !closed() {
				t.Error("the connection stayed open after the 408")
			}
		})
	}
}

// trickle POSTs to path on a connection of its own: its headers at once,
// then a body announced as 60,000 bytes at a byte every 50 ms. It returns
// the server's answer (nil if it closed the connection without one), and
// a function that reports whether the server then closed the connection.
// It fails the test if the server neither answers nor closes within
// patience.
func trickle(t *testing.T, addr, path string, headers ...string) (*http.Response, func() bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var head strings.Builder
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 60000\r\n", path, addr)
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&head, "%s: %s\r\n", headers[i], headers[i+1])
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("a")); err != nil {
					return
				}
			}
		}
	}()
	conn.SetReadDeadline(time.Now().Add(patience))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Fatalf("still no answer after %v: the slow body was not cut off", patience)
	case err != nil:
		return nil, func() bool { return true }
	}
	body, _ := io.ReadAll(res.Body)
	res.Body = io.NopCloser(strings.NewReader(string(body)))
	return res, func() bool {
		_, err := br.ReadByte()
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	}
}

// A kept-alive connection that sends no further request is closed once
// the idle bound has passed.
func TestIdleConnectionClosed(t *testing.T) {
	_, base := serveConfig(t, server.Config{DB: testdb.DSN(t), Timeouts: shortTimeouts})
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	// Two requests: the connection is kept alive between them.
	for range 2 {
		fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Close {
			t.Fatalf("GET /healthz: %d, close %v", res.StatusCode, res.Close)
		}
	}
	conn.SetReadDeadline(time.Now().Add(patience))
	if _, err := br.ReadByte(); errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("an idle connection was still open after %v", patience)
	} else if err == nil {
		t.Fatal("the server sent bytes nobody asked for")
	}
}

// A "Prefer: wait=3" GET of a running operation is held three times the
// body's bound and answered normally, and so is one inside a $batch,
// whose request has a body: the bound ends with the body, not with the
// answer.
func TestHeldRequestsOutlastBodyBound(t *testing.T) {
	srv, base := serveConfig(t, server.Config{DB: testdb.DSN(t), Demo: true, Timeouts: shortTimeouts})
	tok, err := srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	path := "/teams/" + demo.TeamID + "/operations/" + runningOperation(t, srv.Store)

	start := time.Now()
	res := call(t, http.MethodGet, base+"/v1.0"+path, tok, "", "Prefer", "wait=3")
	if res.StatusCode != http.StatusOK || res.Header.Get("Preference-Applied") != "wait=3" {
		t.Fatalf("held GET: %d, Preference-Applied %q", res.StatusCode, res.Header.Get("Preference-Applied"))
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Fatalf("the GET was answered after %v: not held", took)
	}

	batch := `{"requests":[{"id":"1","method":"GET","url":"` + path + `","headers":{"Prefer":"wait=3"}}]}`
	req, _ := http.NewRequest(http.MethodPost, base+"/v1.0/$batch", strings.NewReader(batch))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	start = time.Now()
	bres, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer bres.Body.Close()
	var out struct {
		Responses []struct {
			Status  int
			Headers map[string]string
		}
	}
	if err := json.NewDecoder(bres.Body).Decode(&out); err != nil || bres.StatusCode != http.StatusOK || len(out.Responses) != 1 {
		t.Fatalf("$batch: %d, %+v, %v", bres.StatusCode, out, err)
	}
	if r := out.Responses[0]; r.Status != http.StatusOK {
		t.Fatalf("held GET in a $batch: %d", r.Status)
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Fatalf("the $batch was answered after %v: its GET was not held", took)
	}
}

// runningOperation writes an operation of the demo team that stays
// inProgress: it has no job to move it.
func runningOperation(t *testing.T, store teamsops.Store) string {
	t.Helper()
	const id = "0a0b0c0d-2222-4333-8444-555566667777"
	now := time.Now().UTC().Truncate(time.Microsecond)
	op := &teamsops.Operation{ID: id, TenantID: demo.TenantID,
		Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
		Type:     teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusInProgress,
		CreatedDateTime: now, LastActionDateTime: now, AttemptsCount: 1,
		TargetResourceID: demo.TeamID, TargetResourceLocation: "/teams('" + demo.TeamID + "')"}
	if err := store.CreateOperation(t.Context(), op); err != nil {
		t.Fatal(err)
	}
	return id
}

// The dashboard's event stream stays open past the body's and the idle
// bounds: a change made three seconds after it opened still arrives.
func TestEventStreamOutlastsBounds(t *testing.T) {
	srv, base := serveConfig(t, server.Config{DB: testdb.DSN(t), Demo: true, Loopback: true, Timeouts: shortTimeouts})
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /_teamsops/ui/events HTTP/1.1\r\nHost: %s\r\n\r\n", conn.RemoteAddr())
	br := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(patience))
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	// The stream opened without a version: it is told to refresh first.
	waitEvent(t, lines, "refresh")
	time.Sleep(3 * time.Second)
	runningOperation(t, srv.Store)
	waitEvent(t, lines, "row")
}

// waitEvent reads the stream's lines until an event named name.
func waitEvent(t *testing.T, lines <-chan string, name string) {
	t.Helper()
	timeout := time.After(patience)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("the stream ended before a %q event", name)
			}
			if line == "event: "+name {
				return
			}
		case <-timeout:
			t.Fatalf("no %q event after %v", name, patience)
		}
	}
}
