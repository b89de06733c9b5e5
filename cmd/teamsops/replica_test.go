package main

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/processtest"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/postgres"
)

// TestReplicas runs three "teamsops serve" processes on one new PostgreSQL
// database, started at once (so they migrate, load the demo tenant and
// create the signing key together), starts 300 operations across them,
// SIGKILLs River's leader halfway, and checks that every operation ends,
// that every effect is applied once and no operation ends twice, that a
// survivor becomes River's leader (and so runs its maintenance), and that
// all replicas answer the same JSON for each operation.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three replicas for about a minute")
	}
	db := testdb.PostgresDSN(t)
	bin := processtest.Build(t)
	addrs := []string{freeAddr(t), freeAddr(t), freeAddr(t)}
	replicas, token := launchReplicas(t, bin, db, addrs)

	const n, failOf = 300, 10
	locations := make([]string, n)
	createChats(t, replicas, token, 0, n/2, failOf, locations)
	// Kill River's leader, which runs the maintenance (the rescuer of jobs
	// a dead replica held) for all of them.
	store := testdb.Open(t, db)
	k, leader := leaderOf(t, store, replicas)
	killed, alive := replicas[k], slices.Delete(slices.Clone(replicas), k, k+1)
	waitLog(t, killed, attemptLine) // it is working operations
	running := inProgress(t, alive[0], token, locations[:n/2])
	killed.cmd.Process.Signal(syscall.SIGKILL)
	killed.cmd.Wait()
	t.Logf("replica %d, River's leader, SIGKILLed with %d of %d operations in progress", k, running, n/2)
	createChats(t, alive, token, n/2, n, failOf, locations)

	succeeded, failed := waitTerminal(t, alive[0], token, locations, 3*time.Minute)
	t.Logf("%d operations succeeded, %d failed", succeeded, failed)
	if failed < n/failOf {
		t.Errorf("%d operations failed, want at least the %d asked to", failed, n/failOf)
	}
	checkEffects(t, alive[1], token, locations)
	checkEndedOnce(t, replicas, locations)
	next, nextLeader := leaderOf(t, store, alive) // fails unless a survivor leads
	t.Logf("River's leader was %s, is now %s (a survivor, %s)", leader, nextLeader, alive[next].base)

	// The killed replica comes back on the same database; then all three
	// must answer byte for byte the same.
	replicas[k] = start(t, bin, db, addrs[k], "--profile", "fast", "--public-url", replicasURL)
	for _, loc := range locations {
		var first []byte
		for i, p := range replicas {
			status, _, body, err := fetch(http.MethodGet, p.base+"/beta"+loc, token, nil)
			if err != nil || status != http.StatusOK {
				t.Fatalf("GET %s on replica %d: %d %v", loc, i, status, err)
			}
			if i == 0 {
				first = body
			} else if !bytes.Equal(body, first) {
				t.Errorf("replica %d answers %s\nwith %s\nreplica 0 with %s", i, loc, body, first)
			}
		}
	}
}

// leaderOf waits up to 30s for one of replicas to be River's leader, and
// returns its index and River client id.
func leaderOf(t *testing.T, store teamsops.Store, replicas []*process) (int, string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var id string
		err := store.(*postgres.Store).Pool().QueryRow(t.Context(), "SELECT leader_id FROM river_leader").Scan(&id)
		if err != nil {
			continue // no leader yet, or its lease expired
		}
		for i, p := range replicas {
			if strings.Contains(p.log.String(), "river_client_id="+id) {
				return i, id
			}
		}
	}
	t.Fatal("none of the replicas became River's leader")
	return 0, ""
}

// inProgress counts the operations that are in progress now.
func inProgress(t *testing.T, p *process, token string, locations []string) int {
	t.Helper()
	n := 0
	for _, loc := range locations {
		if operation(t, p, token, loc)["status"] == "inProgress" {
			n++
		}
	}
	return n
}

// Lines of the engine's log (see engine/worker.go).
var (
	attemptLine = regexp.MustCompile(`msg="operation attempt started" operation_id=(\S+)`)
	endedLine   = regexp.MustCompile(`msg="operation (?:succeeded|failed)" operation_id=(\S+)`)
)

// waitLog waits up to 10s for p to log a line that matches re.
func waitLog(t *testing.T, p *process, re *regexp.Regexp) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !re.MatchString(p.log.String()); {
		if time.Now().After(deadline) {
			t.Fatalf("%s logged no %s:\n%s", p.base, re, p.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkEndedOnce reads the replicas' logs: the transaction that ends an
// operation (its effect, its status, its job) committed at most once for
// each, whichever replica ran it.
func checkEndedOnce(t *testing.T, replicas []*process, locations []string) {
	t.Helper()
	ended := map[string]int{}
	for i, p := range replicas {
		lines := endedLine.FindAllStringSubmatch(p.log.String(), -1)
		t.Logf("replica %d started %d attempts and ended %d operations", i,
			len(attemptLine.FindAllString(p.log.String(), -1)), len(lines))
		for _, m := range lines {
			ended[m[1]]++
		}
	}
	for _, loc := range locations {
		_, id, _ := strings.Cut(loc, "/operations('")
		id = strings.TrimSuffix(id, "')")
		if ended[id] > 1 {
			t.Errorf("operation %s ended %d times", id, ended[id])
		}
	}
}
