package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A run that sees a failed answer keeps the server's log beside its
// --json file and prints the log's lines that name the answer's
// request-id, which the failure also names.
func TestFailedRequestsKeepTheLog(t *testing.T) {
	dir := t.TempDir()
	log, err := os.Create(filepath.Join(dir, "01-sqlite.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := fmt.Sprintf("id-%d", n.Add(1))
		w.Header().Set("request-id", id)
		if id == "id-3" {
			fmt.Fprintf(log, "level=ERROR msg=\"request failed\" request_id=%s err=\"database is locked\"\n", id)
			w.WriteHeader(http.StatusInternalServerError)
		}
		fmt.Fprint(w, "{}")
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ok := sameAs(reply{status: http.StatusOK, body: []byte("{}")})
	l := load{addr: addr, req: newRequest(http.MethodGet, addr, "/beta/x", "", nil), duration: time.Hour,
		check: func(r reply) string {
			if n.Load() >= 5 {
				cancel() // five requests, the third failed
			}
			return ok(r)
		}}
	s := closedLoop(ctx, l, 1)
	if s.errors != 1 || len(s.failedIDs) != 1 || s.failedIDs[0] != "id-3" {
		t.Fatalf("%d errors, request-ids %v; want 1, [id-3]", s.errors, s.failedIDs)
	}
	if !strings.Contains(s.firstErr, "status 500, request-id id-3") {
		t.Errorf("the first error does not name its request-id: %s", s.firstErr)
	}

	out := t.TempDir()
	var stderr bytes.Buffer
	b := &bench{cfg: &config{jsonPath: filepath.Join(out, "soak.json")}, dir: dir, out: &stderr}
	rep := Report{Rows: []Row{newRow("sqlite", "get", 1, 0, s)}}
	if !rep.failed(nil) {
		t.Fatal("a report with an error does not count as failed")
	}
	b.reportFailures(rep)
	kept, err := os.ReadFile(filepath.Join(out, "soak-logs", "01-sqlite.log"))
	if err != nil || !bytes.Contains(kept, []byte("request_id=id-3")) {
		t.Fatalf("log not kept beside the JSON: %v %q", err, kept)
	}
	for _, want := range []string{"logs are kept in " + filepath.Join(out, "soak-logs"),
		`01-sqlite.log: level=ERROR msg="request failed" request_id=id-3 err="database is locked"`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("no %q in\n%s", want, stderr.String())
		}
	}
}

// Without --json the logs go to a new directory of their own, and a
// request-id the logs do not name is said to be missing.
func TestKeepLogsWithoutJSON(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if err := os.WriteFile(filepath.Join(dir, "02-postgres.log"), []byte("started\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	b := &bench{cfg: &config{}, dir: dir, out: &stderr}
	b.reportFailures(Report{Soaks: []SoakRun{{Errors: 1, FailedRequestIDs: []string{"id-9"}}}})
	_, rest, ok := strings.Cut(stderr.String(), "logs are kept in ")
	if !ok {
		t.Fatalf("no kept directory said in\n%s", stderr.String())
	}
	keptDir, _, _ := strings.Cut(rest, "\n")
	if filepath.Dir(keptDir) != tmp || !strings.HasPrefix(filepath.Base(keptDir), "teamsops-bench-logs-") {
		t.Errorf("logs kept in %s", keptDir)
	}
	if _, err := os.Stat(filepath.Join(keptDir, "02-postgres.log")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(stderr.String(), "request-id id-9: not in the logs") {
		t.Errorf("a missing request-id not said in\n%s", stderr.String())
	}
}
