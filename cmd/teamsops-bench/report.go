package main

import (
	"os"
	"runtime"
	"strings"
	"time"
)

// Row is one measured scenario on one target.
type Row struct {
	Target   string `json:"target"`   // bare, sqlite, postgres, postgres×3
	Scenario string `json:"scenario"` // get, open, list, ops, ops-open, scale-…
	Conns    int    `json:"conns"`    // connections (closed loop: each busy all the time)
	// Rate is the open loop's arrival rate, requests per second.
	Rate     float64 `json:"rate,omitempty"`
	Requests int     `json:"requests"`
	// RPS is requests per second over the measured window; for ops, 202s.
	RPS   float64 `json:"rps"`
	P50MS float64 `json:"p50_ms"`
	P99MS float64 `json:"p99_ms"`
	// Errors counts failed requests and wrong answers; for ops also
	// operations that did not succeed and effects not applied once.
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// FailedRequestIDs are the request-ids of the first answers that
	// failed, which the server's log names them by.
	FailedRequestIDs []string `json:"failed_request_ids,omitempty"`
	// Late counts open-loop requests sent more than a millisecond late;
	// Dropped those never sent, the schedule being too far behind.
	Late    int `json:"late,omitempty"`
	Dropped int `json:"dropped,omitempty"`
	Dials   int `json:"dials"`
	// VsBare is RPS over the bare server's closed-loop GET at the same
	// connection count; VsDemo is a scale row's RPS over the same request
	// on the demo database.
	VsBare float64 `json:"vs_bare,omitempty"`
	VsDemo float64 `json:"vs_demo,omitempty"`
	// VsUntraced is a traced row's RPS (traces-on, traces-1in10), and
	// CPUVsUntraced its CPU per request, over the traces-off row's of the
	// same target and connection count.
	VsUntraced    float64 `json:"vs_untraced,omitempty"`
	CPUVsUntraced float64 `json:"cpu_vs_untraced,omitempty"`
	// OpsPerSec is operations from the first POST until the last one was
	// seen terminal.
	OpsPerSec float64 `json:"ops_per_sec,omitempty"`
	// CPUUS is the CPU time the target's processes used per request sent
	// (for ops, per operation accepted, its execution included), in
	// microseconds: less swayed than RPS by other work on the machine.
	CPUUS float64 `json:"cpu_us_per_request"`
	// StatementsPerOp and TransactionsPerOp are what teamsops sent its
	// database per operation accepted (ops rows, --count-sql): statements
	// but BEGIN, COMMIT and ROLLBACK; transactions begun plus statements
	// run outside one. SinglePerOp is how many of the statements ran
	// outside a transaction, and PollsPerOp how many GETs the sweep sent,
	// each of which reads the operation (from memory when it has ended,
	// on SQLite) — the same window counts them.
	StatementsPerOp   float64 `json:"statements_per_op,omitempty"`
	TransactionsPerOp float64 `json:"transactions_per_op,omitempty"`
	SinglePerOp       float64 `json:"single_statements_per_op,omitempty"`
	PollsPerOp        float64 `json:"polls_per_op,omitempty"`
	// ClientCPUUS is the same for the harness itself, the client.
	ClientCPUUS float64 `json:"client_cpu_us_per_request"`
	// RSSMB is the most memory one process of the target had meanwhile.
	RSSMB float64 `json:"rss_mb"`
	// Waiters scenario: the most requests held at once, and the memory
	// they took, per request held, in kilobytes.
	HeldPeak    int     `json:"held_peak,omitempty"`
	KBPerWaiter float64 `json:"kb_per_waiter,omitempty"`
}

// Footprint is a target's start-up time and memory.
type Footprint struct {
	Target string `json:"target"`
	// ReadyFirstMS: exec to /readyz 200 on a new database, demo loaded.
	ReadyFirstMS float64 `json:"ready_first_ms"`
	// ReadyMS and ReadyDemoMS: the same on the existing database (median
	// of three starts), without and with --demo.
	ReadyMS     float64 `json:"ready_ms,omitempty"`
	ReadyDemoMS float64 `json:"ready_demo_ms,omitempty"`
	// ReadyScaleMS: the same on the scale scenario's store, with --demo.
	ReadyScaleMS float64 `json:"ready_scale_ms,omitempty"`
	IdleRSSMB    float64 `json:"idle_rss_mb"`
	LoadRSSMB    float64 `json:"load_rss_mb"` // the most under the GET load
}

