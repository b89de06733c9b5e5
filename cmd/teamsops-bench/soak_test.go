package main

import (
	"strings"
	"testing"
)

// A soak's summary: peaks over every sample, trends and the database's
// growth over the samples taken under load only.
func TestSoakSummary(t *testing.T) {
	r := &SoakRun{Target: "sqlite", MemoryLimit: "auto", Operations: 1000, Samples: []soakSample{
		{RSSMB: 30, HeapMB: 4, Goroutines: 40, OpenFiles: 20, DBMB: 1, GCs: 10},
		{RSSMB: 90, HeapMB: 40, Goroutines: 300, OpenFiles: 60, DBMB: 3, GCs: 50},
		{RSSMB: 80, HeapMB: 30, Goroutines: 50, OpenFiles: 22, DBMB: 5, GCs: 90},
		{RSSMB: 140, HeapMB: 70, Goroutines: 900, OpenFiles: 99, DBMB: 6, GCs: 95}, // after the load
	}}
	r.summarize(3)
	if r.PeakRSSMB != 140 || r.PeakHeapMB != 70 {
		t.Errorf("peaks %v MB RSS, %v MB heap; want 140 and 70", r.PeakRSSMB, r.PeakHeapMB)
	}
	if r.Goroutines != [3]int{40, 300, 50} || r.OpenFiles != [3]int{20, 60, 22} {
		t.Errorf("goroutines %v, open files %v: want the load's first, most and last", r.Goroutines, r.OpenFiles)
	}
	if r.DBMB != 5 || r.DBBytesPerOp != 4*(1<<20)/1000.0 || r.GCs != 80 {
		t.Errorf("database %v MB, %v B/op, %d GCs", r.DBMB, r.DBBytesPerOp, r.GCs)
	}
	r.Errors, r.FirstError = 2, "status 500"
	rep := Report{Soaks: []SoakRun{*r}}
	out := formatReport(rep)
	for _, want := range []string{"40/300/50", "140.0", "sqlite soak: 2 errors, the first: status 500"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	if rep.failedRows() != 1 {
		t.Error("a soak with errors does not fail the run")
	}
}
