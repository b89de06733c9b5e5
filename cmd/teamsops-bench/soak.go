package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// idleRSSGoal is the resident memory under which a server that had been
// loaded counts as idle again (issue 24's goal).
const idleRSSGoal = 60 << 20

// SoakRun is one soak: minutes of mixed load on one server, and the time
// it takes to give its memory back afterwards.
type SoakRun struct {
	Target string `json:"target"`
	// MemoryLimit is the server's --memory-limit: "auto" (its default) or
	// "off".
	MemoryLimit string  `json:"memory_limit"`
	Seconds     float64 `json:"seconds"` // the load's length
	// GetRPS is the seed's GET from --soak-conns connections; OpsPerSec
	// operations started back to back from --ops-clients clients, from the
	// first POST until the last was seen terminal; NotesPerSec change
	// notifications the receiver was sent over the load's length.
	GetRPS      float64 `json:"get_rps"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	Operations  int     `json:"operations"`
	NotesPerSec float64 `json:"notifications_per_sec"`
	// VsUnlimited is this run's GET and operation throughput over the run
	// without a limit (--compare-unlimited).
	VsUnlimitedGet float64 `json:"vs_unlimited_get,omitempty"`
	VsUnlimitedOps float64 `json:"vs_unlimited_ops,omitempty"`
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	PeakHeapMB     float64 `json:"peak_heap_mb"` // Go heap in use
	// Goroutines and OpenFiles are each [first, most, last] sampled under
	// load: flat when first and last are alike.
	Goroutines [3]int `json:"goroutines"`
	OpenFiles  [3]int `json:"open_files"`
	// DBMB is the database's size when the load ended, and DBBytesPerOp
	// its growth during the load per operation accepted.
	DBMB         float64 `json:"db_mb"`
	DBBytesPerOp float64 `json:"db_bytes_per_op"`
	// GCs is how many garbage collections ran during the load.
	GCs int `json:"gcs"`
	// IdleSeconds is the time from the last request until RSS fell under
	// 60 MB, -1 when it did not within --soak-idle; IdleRSSMB the RSS
	// at the end of --soak-idle.
	IdleSeconds float64 `json:"idle_seconds"`
	IdleRSSMB   float64 `json:"idle_rss_mb"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"first_error,omitempty"`
	// FailedRequestIDs are the request-ids of the first answers that
	// failed, which the server's log names them by.
	FailedRequestIDs []string     `json:"failed_request_ids,omitempty"`
	Samples          []soakSample `json:"samples"`
}

// soakScenario runs the soak on a new database of the back end with the
// server's default memory limit and, with --compare-unlimited, again on
// another with --memory-limit off, one after the other.
func (b *bench) soakScenario(ctx context.Context, backend string) error {
	limits := []string{"auto"}
	if b.cfg.soakCompare {
		limits = append(limits, "off")
	}
	var runs []*SoakRun
	for _, limit := range limits {
		run, err := b.soak(ctx, backend, limit)
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	if len(runs) == 2 && runs[1].GetRPS > 0 && runs[1].OpsPerSec > 0 {
		runs[0].VsUnlimitedGet = runs[0].GetRPS / runs[1].GetRPS
		runs[0].VsUnlimitedOps = runs[0].OpsPerSec / runs[1].OpsPerSec
	}
	for _, r := range runs {
		b.soaks = append(b.soaks, *r)
	}
	return nil
}

// soak is one run: a server on a new database, a change-notification
// receiver subscribed to every chat operation, then the seed's GET and
// operations end to end at once for --soak-duration, sampled every
// --soak-every; then no load, sampled for --soak-idle, noting when RSS
// first was under 60 MB.
func (b *bench) soak(ctx context.Context, backend, limit string) (*SoakRun, error) {
	name := backend
	if limit != "auto" {
		name += ", no limit"
	}
	db, drop, err := b.newDatabase(ctx, backend, "soak-"+limit)
	if err != nil {
		return nil, err
	}
	defer drop()
	rcv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.close()
	d, err := b.startTeamsopsWith(ctx, name+"-soak", db, 1, "instant", false,
		[]string{"--allow-http-notifications", "--memory-limit", limit})
	if err != nil {
		return nil, err
	}
	defer d.stop()
	p := d.procs[0]
	if err := subscribe(p.addr, d.token, rcv.url); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	time.Sleep(b.settle())
	run := &SoakRun{Target: name, MemoryLimit: limit}
	b.progress("%s: soak, %v of GETs from %d connections, operations from %d clients, notifications to a receiver",
		name, b.cfg.soakDuration, b.cfg.soakConns, b.cfg.opsClients)
	smp := startSampling(ctx, p, db, b.cfg.soakEvery)
	notesBefore := rcv.count()
	began := time.Now()
	get := newRequest(http.MethodGet, p.addr, seedPath, d.token, nil)
	want, err := firstReply(p.addr, get)
	if err != nil {
		smp.stop()
		return nil, err
	}
	var wg sync.WaitGroup
	var gets sample
	wg.Go(func() {
		gets = closedLoop(ctx, load{addr: p.addr, req: get, check: sameAs(want), duration: b.cfg.soakDuration}, b.cfg.soakConns)
	})
	saved := b.cfg.opsDuration
	b.cfg.opsDuration = b.cfg.soakDuration
	posts, accepted := b.startOperations(ctx, d, 0)
	b.cfg.opsDuration = saved
	wg.Wait()
	var failures tally
	var polls atomic.Int64
	ended, _, err := b.sweep(ctx, d, accepted, &failures, &polls)
	loadEnded := time.Now()
	underLoad := smp.mark()
	if err != nil {
		smp.stop()
		return nil, fmt.Errorf("%w%s", err, d.describe())
	}
	run.Seconds = b.cfg.soakDuration.Seconds()
	run.GetRPS, run.Operations = gets.perSecond(), len(accepted)
	if len(accepted) > 0 {
		run.OpsPerSec = float64(len(accepted)) / ended.Sub(began).Seconds()
	}
	run.NotesPerSec = float64(rcv.count()-notesBefore) / loadEnded.Sub(began).Seconds()
	for _, s := range []sample{gets, posts} {
		run.Errors += s.errors
		if run.FirstError == "" {
			run.FirstError = s.firstErr
		}
		run.FailedRequestIDs = appendIDs(run.FailedRequestIDs, s.failedIDs...)
	}
	if failures.n > 0 {
		run.Errors += failures.n
		if run.FirstError == "" {
			run.FirstError = failures.first
		}
		run.FailedRequestIDs = appendIDs(run.FailedRequestIDs, failures.ids...)
	}
	b.progress("%s: load ended: %.0f GET/s, %.0f ops/s end to end, %.0f notifications/s; waiting for idle memory",
		name, run.GetRPS, run.OpsPerSec, run.NotesPerSec)
	run.IdleSeconds = -1
	deadline := loadEnded.Add(b.cfg.soakIdle)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		// Sampled on to the end: RSS may rise again between two of the
		// server's returns of memory.
		if rss := p.rss(); rss > 0 && rss < idleRSSGoal && run.IdleSeconds < 0 {
			run.IdleSeconds = time.Since(loadEnded).Seconds()
		}
		time.Sleep(250 * time.Millisecond)
	}
	run.IdleRSSMB = megabytes(p.rss())
	run.Samples = smp.stop()
	run.summarize(underLoad)
	b.progress("%s: peak RSS %.0f MB, idle under 60 MB after %s, database %.1f MB (%.0f bytes per operation)",
		name, run.PeakRSSMB, idleNote(run.IdleSeconds), run.DBMB, run.DBBytesPerOp)
	return run, alive(d.procs)
}

// summarize fills in the peaks and the trends from the samples, the
// first under of them taken under load.
func (r *SoakRun) summarize(under int) {
	load := r.Samples[:min(under, len(r.Samples))]
	if len(load) == 0 {
		return
	}
	first, last := load[0], load[len(load)-1]
	r.Goroutines = [3]int{first.Goroutines, 0, last.Goroutines}
	r.OpenFiles = [3]int{first.OpenFiles, 0, last.OpenFiles}
	for _, s := range r.Samples {
		r.PeakRSSMB, r.PeakHeapMB = max(r.PeakRSSMB, s.RSSMB), max(r.PeakHeapMB, s.HeapMB)
	}
	for _, s := range load {
		r.Goroutines[1], r.OpenFiles[1] = max(r.Goroutines[1], s.Goroutines), max(r.OpenFiles[1], s.OpenFiles)
	}
	r.DBMB, r.GCs = last.DBMB, last.GCs-first.GCs
	if r.Operations > 0 {
		r.DBBytesPerOp = (last.DBMB - first.DBMB) * (1 << 20) / float64(r.Operations)
	}
}

func idleNote(s float64) string {
	if s < 0 {
		return "never (within --soak-idle)"
	}
	return fmt.Sprintf("%.0f s", s)
}

// subscribe subscribes the demo's console app to every chat operation's
// changes, delivered to url.
func subscribe(addr, token, url string) error {
	body, _ := json.Marshal(map[string]any{
		"changeType": "created,updated", "notificationUrl": url, "resource": "/chats/getAllOperations",
		"expirationDateTime": time.Now().Add(55 * time.Minute).UTC().Format(time.RFC3339), "clientState": "soak"})
	c := &conn{addr: addr}
	defer c.close()
	r, err := c.do(newRequest(http.MethodPost, addr, "/v1.0/subscriptions", token, body))
	if err != nil {
		return fmt.Errorf("POST /subscriptions: %w", err)
	}
	if r.status != http.StatusCreated {
		return fmt.Errorf("POST /subscriptions: %v", r)
	}
	return nil
}