// Report is everything one run measured.
type Report struct {
	Started   time.Time `json:"started"`
	Seconds   float64   `json:"seconds"`
	GoVersion string    `json:"go_version"`
	OS        string    `json:"os"`
	CPUs      int       `json:"cpus"`
	Smoke     bool      `json:"smoke"`
	// LoadAvg is the machine's load average (1, 5, 15 minutes) at the
	// start and the end: other work on the machine skews every figure.
	LoadAvg    [2]string   `json:"load_avg"`
	Rows       []Row       `json:"rows"`
	Footprints []Footprint `json:"footprints"`
	Soaks      []SoakRun   `json:"soaks,omitempty"`
	Skipped    []string    `json:"skipped,omitempty"`
}

// newRow summarises a sample.
func newRow(target, scenario string, conns int, rate float64, s sample) Row {
	return Row{
		Target: target, Scenario: scenario, Conns: conns, Rate: rate,
		Requests: s.requests(), RPS: s.perSecond(),
		P50MS: millis(percentile(s.latencies, 0.50)), P99MS: millis(percentile(s.latencies, 0.99)),
		Errors: s.errors, FirstError: s.firstErr, FailedRequestIDs: s.failedIDs, Late: s.late, Dropped: s.dropped, Dials: s.dials,
	}
}

func (b *bench) report(started time.Time) Report {
	rows := fillRatios(b.rows)
	return Report{
		LoadAvg: [2]string{b.loadAvg, loadAvg()},
		Started: started.UTC(), Seconds: time.Since(started).Seconds(),
		GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, CPUs: runtime.NumCPU(),
		Smoke: b.cfg.smoke, Rows: rows, Footprints: b.footprints, Soaks: b.soaks, Skipped: b.skipped,
	}
}

// loadAvg returns the machine's load averages, or "" where /proc does not
// say.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// fillRatios sets VsBare on closed-loop GET rows (against the bare
// server's GET at the same connection count) and list rows (against its
// GET at the list's), VsDemo on scale rows (against the same scenario on
// the demo database of the same target), and VsUntraced on traced rows
// (against traces-off at the same count).
func fillRatios(rows []Row) []Row {
	out := make([]Row, len(rows))
	row := func(target, scenario string, conns int) Row {
		for _, r := range rows {
			if r.Target == target && r.Scenario == scenario && r.Conns == conns {
				return r
			}
		}
		return Row{}
	}
	find := func(target, scenario string, conns int) float64 { return row(target, scenario, conns).RPS }
	for i, r := range rows {
		if r.Target != targetBare && (r.Scenario == scenarioGet || strings.HasPrefix(r.Scenario, scenarioList)) {
			if bare := find(targetBare, scenarioGet, r.Conns); bare > 0 {
				r.VsBare = r.RPS / bare
			}
		}
		if demoScenario, ok := strings.CutPrefix(r.Scenario, "scale-"); ok {
			if strings.HasPrefix(demoScenario, scenarioList) {
				demoScenario = scenarioList
			}
			if demo := find(r.Target, demoScenario, r.Conns); demo > 0 {
				r.VsDemo = r.RPS / demo
			}
		}
		traced := r.Scenario == scenarioTracesOn || r.Scenario == scenarioTracesTenth
		if off := row(r.Target, scenarioTracesOff, r.Conns); traced && off.RPS > 0 {
			r.VsUntraced = r.RPS / off.RPS
			if off.CPUUS > 0 {
				r.CPUVsUntraced = r.CPUUS / off.CPUUS
			}
		}
		out[i] = r
	}
	return out
}

// failedRows counts rows with errors.
func (r Report) failedRows() int {
	n := 0
	for _, row := range r.Rows {
		if row.Errors > 0 {
			n++
		}
	}
	for _, s := range r.Soaks {
		if s.Errors > 0 {
			n++
		}
	}
	return n
}
