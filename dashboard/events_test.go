package dashboard_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
)

// sseEvent is one server-sent event.
type sseEvent struct{ name, data string }

// stream reads an event stream.
type stream struct {
	t      *testing.T
	events chan sseEvent
}

// openStream GETs the dashboard's event stream with query.
func openStream(t *testing.T, base, query string) *stream {
	t.Helper()
	res, err := http.Get(base + "/_teamsops/ui/events?" + query)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events?%s: %d %s", query, res.StatusCode, res.Header.Get("Content-Type"))
	}
	t.Cleanup(func() { res.Body.Close() })
	s := &stream{t: t, events: make(chan sseEvent, 100)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			case line == "" && e.name != "":
				s.events <- e
				e = sseEvent{}
			}
		}
	}()
	return s
}

// next returns the next event, failing the test if none comes within a
// generous bound or the stream ends.
func (s *stream) next() sseEvent {
	s.t.Helper()
	select {
	case e, ok := <-s.events:
		if !ok {
			s.t.Fatal("the stream ended")
		}
		return e
	case <-time.After(10 * time.Second):
		s.t.Fatal("no event")
	}
	return sseEvent{}
}

// row decodes a row or gone event.
func row(t *testing.T, e sseEvent) (key, html string) {
	t.Helper()
	var d struct{ Key, HTML string }
	if err := json.Unmarshal([]byte(e.data), &d); err != nil {
		t.Fatalf("%s event: %v: %s", e.name, err, e.data)
	}
	return d.Key, d.HTML
}

// version reads the version of a page's event stream URL.
func version(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	_, body := get(t, h, path)
	m := regexp.MustCompile(`data-events="[^"]*[?&amp;;]v=(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no event stream in %s", path)
	}
	return m[1]
}

// TestEvents: an open table hears of a new operation and of its status
// changes as rows, of an operation that left its filters as gone, an
// operation's page of that operation only; a page older than the latest
// change reloads; Drain ends the streams.
func TestEvents(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ctx := t.Context()

	all := openStream(t, srv.URL, "v="+version(t, h, "/_teamsops/ui/"))
	running := openStream(t, srv.URL, "status=inProgress&tenant="+demo.TenantID+"&v="+version(t, h, "/_teamsops/ui/"))
	other := openStream(t, srv.URL, "tenant=0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d&v="+version(t, h, "/_teamsops/ui/"))
	page := openStream(t, srv.URL, "tenant="+demo.TenantID+"&operation=op-live&v="+version(t, h, "/_teamsops/ui/"))

	op := &teamsops.Operation{ID: "op-live", TenantID: demo.TenantID, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
		Type: teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusNotStarted,
		CreatedDateTime: time.Now().UTC(), LastActionDateTime: time.Now().UTC(),
		Origin: &teamsops.Origin{Method: "POST", Path: "/v1.0/teams/x/archive", ClientAppID: demo.ConsoleApp}}
	if err := store.CreateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	e := all.next()
	key, html := row(t, e)
	if e.name != "row" || !strings.Contains(html, "op-live") || !strings.Contains(html, "notStarted") || !strings.Contains(html, "ops console") ||
		!strings.Contains(html, `id="`+key+`"`) {
		t.Errorf("new operation: %s %s", e.name, e.data)
	}
	if e := running.next(); e.name != "gone" {
		t.Errorf("a notStarted operation on an inProgress table: %v", e)
	}
	if e := page.next(); e.name != "operation" || e.data != "notStarted" {
		t.Errorf("the operation's page: %v", e)
	}

	op.Status, op.AttemptsCount = teamsops.OperationStatusInProgress, 1
	if err := store.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	if e := all.next(); e.name != "row" || !strings.Contains(e.data, "inProgress") {
		t.Errorf("status change: %v", e)
	}
	if e := running.next(); e.name != "row" || !strings.Contains(e.data, "inProgress") {
		t.Errorf("status change on an inProgress table: %v", e)
	}
	if e := page.next(); e.name != "operation" || e.data != "inProgress" {
		t.Errorf("the operation's page: %v", e)
	}

	op.Status = teamsops.OperationStatusSucceeded
	if err := store.UpdateOperation(ctx, op); err != nil {
		t.Fatal(err)
	}
	if e := all.next(); e.name != "row" || !strings.Contains(e.data, "succeeded") {
		t.Errorf("succeeded: %v", e)
	}
	if e := running.next(); e.name != "gone" {
		t.Errorf("an operation that left the inProgress table: %v", e)
	}

	// Another tenant's table heard nothing; a stream opened with an old
	// version reloads at once; a deleted operation is gone.
	select {
	case e := <-other.events:
		t.Errorf("another tenant's table heard %v", e)
	default:
	}
	if e := openStream(t, srv.URL, "v=0").next(); e.name != "refresh" {
		t.Errorf("a stale page: %v", e)
	}
	if err := store.DeleteOperation(ctx, demo.TenantID, "op-live"); err != nil {
		t.Fatal(err)
	}
	if e := all.next(); e.name != "gone" {
		t.Errorf("a deleted operation: %v", e)
	}

	// Many operations at once (a bulk load): the table reloads rather than
	// have each read and sent.
	seedOperations(t, store, demo.TenantID, 80, time.Now().UTC())
	rows := 0
	for e := all.next(); e.name != "refresh"; e = all.next() {
		if rows++; e.name != "row" || rows >= 80 {
			t.Fatalf("after %d rows of a bulk load: %v", rows, e)
		}
	}

	for _, bad := range []string{"status=finished", "operation=op-live", "type=x"} {
		res, err := http.Get(srv.URL + "/_teamsops/ui/events?" + bad)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("events?%s: %d, want 400", bad, res.StatusCode)
		}
	}

	h.Drain()
	for range all.events {
	}
}
