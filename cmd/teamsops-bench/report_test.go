package main

import (
	"strings"
	"testing"
	"time"
)

func TestFillRatios(t *testing.T) {
	rows := fillRatios([]Row{
		{Target: "bare", Scenario: "get", Conns: 4, RPS: 40_000},
		{Target: "bare", Scenario: "get", Conns: 32, RPS: 30_000},
		{Target: "bare", Scenario: "open", Conns: 64, RPS: 15_000},
		{Target: "sqlite", Scenario: "get", Conns: 4, RPS: 10_000},
		{Target: "sqlite", Scenario: "get", Conns: 32, RPS: 3_000},
		{Target: "sqlite", Scenario: "get", Conns: 1, RPS: 2_000}, // no bare row at 1
		{Target: "sqlite", Scenario: "open", Conns: 64, RPS: 5_000},
		{Target: "sqlite", Scenario: "list", Conns: 32, RPS: 1_500},
		{Target: "sqlite", Scenario: "scale-get", Conns: 32, RPS: 2_400},
		{Target: "sqlite", Scenario: "scale-list-big", Conns: 32, RPS: 750},
		{Target: "sqlite", Scenario: "scale-count", Conns: 1, RPS: 10},
		{Target: "postgres", Scenario: "scale-get", Conns: 32, RPS: 1_000}, // no postgres get row
	})
	want := []struct{ bare, demo float64 }{
		{0, 0}, {0, 0}, {0, 0},
		{0.25, 0}, {0.1, 0}, {0, 0}, {0, 0}, {0.05, 0},
		{0, 0.8}, {0, 0.5}, {0, 0},
		{0, 0},
	}
	for i, w := range want {
		if got := rows[i]; !near(got.VsBare, w.bare) || !near(got.VsDemo, w.demo) {
			t.Errorf("%s %s %d: vs bare %v, vs demo %v; want %v, %v", got.Target, got.Scenario, got.Conns, got.VsBare, got.VsDemo, w.bare, w.demo)
		}
	}
}

