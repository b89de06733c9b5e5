package main

import (
	"fmt"
	"strconv"
	"strings"
)

// formatReport renders the report as the harness prints it: the table of
// rows, the footprint table, then what was skipped and what went wrong.
func formatReport(r Report) string {
	var b strings.Builder
	mode := ""
	if r.Smoke {
		mode = ", smoke run: the numbers prove the harness works, they measure nothing"
	}
	fmt.Fprintf(&b, "teamsops-bench: %d CPUs, %s, %s%s\n", r.CPUs, r.OS, r.GoVersion, mode)
	if r.LoadAvg[0] != "" {
		fmt.Fprintf(&b, "load average %s at the start, %s at the end\n", r.LoadAvg[0], r.LoadAvg[1])
	}
	b.WriteString("\n")
	rows := [][]string{{"target", "scenario", "conns", "rate/s", "req/s", "p50 ms", "p99 ms", "errors", "× bare", "× demo", "ops/s", "CPU µs", "RSS MB", "stmt/op", "tx/op"}}
	var waiters [][]string
	for _, row := range r.Rows {
		if row.Scenario == scenarioWaiters {
			waiters = append(waiters, []string{row.Target, strconv.Itoa(row.Conns), strconv.Itoa(row.HeldPeak),
				strconv.Itoa(row.Requests), ms(row.P50MS), ms(row.P99MS), strconv.Itoa(row.Errors),
				strconv.FormatFloat(row.KBPerWaiter, 'f', 1, 64), mb(row.RSSMB)})
			continue
		}
		rows = append(rows, []string{
			row.Target, row.Scenario, strconv.Itoa(row.Conns), count(row.Rate), count(row.RPS),
			ms(row.P50MS), ms(row.P99MS), strconv.Itoa(row.Errors), ratio(row.VsBare), ratio(row.VsDemo),
			count(row.OpsPerSec), count(row.CPUUS), mb(row.RSSMB), mb(row.StatementsPerOp), mb(row.TransactionsPerOp),
		})
	}
	b.WriteString(table(rows, 2))
	if len(waiters) > 0 {
		b.WriteString("\n")
		head := []string{"target", "waiters", "held at once", "released", "release p50 ms", "release p99 ms", "errors", "KB per waiter", "RSS MB"}
		b.WriteString(table(append([][]string{head}, waiters...), 1))
	}
	if len(r.Footprints) > 0 {
		b.WriteString("\n")
		fps := [][]string{{"target", "ready new ms", "ready ms", "ready --demo ms", "ready scale ms", "idle RSS MB", "GET RSS MB"}}
		for _, f := range r.Footprints {
			fps = append(fps, []string{f.Target, ms(f.ReadyFirstMS), ms(f.ReadyMS), ms(f.ReadyDemoMS), ms(f.ReadyScaleMS), mb(f.IdleRSSMB), mb(f.LoadRSSMB)})
		}
		b.WriteString(table(fps, 1))
	}
	if len(r.Soaks) > 0 {
		b.WriteString("\n")
		b.WriteString(soakTable(r.Soaks))
	}
	var notes []string
	notes = append(notes, r.Skipped...)
	for _, s := range r.Soaks {
		if s.FirstError != "" {
			notes = append(notes, fmt.Sprintf("%s soak: %d errors, the first: %s", s.Target, s.Errors, s.FirstError))
		}
	}
	for _, row := range r.Rows {
		if row.FirstError != "" {
			notes = append(notes, fmt.Sprintf("%s %s (%d conns): %d errors, the first: %s", row.Target, row.Scenario, row.Conns, row.Errors, row.FirstError))
		}
		if row.Dropped > 0 {
			notes = append(notes, fmt.Sprintf("%s %s: %d requests dropped, never sent: the server fell more than a run's length behind the rate", row.Target, row.Scenario, row.Dropped))
		}
		if row.VsUntraced > 0 {
			notes = append(notes, fmt.Sprintf("%s %s (%d conns): %.2f× the req/s of traces-off, %.2f× its CPU per request",
				row.Target, row.Scenario, row.Conns, row.VsUntraced, row.CPUVsUntraced))
		}
		if row.Late > 0 {
			notes = append(notes, fmt.Sprintf("%s %s: %d requests left over 1 ms late (too few --open-conns, or the server fell behind)", row.Target, row.Scenario, row.Late))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			b.WriteString(n + "\n")
		}
	}
	return b.String()
}

// table aligns cells in columns two spaces apart: the first left columns
// to the left, the others, numbers, to the right.
func table(rows [][]string, left int) string {
	var width []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(cell)))
			if i > 0 {
				line.WriteString("  ")
			}
			if i < left {
				line.WriteString(cell + pad)
			} else {
				line.WriteString(pad + cell)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	return b.String()
}

// count writes a rate or count rounded to a whole number with thousands
// separators; "-" for nothing.
func count(v float64) string {
	if v <= 0 {
		return "-"
	}
	s := strconv.FormatInt(int64(v+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ms writes milliseconds with three significant digits or so.
func ms(v float64) string {
	switch {
	case v <= 0:
		return "-"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return count(v)
}

func ratio(v float64) string {
	if v <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func mb(v float64) string {
	if v <= 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// soakTable renders the soak runs: throughput, memory, trends (first,
// most and last sample under load), the database, and the return to idle.
func soakTable(runs []SoakRun) string {
	rows := [][]string{{"target", "limit", "s", "GET/s", "ops/s", "notes/s", "× unlimited", "peak RSS MB", "peak heap MB",
		"goroutines", "open files", "GCs", "DB MB", "DB B/op", "idle <60 MB s", "idle RSS MB", "errors"}}
	for _, s := range runs {
		vs := ""
		if s.VsUnlimitedGet > 0 {
			vs = fmt.Sprintf("%.2f GET, %.2f ops", s.VsUnlimitedGet, s.VsUnlimitedOps)
		}
		idle := "never"
		if s.IdleSeconds >= 0 {
			idle = strconv.FormatFloat(s.IdleSeconds, 'f', 0, 64)
		}
		trend := func(v [3]int) string { return fmt.Sprintf("%d/%d/%d", v[0], v[1], v[2]) }
		rows = append(rows, []string{s.Target, s.MemoryLimit, strconv.FormatFloat(s.Seconds, 'f', 0, 64),
			count(s.GetRPS), count(s.OpsPerSec), count(s.NotesPerSec), vs, mb(s.PeakRSSMB), mb(s.PeakHeapMB),
			trend(s.Goroutines), trend(s.OpenFiles), strconv.Itoa(s.GCs), mb(s.DBMB), count(s.DBBytesPerOp), idle, mb(s.IdleRSSMB),
			strconv.Itoa(s.Errors)})
	}
	return table(rows, 2)
}
