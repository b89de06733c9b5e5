package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// exposition is /metrics in Prometheus' text format, with help lines and
// labelled samples around the unlabelled ones the harness reads.
const exposition = `# HELP teamsops_held_requests Requests held.
# TYPE teamsops_held_requests gauge
teamsops_held_requests 7
teamsops_requests_total{route="/beta/chats",method="GET"} 12
go_memstats_heap_inuse_bytes 1.5e+06
go_memstats_stack_inuse_bytes 500000
teamsops_sql_statements_total 40
teamsops_sql_transactions_total 9
teamsops_sql_single_statements_total 3
`

// metricsServer answers /metrics with body, and 404 elsewhere.
func metricsServer(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestScrapeReadsGauges(t *testing.T) {
	g := scrape(metricsServer(t, exposition))
	if g.held != 7 || g.inUse != 2e6 {
		t.Errorf("scrape = %+v, want 7 held and 2e6 bytes in use", g)
	}
}

func TestSQLCountsOf(t *testing.T) {
	full := metricsServer(t, exposition)
	sum, ok := sqlCountsOf([]*process{{addr: full}, {addr: full}})
	if want := (sqlCounts{statements: 80, transactions: 18, single: 6}); !ok || sum != want {
		t.Errorf("sqlCountsOf = %+v, %v; want %+v, true", sum, ok, want)
	}
	// A process without --count-sql reports none of the counters.
	bare := metricsServer(t, "teamsops_held_requests 0\n")
	if _, ok := sqlCountsOf([]*process{{addr: full}, {addr: bare}}); ok {
		t.Error("sqlCountsOf counted a process without the counters")
	}
}
