package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// holdFor is the Prefer: wait of the waiters scenario: far longer than
// the realistic profile takes to create a chat, so that a request is
// released by its operation's change, not by the wait's end.
const holdFor = 60

// waitersScenario holds cfg.waiters GETs at once with "Prefer: wait" and
// measures how long after its operation's change each is released, and
// the memory a held request costs. Operations run on the realistic
// profile (a chat with an app takes 2–6 s). On PostgreSQL two replicas
// share the database: operations are started on one and the requests are
// held by the other, so each release crosses replicas (LISTEN/NOTIFY).
//
// A request's release latency is the time it was answered, as the client
// saw it, less the operation's lastActionDateTime in the answer: the time
// of the change that released it, by the server's clock — the same
// machine's. At most postsAtOnce operations are being started at a time,
// as a test suite would start them; the held requests pile up meanwhile.
//
// The memory of a held request is the growth of the Go heap and stacks in
// use (from /metrics, each time right after a garbage collection the
// harness asks for through the server's profiler) from before the first
// request to the moment the most were held, per request held: RSS would
// count the collector's slack, and so would the heap before a collection.
func (b *bench) waitersScenario(ctx context.Context, backend, db string) error {
	n, name := 1, backend
	if backend == backendPostgres {
		n, name = 2, backend+"×2"
	}
	b.progress("%s: waiters, %d requests held at once", name, b.cfg.waiters)
	d, err := b.startTeamsopsOn(ctx, name+"-waiters", db, n, "realistic", true)
	if err != nil {
		return err
	}
	defer d.stop()
	post, hold := d.procs[0], d.procs[n-1]
	time.Sleep(b.settle())
	collect(hold)
	before := scrape(hold.addr)
	watch := watchHeld(hold.addr, hold)
	results := make([]waited, b.cfg.waiters)
	posting := make(chan struct{}, postsAtOnce)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = waitOne(post.addr, hold.addr, d.token, posting) })
	}
	wg.Wait()
	peak := watch.stop()
	row := Row{Target: name, Scenario: scenarioWaiters, Conns: b.cfg.waiters, HeldPeak: peak.held, RSSMB: megabytes(peak.rss)}
	if peak.held > 0 {
		row.KBPerWaiter = (peak.inUse - before.inUse) / 1024 / float64(peak.held)
	}
	var s sample
	for _, r := range results {
		switch {
		case r.err != "":
			s.fail(r.err)
		case r.held:
			s.latencies = append(s.latencies, r.latency)
		}
	}
	row.Requests, row.Errors, row.FirstError = len(s.latencies), s.errors, s.firstErr
	row.P50MS, row.P99MS = millis(percentile(s.latencies, 0.50)), millis(percentile(s.latencies, 0.99))
	b.add(row)
	return alive(d.procs)
}

// waited is what one held request saw.
type waited struct {
	held    bool          // the server held it (Preference-Applied)
	latency time.Duration // from the operation's change to the answer
	err     string
}

// postsAtOnce bounds the operations being started at one time.
const postsAtOnce = 8

// waitOne starts an operation on one server (posting bounds how many do
// at once) and holds a GET of it on the other (or the same).
func waitOne(postAddr, holdAddr, token string, posting chan struct{}) waited {
	c := &conn{addr: postAddr}
	posting <- struct{}{}
	r, err := c.do(newRequest(http.MethodPost, postAddr, "/beta/chats", token, chatBody()))
	<-posting
	c.close()
	if err != nil {
		return waited{err: "POST: " + err.Error()}
	}
	loc := r.header.Get("Location")
	if r.status != http.StatusAccepted || loc == "" {
		return waited{err: "POST: " + r.String()}
	}
	h := &conn{addr: holdAddr}
	defer h.close()
	req := newRequest(http.MethodGet, holdAddr, "/beta"+loc, token, nil)
	req = []byte(strings.Replace(string(req), "\r\n\r\n", "\r\nPrefer: wait="+strconv.Itoa(holdFor)+"\r\n\r\n", 1))
	r, err = h.do(req)
	answered := time.Now()
	if err != nil {
		return waited{err: "held GET: " + err.Error()}
	}
	var op struct {
		Status             string    `json:"status"`
		LastActionDateTime time.Time `json:"lastActionDateTime"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &op) != nil {
		return waited{err: "held GET: " + r.String()}
	}
	if r.header.Get("Preference-Applied") == "" {
		return waited{} // it had ended before the GET came: nothing to wait for
	}
	latency := answered.Sub(op.LastActionDateTime)
	if latency > holdFor*time.Second/2 {
		return waited{held: true, err: "a held request was answered by the end of its wait, not by a change"}
	}
	return waited{held: true, latency: latency}
}

// heldWatch reads a server's /metrics every 50 ms and keeps what it said
// when the most requests were held.
type heldWatch struct {
	stopc    chan struct{}
	finished chan struct{}
	mu       sync.Mutex
	peak     gauges
}

// gauges are what the waiters scenario reads from /metrics, and the RSS.
type gauges struct {
	held  int
	inUse float64 // Go heap and stacks in use, bytes
	rss   int64
}

func watchHeld(addr string, p *process) *heldWatch {
	w := &heldWatch{stopc: make(chan struct{}), finished: make(chan struct{})}
	go func() {
		defer close(w.finished)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if g := scrape(addr); g.held > w.peak.held {
				collect(p)
				g = scrape(addr)
				g.rss = p.rss()
				w.mu.Lock()
				w.peak = g
				w.mu.Unlock()
			}
			select {
			case <-w.stopc:
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *heldWatch) stop() gauges {
	close(w.stopc)
	<-w.finished
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak
}

// scrape reads the held requests and the Go memory in use from the
// server's /metrics.
func scrape(addr string) gauges {
	m, err := scrapeMetrics(addr)
	if err != nil {
		return gauges{}
	}
	return gauges{
		held:  int(m["teamsops_held_requests"]),
		inUse: m["go_memstats_heap_inuse_bytes"] + m["go_memstats_stack_inuse_bytes"],
	}
}

// sqlCounts are the totals of teamsops' --count-sql counters.
type sqlCounts struct{ statements, transactions, single float64 }

// sqlCountsOf adds up the --count-sql counters of procs; false when a
// process does not report them.
func sqlCountsOf(procs []*process) (sqlCounts, bool) {
	var sum sqlCounts
	for _, p := range procs {
		m, err := scrapeMetrics(p.addr)
		if err != nil {
			return sum, false
		}
		for name, total := range map[string]*float64{
			"teamsops_sql_statements_total":        &sum.statements,
			"teamsops_sql_transactions_total":      &sum.transactions,
			"teamsops_sql_single_statements_total": &sum.single,
		} {
			v, ok := m[name]
			if !ok {
				return sum, false
			}
			*total += v
		}
	}
	return sum, true
}

// collect asks p's Go runtime to collect its garbage: the profiler's heap
// profile does when asked with gc=1.
func collect(p *process) {
	if p.pprof == "" {
		return
	}
	c := &conn{addr: p.pprof}
	defer c.close()
	c.do(newRequest(http.MethodGet, p.pprof, "/debug/pprof/heap?gc=1", "", nil))
}
