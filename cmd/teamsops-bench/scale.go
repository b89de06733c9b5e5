package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/server"
)

// scaleScenario seeds a new database with the scale set through the
// store packages, starts teamsops on it, and measures the seed's GET and
// lists against their demo-database rows, and $count over the big chat.
func (b *bench) scaleScenario(ctx context.Context, backend string, fp *Footprint) error {
	db, drop, err := b.newDatabase(ctx, backend, "scale")
	if err != nil {
		return err
	}
	defer drop()
	set := scaleSet{ops: b.cfg.scaleOps, resources: b.cfg.scaleResources, big: b.cfg.scaleBig}
	ids, err := b.seedDatabase(ctx, backend, db, set)
	if err != nil {
		return err
	}
	d, err := b.startTeamsops(ctx, backend, db, 1)
	if err != nil {
		return err
	}
	defer d.stop()
	fp.ReadyScaleMS = millis(d.procs[0].ready)
	conns := slices.Max(b.cfg.conns)
	addr := d.procs[0].addr
	get := newRequest(http.MethodGet, addr, seedPath, d.token, nil)
	want, err := firstReply(addr, get)
	if err != nil {
		return err
	}
	l := load{addr: addr, req: get, check: sameAs(want), warmup: b.cfg.warmup, duration: b.cfg.duration}
	if _, err := b.measure(backend, "scale-get", conns, 0, d.procs, func() sample { return closedLoop(ctx, l, conns) }); err != nil {
		return err
	}
	lists := []struct{ scenario, path string }{
		{"scale-list", listPath(demo.ChatID, true)},                      // the demo's list, in a big store
		{"scale-list-chat", listPath(ids.typical, true)},                 // a chat with an even share
		{"scale-list-big", listPath(ids.big, false)},                     // the big chat's first page
		{"scale-count", "/beta/chats/" + ids.big + "/operations/$count"}, // counting it, one client
	}
	for _, ls := range lists {
		n := conns
		if ls.scenario == "scale-count" {
			n = 1
		}
		if err := b.list(ctx, backend, ls.scenario, d.procs, d.token, ls.path, n); err != nil {
			return fmt.Errorf("%s: %w", ls.scenario, err)
		}
	}
	return nil
}

// seedDatabase opens the store db names, loads the demo tenant, and seeds
// the scale set, printing progress.
func (b *bench) seedDatabase(ctx context.Context, backend, db string, set scaleSet) (scaleIDs, error) {
	opened, err := server.OpenBackend(ctx, db, 0)
	if err != nil {
		return scaleIDs{}, err
	}
	s := opened.Store
	defer s.Close()
	if err := demo.Load(ctx, s); err != nil {
		return scaleIDs{}, err
	}
	b.progress("%s: seeding %d operations over %d chats and teams, %d in one chat", backend, set.ops, set.resources, set.big)
	began, last := time.Now(), time.Now()
	ids, err := seed(ctx, s, set, func(done int) {
		if time.Since(last) > 10*time.Second || done == set.ops {
			last = time.Now()
			b.progress("  %d of %d operations, %.0f/s", done, set.ops, float64(done)/time.Since(began).Seconds())
		}
	})
	return ids, err
}
