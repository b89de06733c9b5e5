package dashboard_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
)

// BenchmarkOperationsPage measures the server's side of the table's first
// paint: the first page (50 rows) of 10,000 operations, read and rendered,
// on the back end under test — across tenants, in one tenant, and filtered
// by status (a third of the operations match). TestBrowser/FirstPaint
// measures the browser's side (docs/performance.md, "Dashboard").
//
//	go test ./dashboard -run '^$' -bench OperationsPage -benchtime 200x
func BenchmarkOperationsPage(b *testing.B) {
	h, store := newDashboard(b, dashboard.Config{Loopback: true})
	seedOperations(b, store, demo.TenantID, 10_000, time.Now().UTC().Add(-10_000*time.Second))
	for _, bb := range []struct{ name, path string }{
		{"All", "/_teamsops/ui/"},
		{"Tenant", "/_teamsops/ui/?tenant=" + demo.TenantID},
		{"Failed", "/_teamsops/ui/?status=failed"},
		{"Page100", "/_teamsops/ui/?before=" + cursorAt(b, h, 100)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if w := serve(h, request("GET", bb.path, "")); w.Code != http.StatusOK {
					b.Fatalf("%s: %d", bb.path, w.Code)
				}
			}
		})
	}
}

// cursorAt follows the table's links to the page pages deep, and returns
// its cursor.
func cursorAt(b *testing.B, h http.Handler, pages int) string {
	b.Helper()
	path := "/_teamsops/ui/"
	for range pages {
		w := serve(h, request("GET", path, ""))
		m := nextLink.FindStringSubmatch(w.Body.String())
		if m == nil {
			b.Fatalf("no page after %s", path)
		}
		path = html.UnescapeString(m[1])
	}
	_, cursor, _ := strings.Cut(path, "before=")
	return cursor
}
