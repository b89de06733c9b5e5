package dashboard_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
)

// FuzzPages sends any path under the dashboard and any query — filters,
// cursors, ids — to an open dashboard: never a 5xx, never a panic.
func FuzzPages(f *testing.F) {
	h, store := newDashboard(f, dashboard.Config{Loopback: true})
	seedOperations(f, store, demo.TenantID, 60, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	cursor := "before=" + url.QueryEscape(strings.TrimPrefix(
		nextLink.FindStringSubmatch(serve(h, request("GET", "/_teamsops/ui/", "")).Body.String())[1], "/_teamsops/ui/?before="))
	for _, seed := range [][2]string{
		{"", "status=failed&type=archiveTeam"}, {"", "tenant=" + demo.TenantID + "&resource=" + demo.TeamID},
		{"", cursor}, {"", "before=MTIzAHgAeQ"}, {"", "before=LTkyMjMzNzIwMzY4NTQ3NzU4MDgAAA"},
		{"operations/" + demo.TenantID + "/op-00001", ""}, {"operations/x/y/z", ""}, {"tenants/" + demo.TenantID, ""},
		{"tenants/%00", ""}, {"static/dashboard.css", ""}, {"login", "next=//x"}, {"", "status=" + string(teamsops.OperationStatusUnknownFutureValue)},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, path, query string) {
		if strings.HasPrefix(path, "events") {
			return // a stream: its filters are the table's, fuzzed here
		}
		r := httptest.NewRequest("GET", "/_teamsops/ui/", nil)
		r.URL = &url.URL{Path: "/_teamsops/ui/" + path, RawQuery: query}
		r.Host = "127.0.0.1:8080"
		if w := serve(h, r); w.Code >= 500 {
			t.Errorf("GET /_teamsops/ui/%s?%s: %d %s", path, query, w.Code, w.Body)
		}
	})
}
