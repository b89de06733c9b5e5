package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/teamsops/teamsops/lro"
)

var termIsTerminal = term.IsTerminal

// spinner is drawn in front of the status on a terminal.
var spinner = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// progress shows how a wait goes: on a terminal, one line redrawn every
// 100 ms (a spinner, the status, attempts, time elapsed); elsewhere, a
// plain line each time the status changes.
type progress struct {
	w     io.Writer
	tty   bool
	start time.Time
	done  chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	status lro.Status
	tries  int
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, tty: isTerminal(w), start: time.Now(), done: make(chan struct{})}
	if p.tty {
		p.wg.Add(1)
		go p.redraw()
	}
	return p
}

// update is the poller's Progress callback.
func (p *progress) update(op *lro.Operation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	changed := op.Status != p.status
	p.status, p.tries = op.Status, op.AttemptsCount
	if !p.tty && changed {
		fmt.Fprintf(p.w, "%s: %s, attempts %d, after %s\n", op.ID, op.Status, op.AttemptsCount, p.elapsed())
	}
}

// retry is the poller's OnRetry callback: it says on a line of its own
// what failed and when the next poll goes, so that a server that cannot
// be reached shows at once rather than when the poller gives up.
func (p *progress) retry(r lro.Retry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	clear := ""
	if p.tty {
		clear = "\r\x1b[K" // the status line is redrawn after it
	}
	fmt.Fprintf(p.w, "%steamsops wait: %v; retrying in %s (%d of %d)\n",
		clear, r.Err, r.Delay.Round(100*time.Millisecond), r.Failures, r.MaxFailures)
}

func (p *progress) redraw() {
	defer p.wg.Done()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		p.mu.Lock()
		status := string(p.status)
		if status == "" {
			status = "waiting"
		}
		fmt.Fprintf(p.w, "\r\x1b[K%c %s · attempts %d · %s", spinner[i%len(spinner)], status, p.tries, p.elapsed())
		p.mu.Unlock()
		select {
		case <-p.done:
			fmt.Fprint(p.w, "\r\x1b[K")
			return
		case <-tick.C:
		}
	}
}

func (p *progress) elapsed() time.Duration {
	return time.Since(p.start).Round(100 * time.Millisecond)
}

// stop clears the terminal's line, so that what follows starts clean.
func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
