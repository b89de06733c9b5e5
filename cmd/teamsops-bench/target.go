package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/teamsops/teamsops/demo"
)

// deployment is teamsops running on one database: one process, or several
// replicas sharing it.
type deployment struct {
	db        string // the --db value
	publicURL string // the same for every replica, so one token serves all
	procs     []*process
	token     string // the demo ops console's application token
}

// startTeamsops starts n teamsops processes on db, the demo tenant loaded
// and the instant profile, and gets an application token of the demo's ops
// console with all its roles.
func (b *bench) startTeamsops(ctx context.Context, name, db string, n int) (*deployment, error) {
	return b.startTeamsopsOn(ctx, name, db, n, "instant")
}

// startTeamsopsOn is startTeamsops on another timing profile, each
// process with its profiler on a port of its own when pprof is set.
func (b *bench) startTeamsopsOn(ctx context.Context, name, db string, n int, profile string, pprof ...bool) (*deployment, error) {
	return b.startTeamsopsWith(ctx, name, db, n, profile, len(pprof) > 0 && pprof[0], nil)
}

// startTeamsopsWith is startTeamsopsOn with more arguments to serve.
func (b *bench) startTeamsopsWith(ctx context.Context, name, db string, n int, profile string, pprof bool, extra []string) (*deployment, error) {
	d := &deployment{db: db}
	for i := range n {
		addr, err := freeAddr()
		if err != nil {
			d.stop()
			return nil, err
		}
		if i == 0 {
			d.publicURL = "http://" + addr
		}
		args := []string{"serve", "--db", db, "--addr", addr, "--public-url", d.publicURL, "--profile", profile, "--demo"}
		args = append(args, extra...)
		if b.cfg.countSQL {
			args = append(args, "--count-sql")
		}
		var pprofAddr string
		if pprof {
			if pprofAddr, err = freeAddr(); err != nil {
				d.stop()
				return nil, err
			}
			args = append(args, "--pprof-addr", pprofAddr)
		}
		p, err := startProcess(ctx, b.bin, args, addr, b.logPath(name))
		if err != nil {
			d.stop()
			return nil, err
		}
		p.pprof = pprofAddr
		d.procs = append(d.procs, p)
	}
	token, err := runOutput(ctx, b.bin, "token", "--db", db, "--public-url", d.publicURL,
		"--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--roles", strings.Join(demo.ConsoleRoles, ","), "--ttl", "24h")
	if err != nil {
		d.stop()
		return nil, err
	}
	d.token = token
	return d, nil
}

// alive returns an error, with each process's state and the end of its
// log, if one of procs has exited.
func alive(procs []*process) error {
	for _, p := range procs {
		select {
		case <-p.exited:
			return fmt.Errorf("a server exited during the scenario%s", (&deployment{procs: procs}).describe())
		default:
		}
	}
	return nil
}

// describe says, for an error message, whether each process still runs,
// and the last lines of its log.
func (d *deployment) describe() string {
	var b strings.Builder
	for i, p := range d.procs {
		state := "running"
		select {
		case <-p.exited:
			state = fmt.Sprintf("exited: %v", p.err)
		default:
		}
		fmt.Fprintf(&b, "\nprocess %d (%s), %s; its log ends:\n%s", i, p.addr, state, p.logTail())
	}
	return b.String()
}

// stop stops every process of d.
func (d *deployment) stop() {
	for _, p := range d.procs {
		p.stop()
	}
	d.procs = nil
}

// runBackend runs the scenarios on teamsops on one back end, on a new
// database that is removed at the end.
func (b *bench) runBackend(ctx context.Context, backend string) error {
	db, drop, err := b.newDatabase(ctx, backend, "teamsops")
	if err != nil {
		return err
	}
	defer drop()
	b.progress("%s: starting teamsops on %s", backend, redact(db))
	d, err := b.startTeamsops(ctx, backend, db, 1)
	if err != nil {
		return err
	}
	defer func() { d.stop() }()
	fp := Footprint{Target: backend, ReadyFirstMS: millis(d.procs[0].ready)}
	fp.IdleRSSMB = b.idleRSS(d.procs[0])

	gets, err := b.requestScenarios(ctx, backend, d.procs, d.token)
	if err != nil {
		return err
	}
	fp.LoadRSSMB = gets.peakRSS
	if b.cfg.has(scenarioSignIn) {
		if err := b.signInScenario(ctx, backend, d.procs, d.token); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioOps) {
		if err := b.opsScenarios(ctx, backend, d); err != nil {
			return err
		}
	}
	d.stop()
	if b.cfg.has(scenarioReplicas) && backend == backendPostgres {
		if err := b.replicasScenario(ctx, backend, db); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioFootprint) {
		if err := b.restarts(ctx, backend, db, &fp); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioWaiters) {
		if err := b.waitersScenario(ctx, backend, db); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioTraces) {
		if err := b.tracesScenario(ctx, backend); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioScale) {
		if err := b.scaleScenario(ctx, backend, &fp); err != nil {
			return err
		}
	}
	if b.cfg.has(scenarioSoak) {
		if err := b.soakScenario(ctx, backend); err != nil {
			return err
		}
	}
	b.footprints = append(b.footprints, fp)
	return nil
}

// replicasScenario runs the operations scenario on cfg.replicas processes
// sharing one database, each taking an equal share of the clients.
func (b *bench) replicasScenario(ctx context.Context, backend, db string) error {
	name := fmt.Sprintf("%s×%d", backend, b.cfg.replicas)
	b.progress("%s: starting %d replicas", name, b.cfg.replicas)
	d, err := b.startTeamsops(ctx, name, db, b.cfg.replicas)
	if err != nil {
		return err
	}
	defer d.stop()
	row, err := b.operations(ctx, name, d, 0)
	if err != nil {
		return err
	}
	b.add(row)
	return nil
}

// newDatabase returns the --db value of a new, empty database of the back
// end, and a function that removes it.
func (b *bench) newDatabase(ctx context.Context, backend, name string) (string, func(), error) {
	if backend == backendSQLite {
		return "sqlite:" + filepath.Join(b.dir, name+".db"), func() {}, nil
	}
	return createPostgres(ctx, b.cfg.postgres)
}

// redact hides a password in a DSN before it is printed.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme >= 0 && scheme < at {
			return dsn[:scheme+3] + "…" + dsn[at:]
		}
	}
	return dsn
}
