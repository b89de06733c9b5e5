package main

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestProcessStats reads this test's own CPU time and memory from /proc,
// as the harness reads a server's.
func TestProcessStats(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	me, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: &exec.Cmd{Process: me}}
	if rss := p.rss(); rss < 1<<20 {
		t.Errorf("rss %d bytes", rss)
	}
	// Burn CPU until a clock tick shows, for at most 5 s of wall time.
	before, deadline := p.cpu(), time.Now().Add(5*time.Second)
	n := 0
	for p.cpu() <= before && time.Now().Before(deadline) {
		for i := range 1_000_000 {
			n += i % 7
		}
	}
	if p.cpu() <= before {
		t.Errorf("cpu stayed at %v after busy work (%d)", before, n)
	}
	if got := perUnit(3*time.Millisecond, 4); got != 750 {
		t.Errorf("perUnit = %v µs, want 750", got)
	}
}
