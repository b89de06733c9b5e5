package main

import (
	"context"
	"time"
)

// starts is how many times each start-up is timed; the median is kept.
const starts = 3

// restarts times teamsops from exec to the first /readyz 200 on the
// database the scenarios left behind, without --demo (what a deployment
// does) and with it (what a CI job that loads the demo each time does).
func (b *bench) restarts(ctx context.Context, backend, db string, fp *Footprint) error {
	b.progress("%s: start → ready on the existing database, %d times each without and with --demo", backend, starts)
	for _, demo := range []bool{false, true} {
		var took []time.Duration
		for range starts {
			addr, err := freeAddr()
			if err != nil {
				return err
			}
			args := []string{"serve", "--db", db, "--addr", addr, "--profile", "instant"}
			if demo {
				args = append(args, "--demo")
			}
			p, err := startProcess(ctx, b.bin, args, addr, b.logPath(backend+"-restart"))
			if err != nil {
				return err
			}
			took = append(took, p.ready)
			p.stop()
		}
		if demo {
			fp.ReadyDemoMS = millis(median(took))
		} else {
			fp.ReadyMS = millis(median(took))
		}
	}
	return nil
}
