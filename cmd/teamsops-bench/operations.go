package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// Scenario names of the operations rows.
const (
	scenarioOpsClosed = "ops"      // clients POST back to back
	scenarioOpsOpen   = "ops-open" // POSTs at a constant rate
)

// sweepTimeout bounds how long the harness waits for accepted operations
// to end.
const sweepTimeout = 5 * time.Minute

// opsScenarios runs operations end to end closed loop, then open loop at
// --ops-rate (default half the closed loop's end-to-end rate).
func (b *bench) opsScenarios(ctx context.Context, target string, d *deployment) error {
	row, err := b.operations(ctx, target, d, 0)
	if err != nil {
		return err
	}
	b.add(row)
	rate := b.cfg.opsRate
	if rate == 0 {
		rate = row.OpsPerSec / 2
	}
	if rate <= 0 {
		b.skip(target + ": ops open loop skipped: no operation ended")
		return nil
	}
	row, err = b.operations(ctx, target, d, rate)
	if err != nil {
		return err
	}
	b.add(row)
	return nil
}

// chatBody is "Create chat" with an app, as Graph's page shows it: a group
// chat of the demo's Adele and Alex, the demo Teams app installed.
func chatBody() []byte {
	member := func(id string) map[string]any {
		return map[string]any{
			"@odata.type":     "#microsoft.graph.aadUserConversationMember",
			"roles":           []string{"owner"},
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + id + "')",
		}
	}
	body, _ := json.Marshal(map[string]any{
		"chatType":      "group",
		"topic":         "teamsops-bench",
		"members":       []any{member(demo.UserAdele), member(demo.UserAlex)},
		"installedApps": []any{map[string]string{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/" + demo.TeamsAppID}},
	})
	return body
}

// acceptedOp is an operation a 202 accepted.
type acceptedOp struct {
	location string // the Location header: /chats('…')/operations('…')
	proc     int    // the replica that accepted it
}

// operations starts operations with POST /chats from cfg.opsClients
// clients spread over d's processes — back to back (rate 0) or at rate
// per second in all — for cfg.opsDuration, then waits until every
// accepted operation is terminal and checks that each succeeded and
// installed its app exactly once.
//
// The accept rate and latency come from the POSTs. End to end, ops/s is
// the accepted operations over the time from the first POST to the moment
// the sweep saw the last of them terminal: nothing polls while operations
// are being started, so polling does not slow the engine down; then the
// sweep asks for each operation in the order they were accepted, waiting
// cfg.poll before asking again for one not yet terminal. The end it sees is
// at most one round trip and one poll interval after the true end.
func (b *bench) operations(ctx context.Context, target string, d *deployment, rate float64) (Row, error) {
	scenario, clients := scenarioOpsClosed, b.cfg.opsClients
	if rate > 0 {
		scenario = scenarioOpsOpen
	}
	b.progress("%s: %s, %d clients%s", target, scenario, clients, rateNote(rate))
	rs := sampleRSS(d.procs)
	cpu := cpuOf(d.procs)
	var sql0, sql1 sqlCounts
	counted := false
	if b.cfg.countSQL {
		sql0, counted = sqlCountsOf(d.procs)
	}
	began := time.Now()
	all, accepted := b.startOperations(ctx, d, rate)
	row := newRow(target, scenario, clients, rate, all)
	var failures tally
	var polls atomic.Int64
	ended, results, err := b.sweep(ctx, d, accepted, &failures, &polls)
	if counted {
		sql1, counted = sqlCountsOf(d.procs)
	}
	row.RSSMB = megabytes(rs.stop())
	if err != nil {
		return row, fmt.Errorf("%w%s", err, d.describe())
	}
	if failures.n > 0 {
		b.rowError(&row, failures.first)
		row.Errors += failures.n - 1
		row.FailedRequestIDs = appendIDs(row.FailedRequestIDs, failures.ids...)
		b.progress("%s: %d polls failed; the first: %s%s", target, failures.n, failures.first, d.describe())
	}
	row.CPUUS = perUnit(cpuOf(d.procs)-cpu, len(accepted))
	if n := float64(len(accepted)); counted && n > 0 {
		row.StatementsPerOp = (sql1.statements - sql0.statements) / n
		row.TransactionsPerOp = (sql1.transactions - sql0.transactions) / n
		row.SinglePerOp = (sql1.single - sql0.single) / n
		row.PollsPerOp = float64(polls.Load()) / n
	}
	if len(accepted) > 0 {
		row.OpsPerSec = float64(len(accepted)) / ended.Sub(began).Seconds()
	}
	b.verifyEffects(ctx, d, results, &row)
	return row, alive(d.procs)
}

// startOperations POSTs chats from cfg.opsClients clients spread over d's
// processes for cfg.opsDuration, back to back (rate 0) or at rate per
// second in all, and returns the accepts' sample and the operations they
// accepted, in the order they were accepted.
func (b *bench) startOperations(ctx context.Context, d *deployment, rate float64) (sample, []acceptedOp) {
	clients, body := b.cfg.opsClients, chatBody()
	var mu sync.Mutex
	var accepted []acceptedOp
	var all sample
	var wg sync.WaitGroup
	for i, p := range d.procs {
		share := clients / len(d.procs)
		if i < clients%len(d.procs) {
			share++
		}
		if share == 0 {
			continue
		}
		l := load{addr: p.addr, req: newRequest(http.MethodPost, p.addr, "/beta/chats", d.token, body), duration: b.cfg.opsDuration}
		l.check = func(r reply) string {
			loc := r.header.Get("Location")
			if r.status != http.StatusAccepted || loc == "" {
				return fmt.Sprintf("Location %q, %v", loc, r)
			}
			mu.Lock()
			accepted = append(accepted, acceptedOp{location: loc, proc: i})
			mu.Unlock()
			return ""
		}
		wg.Go(func() {
			var s sample
			if rate > 0 {
				s = openLoop(ctx, l, rate*float64(share)/float64(clients), share)
			} else {
				s = closedLoop(ctx, l, share)
			}
			mu.Lock()
			all.merge(s)
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, accepted
}

// opState is the part of an operation the harness reads.
type opState struct {
	Status           string `json:"status"`
	TargetResourceID string `json:"targetResourceId"`
}

// tally counts failures from several goroutines and keeps the first, and
// the request-ids of the first few answers that failed.
type tally struct {
	mu    sync.Mutex
	n     int
	first string
	ids   []string
}

// add counts a failure; id is the failed answer's request-id, "" when
// there was no answer.
func (t *tally) add(why, id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n == 0 {
		t.first = why
	}
	t.n++
	t.ids = appendIDs(t.ids, id)
}

// sweep asks for every operation until it is terminal, with one client
// per --ops-clients, each taking every n-th operation in accept order. It
// returns when the last was seen terminal, and each one's final state. A
// poll that fails is counted in failures and tried again on a new
// connection; only pollTries failures in a row end the sweep.
func (b *bench) sweep(ctx context.Context, d *deployment, ops []acceptedOp, failures *tally, polls *atomic.Int64) (time.Time, []opState, error) {
	states := make([]opState, len(ops))
	n := max(1, min(b.cfg.opsClients, len(ops)))
	ends := make([]time.Time, n)
	errs := make([]error, n)
	deadline := time.Now().Add(sweepTimeout)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			conns := make([]*conn, len(d.procs))
			for i, p := range d.procs {
				conns[i] = &conn{addr: p.addr}
				defer conns[i].close()
			}
			for i := w; i < len(ops); i += n {
				st, err := b.awaitTerminal(ctx, conns[ops[i].proc], d.token, ops[i].location, deadline, failures, polls)
				if err != nil {
					errs[w] = err
					return
				}
				states[i], ends[w] = st, time.Now()
			}
		})
	}
	wg.Wait()
	var last time.Time
	for w := range n {
		if errs[w] != nil {
			return last, nil, errs[w]
		}
		if ends[w].After(last) {
			last = ends[w]
		}
	}
	return last, states, nil
}

// pollTries is how many polls of one operation may fail in a row before
// the sweep gives up.
const pollTries = 3

// awaitTerminal GETs one operation until it has succeeded or failed.
func (b *bench) awaitTerminal(ctx context.Context, c *conn, token, location string, deadline time.Time, failures *tally, polls *atomic.Int64) (opState, error) {
	req := newRequest(http.MethodGet, c.addr, "/beta"+location, token, nil)
	failed := 0
	for {
		var st opState
		why, id := "", ""
		r, err := c.do(req)
		polls.Add(1)
		switch {
		case err != nil:
			why = err.Error()
		case r.status != http.StatusOK:
			why, id = r.String(), r.header.Get("request-id")
		default:
			if err := json.Unmarshal(r.body, &st); err != nil {
				why = err.Error()
			}
		}
		if why != "" {
			why = "GET " + location + ": " + why
			failures.add(why, id)
			c.close()
			if failed++; failed == pollTries {
				return opState{}, errors.New(why)
			}
			continue
		}
		failed = 0
		if st.Status == "succeeded" || st.Status == "failed" {
			return st, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return opState{}, fmt.Errorf("%s still %s after %v", location, st.Status, sweepTimeout)
		}
		time.Sleep(b.cfg.poll)
	}
}

// verifyEffects counts into row.Errors every operation that did not
// succeed and every chat whose app is not installed exactly once: the
// engine must apply each effect once, however busy. Not timed.
func (b *bench) verifyEffects(ctx context.Context, d *deployment, states []opState, row *Row) {
	c := &conn{addr: d.procs[0].addr}
	defer c.close()
	for _, st := range states {
		if ctx.Err() != nil {
			return
		}
		if st.Status != "succeeded" {
			b.rowError(row, "an operation ended "+st.Status)
			continue
		}
		r, err := c.do(newRequest(http.MethodGet, c.addr, "/beta/chats/"+st.TargetResourceID+"/installedApps", d.token, nil))
		if err != nil {
			b.rowError(row, "installedApps: "+err.Error())
			continue
		}
		var apps struct {
			Value []json.RawMessage `json:"value"`
		}
		if r.status != http.StatusOK || json.Unmarshal(r.body, &apps) != nil || len(apps.Value) != 1 {
			b.rowError(row, fmt.Sprintf("chat %s: installedApps answered %v", st.TargetResourceID, r))
		}
	}
}

func (b *bench) rowError(row *Row, why string) {
	row.Errors++
	if row.FirstError == "" {
		row.FirstError = why
	}
}