// TestTracesRatios: each traced row is compared with the untraced one of
// its target and connection count, never another's.
func TestTracesRatios(t *testing.T) {
	rows := fillRatios([]Row{
		{Target: "sqlite", Scenario: scenarioTracesOff, Conns: 4, RPS: 10_000, CPUUS: 50},
		{Target: "sqlite", Scenario: scenarioTracesOn, Conns: 4, RPS: 9_000, CPUUS: 55},
		{Target: "sqlite", Scenario: scenarioTracesTenth, Conns: 4, RPS: 9_800, CPUUS: 51},
		{Target: "sqlite", Scenario: scenarioTracesOn, Conns: 32, RPS: 9_000, CPUUS: 55},  // no untraced row at 32
		{Target: "postgres", Scenario: scenarioTracesOn, Conns: 4, RPS: 5_000, CPUUS: 80}, // nor on postgres
	})
	want := []struct{ rps, cpu float64 }{{0, 0}, {0.9, 1.1}, {0.98, 1.02}, {0, 0}, {0, 0}}
	for i, w := range want {
		if got := rows[i]; !near(got.VsUntraced, w.rps) || !near(got.CPUVsUntraced, w.cpu) {
			t.Errorf("%s %s %d: %v× req/s, %v× CPU; want %v, %v", got.Target, got.Scenario, got.Conns,
				got.VsUntraced, got.CPUVsUntraced, w.rps, w.cpu)
		}
	}
	if out := formatReport(Report{Rows: rows}); !strings.Contains(out, "sqlite traces-on (4 conns): 0.90× the req/s of traces-off, 1.10× its CPU per request") {
		t.Errorf("the report does not say the ratio:\n%s", out)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestNewRow(t *testing.T) {
	s := sample{window: 2 * time.Second, errors: 1, firstErr: "status 500", dials: 3, late: 2, dropped: 5}
	for i := 1; i <= 100; i++ {
		s.latencies = append(s.latencies, time.Duration(101-i)*time.Millisecond)
	}
	r := newRow("sqlite", "open", 3, 50, s)
	if r.Requests != 100 || r.RPS != 50 || r.P50MS != 50 || r.P99MS != 99 || r.Errors != 1 ||
		r.FirstError != "status 500" || r.Dials != 3 || r.Late != 2 || r.Dropped != 5 || r.Rate != 50 {
		t.Errorf("row %+v", r)
	}
}

func TestFormatReport(t *testing.T) {
	rep := Report{
		CPUs: 2, OS: "linux/amd64", GoVersion: "go1.26",
		Rows: []Row{
			{Target: "bare", Scenario: "get", Conns: 32, RPS: 34_012.4, P50MS: 0.812, P99MS: 4.5, CPUUS: 41.4, RSSMB: 17.62},
			{Target: "postgres×3", Scenario: "ops", Conns: 8, RPS: 213, P50MS: 31.04, P99MS: 1234.5, Errors: 2,
				FirstError: "status 503: …", OpsPerSec: 170.4, CPUUS: 5230.2, VsBare: 0, RSSMB: 40,
				StatementsPerOp: 23.44, TransactionsPerOp: 8.06},
			{Target: "sqlite", Scenario: "open", Conns: 64, Rate: 1200, RPS: 1199.6, P50MS: 0.5, P99MS: 3, Late: 7, Dropped: 3, VsBare: 0.071},
		},
		Footprints: []Footprint{{Target: "sqlite", ReadyFirstMS: 184.2, ReadyMS: 16.25, IdleRSSMB: 20.4, LoadRSSMB: 32.5}},
		Skipped:    []string{"postgres: skipped: no --postgres DSN given"},
	}
	got := formatReport(rep)
	want := `teamsops-bench: 2 CPUs, linux/amd64, go1.26

target      scenario  conns  rate/s   req/s  p50 ms  p99 ms  errors  × bare  × demo  ops/s  CPU µs  RSS MB  stmt/op  tx/op
bare        get          32       -  34,012    0.81    4.50       0       -       -      -      41    17.6        -      -
postgres×3  ops           8       -     213    31.0   1,235       2       -       -    170   5,230    40.0     23.4    8.1
sqlite      open         64   1,200   1,200    0.50    3.00       0    0.07       -      -       -       -        -      -

target  ready new ms  ready ms  ready --demo ms  ready scale ms  idle RSS MB  GET RSS MB
sqlite           184      16.2                -               -         20.4        32.5

postgres: skipped: no --postgres DSN given
postgres×3 ops (8 conns): 2 errors, the first: status 503: …
sqlite open: 3 requests dropped, never sent: the server fell more than a run's length behind the rate
sqlite open: 7 requests left over 1 ms late (too few --open-conns, or the server fell behind)
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	smoke := formatReport(Report{Smoke: true, LoadAvg: [2]string{"1.00 0.50 0.20", "2.00 1.00 0.40"}})
	if !strings.Contains(smoke, "smoke run") || !strings.Contains(smoke, "\nload average 1.00 0.50 0.20 at the start, 2.00 1.00 0.40 at the end\n") {
		t.Errorf("a smoke report does not say it is one, or the load: %q", smoke)
	}
}

func TestFailedRows(t *testing.T) {
	rep := Report{Rows: []Row{{Errors: 0}, {Errors: 3}, {Errors: 1}}}
	if n := rep.failedRows(); n != 2 {
		t.Errorf("failedRows = %d, want 2", n)
	}
}

func TestNumberFormats(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{count(0), "-"}, {count(999.4), "999"}, {count(999.5), "1,000"}, {count(1_234_567), "1,234,567"},
		{ms(0), "-"}, {ms(0.004), "0.00"}, {ms(9.999), "10.00"}, {ms(10), "10.0"}, {ms(99.94), "99.9"}, {ms(100), "100"},
		{ratio(0), "-"}, {ratio(0.254), "0.25"}, {mb(0), "-"}, {mb(12.34), "12.3"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestSampleAdd: rounds measured one after another add their windows, so
// that the rate is over the time measured in all.
func TestSampleAdd(t *testing.T) {
	var s sample
	for range 3 {
		s.add(sample{window: time.Second, latencies: make([]time.Duration, 100), sent: 110})
	}
	if s.window != 3*time.Second || s.requests() != 300 || s.sent != 330 || s.perSecond() != 100 {
		t.Errorf("after three rounds of 100 requests a second: window %v, %d requests, %d sent, %v/s",
			s.window, s.requests(), s.sent, s.perSecond())
	}
}
