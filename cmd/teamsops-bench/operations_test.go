package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGraph plays teamsops' part in the operations scenario: POST /chats
// answers 202 and a Location; an operation is inProgress for its first
// two polls, then ends as outcome says; installedApps lists apps[chat]
// apps. flaky makes the first poll of every operation fail with a 503.
type fakeGraph struct {
	mu      sync.Mutex
	n       int
	polls   map[string]int
	outcome func(i int) (status string, apps int)
	flaky   bool
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	path := r.URL.Path
	switch {
	case path == "/metrics":
		// What teamsops --count-sql reports: 10 statements, 3
		// transactions and 1 single statement per operation.
		fmt.Fprintf(w, "teamsops_sql_statements_total %d\nteamsops_sql_transactions_total %d\nteamsops_sql_single_statements_total %d\n",
			10*f.n, 3*f.n, f.n)
	case r.Method == http.MethodPost && path == "/beta/chats":
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Location", fmt.Sprintf("/chats('19:c%d@thread.v2')/operations('op%d')", f.n, f.n))
		f.n++
		w.WriteHeader(http.StatusAccepted)
	case strings.HasSuffix(path, "/installedApps"):
		var i int
		fmt.Sscanf(strings.TrimPrefix(path, "/beta/chats/19:c"), "%d", &i)
		_, apps := f.outcome(i)
		fmt.Fprintf(w, `{"value":[%s]}`, strings.TrimSuffix(strings.Repeat(`{"id":"x"},`, apps), ","))
	default:
		var i int
		fmt.Sscanf(path[strings.LastIndex(path, "('op")+4:], "%d", &i)
		f.polls[path]++
		if f.flaky && f.polls[path] == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		status, _ := f.outcome(i)
		if f.polls[path] < 3 {
			status = "inProgress"
		}
		fmt.Fprintf(w, `{"status":%q,"targetResourceId":"19:c%d@thread.v2"}`, status, i)
	}
}

// TestOperations runs the operations scenario against fakeGraph: every
// accepted operation is swept to its end, and an operation that failed,
// an app installed twice or never, and a failed poll are errors.
func TestOperations(t *testing.T) {
	me, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		outcome func(i int) (string, int)
		flaky   bool
		errors  func(accepted int) int
	}{
		{"all once", func(int) (string, int) { return "succeeded", 1 }, false, func(int) int { return 0 }},
		{"failed and twice", func(i int) (string, int) {
			switch i {
			case 0:
				return "failed", 0
			case 1:
				return "succeeded", 2
			case 2:
				return "succeeded", 0
			}
			return "succeeded", 1
		}, false, func(int) int { return 3 }},
		{"flaky polls", func(int) (string, int) { return "succeeded", 1 }, true, func(n int) int { return n }},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := &fakeGraph{polls: map[string]int{}, outcome: c.outcome, flaky: c.flaky}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")
			b := &bench{cfg: &config{opsClients: 3, opsDuration: 20 * time.Millisecond, poll: time.Millisecond, countSQL: true}, out: io.Discard}
			d := &deployment{procs: []*process{{cmd: &exec.Cmd{Process: me}, addr: addr}}, token: "tok"}
			row, err := b.operations(context.Background(), "fake", d, 0)
			if err != nil {
				t.Fatal(err)
			}
			if row.Requests < 3 || row.OpsPerSec <= 0 || row.Scenario != scenarioOpsClosed || row.Conns != 3 {
				t.Fatalf("row %+v", row)
			}
			for path, n := range fake.polls {
				if want := 3; n != want {
					t.Errorf("%s polled %d times, want %d", path, n, want)
				}
			}
			if len(fake.polls) != fake.n || fake.n != row.Requests {
				t.Errorf("%d accepted, %d counted, %d swept", fake.n, row.Requests, len(fake.polls))
			}
			if row.StatementsPerOp != 10 || row.TransactionsPerOp != 3 || row.SinglePerOp != 1 || row.PollsPerOp != 3 {
				t.Errorf("per operation: %v statements, %v transactions, %v single, %v polls; want 10, 3, 1, 3",
					row.StatementsPerOp, row.TransactionsPerOp, row.SinglePerOp, row.PollsPerOp)
			}
			if want := c.errors(fake.n); row.Errors != want || (want > 0) != (row.FirstError != "") {
				t.Errorf("%d errors (first %q), want %d", row.Errors, row.FirstError, want)
			}
		})
	}
}
