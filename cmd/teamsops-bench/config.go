package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scenarios the harness knows, in the order it runs them.
const (
	scenarioGet       = "get"       // the seed's GET, closed loop, at each of --conns
	scenarioOpen      = "open"      // the seed's GET, open loop, at --rate
	scenarioList      = "list"      // a chat's operations, filtered and counted
	scenarioOps       = "ops"       // POST /chats → 202 → terminal, closed and open loop
	scenarioReplicas  = "replicas"  // ops on --replicas processes sharing one PostgreSQL
	scenarioFootprint = "footprint" // start → ready on an existing database, idle memory
	scenarioScale     = "scale"     // GET, lists and $count on a store of --scale-ops operations
	scenarioWaiters   = "waiters"   // --waiters GETs held by Prefer: wait, released by their operations' end
	scenarioSignIn    = "signin"    // client credentials tokens and the sign-in page
	scenarioSoak      = "soak"      // minutes of GETs, operations and notifications at once; memory over time
	scenarioTraces    = "traces"    // the seed's GET with tracing off and on, side by side
)

var allScenarios = []string{scenarioGet, scenarioOpen, scenarioList, scenarioOps, scenarioReplicas, scenarioFootprint, scenarioScale, scenarioWaiters, scenarioSignIn, scenarioTraces, scenarioSoak}

// Back ends teamsops is measured on.
const (
	backendSQLite   = "sqlite"
	backendPostgres = "postgres"
)

// config is what the flags say.
type config struct {
	bin       string   // a teamsops binary; empty: build ./cmd/teamsops
	postgres  string   // DSN of a server where a database may be created
	backends  []string // sqlite, postgres
	scenarios []string
	smoke     bool
	jsonPath  string

	duration, warmup time.Duration
	conns            []int
	rate             float64 // open loop requests/s; 0: half the measured maximum
	openConns        int     // most connections the open loop keeps busy at once

	opsClients  int
	countSQL    bool
	opsDuration time.Duration
	opsRate     float64 // open loop POSTs/s; 0: half the measured end-to-end rate
	replicas    int
	poll        time.Duration // how long a sweep waits before asking again

	scaleOps, scaleResources, scaleBig int

	waiters int // requests held at once in the waiters scenario

	soakDuration, soakIdle, soakEvery time.Duration
	soakConns                         int
	soakCompare                       bool // soak again with --memory-limit off
}

func (c *config) has(scenario string) bool { return slices.Contains(c.scenarios, scenario) }

func parseConfig(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("teamsops-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.bin, "bin", "", "teamsops binary to measure (default: go build ./cmd/teamsops)")
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL server DSN on which a database may be created and dropped (without it, PostgreSQL is skipped)")
	backends := fs.String("backends", "sqlite,postgres", "back ends to measure teamsops on")
	scenarios := fs.String("scenarios", "get,open,list,ops,replicas,footprint,waiters,signin,traces", "scenarios to run: "+strings.Join(allScenarios, ","))
	scale := fs.Bool("scale", false, "also run the scale scenario (seeds --scale-ops operations: minutes)")
	fs.BoolVar(&c.smoke, "smoke", false, "run every scenario (scale on a small store) for about a second each: proves the harness works")
	fs.StringVar(&c.jsonPath, "json", "", "also write the results as JSON to this file")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "how long each request scenario is measured")
	fs.DurationVar(&c.warmup, "warmup", time.Second, "load before each measurement that is not counted")
	conns := fs.String("conns", "1,4,32", "connection counts of the closed-loop GET")
	fs.Float64Var(&c.rate, "rate", 0, "open-loop GET requests/s (0: half the target's closed-loop maximum)")
	fs.IntVar(&c.openConns, "open-conns", 64, "most connections the open loop uses at once")
	fs.IntVar(&c.opsClients, "ops-clients", 8, "concurrent clients starting operations")
	fs.BoolVar(&c.countSQL, "count-sql", true, "start teamsops with --count-sql and report statements and transactions per operation (false for a binary without that flag)")
	fs.DurationVar(&c.opsDuration, "ops-duration", 10*time.Second, "how long operations are started")
	fs.Float64Var(&c.opsRate, "ops-rate", 0, "open-loop POST /chats per second (0: half the measured end-to-end rate)")
	fs.IntVar(&c.replicas, "replicas", 3, "teamsops processes on one PostgreSQL database in the replicas scenario")
	fs.DurationVar(&c.poll, "poll", 5*time.Millisecond, "wait before asking again for an operation not yet terminal")
	fs.IntVar(&c.scaleOps, "scale-ops", 1_000_000, "operations in the scale scenario's store")
	fs.IntVar(&c.scaleResources, "scale-resources", 10_000, "chats and teams (half each) the scale scenario spreads them over")
	fs.IntVar(&c.scaleBig, "scale-big", 100_000, "of them, operations of one chat")
	fs.IntVar(&c.waiters, "waiters", 1000, "GETs held at once by Prefer: wait in the waiters scenario")
	fs.DurationVar(&c.soakDuration, "soak-duration", 5*time.Minute, "how long the soak scenario loads the server")
	fs.DurationVar(&c.soakIdle, "soak-idle", 2*time.Minute, "after the soak's load, how long to sample the idle server (RSS under 60 MB, and after)")
	fs.DurationVar(&c.soakEvery, "soak-every", 2*time.Second, "how often the soak samples the server's memory, goroutines, files and database")
	fs.IntVar(&c.soakConns, "soak-conns", 16, "connections sending the seed's GET during the soak")
	fs.BoolVar(&c.soakCompare, "compare-unlimited", false, "soak a second time with --memory-limit off, and report the throughput ratio")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.smoke {
		c.applySmoke(set)
		*scale = true
	}
	c.backends = splitList(*backends)
	c.scenarios = splitList(*scenarios)
	if *scale && !c.has(scenarioScale) {
		c.scenarios = append(c.scenarios, scenarioScale)
	}
	if c.smoke && !c.has(scenarioSoak) {
		c.scenarios = append(c.scenarios, scenarioSoak)
	}
	var err error
	if c.conns, err = parseInts(*conns); err != nil {
		return nil, fmt.Errorf("--conns: %w", err)
	}
	return c, c.validate()
}

// applySmoke shortens everything the command line did not set.
func (c *config) applySmoke(set map[string]bool) {
	short := map[string]func(){
		"duration":        func() { c.duration = time.Second },
		"warmup":          func() { c.warmup = 200 * time.Millisecond },
		"ops-duration":    func() { c.opsDuration = time.Second },
		"scale-ops":       func() { c.scaleOps = 3_000 },
		"scale-resources": func() { c.scaleResources = 20 },
		"scale-big":       func() { c.scaleBig = 1_000 },
		"waiters":         func() { c.waiters = 20 },
		"soak-duration":   func() { c.soakDuration = 3 * time.Second },
		"soak-idle":       func() { c.soakIdle = time.Second },
		"soak-every":      func() { c.soakEvery = 500 * time.Millisecond },
	}
	for name, apply := range short {
		if !set[name] {
			apply()
		}
	}
}

func (c *config) validate() error {
	for _, b := range c.backends {
		if b != backendSQLite && b != backendPostgres {
			return fmt.Errorf("--backends: unknown back end %q (want sqlite, postgres)", b)
		}
	}
	for _, s := range c.scenarios {
		if !slices.Contains(allScenarios, s) {
			return fmt.Errorf("--scenarios: unknown scenario %q (want %s)", s, strings.Join(allScenarios, ","))
		}
	}
	switch {
	case c.duration <= 0 || c.opsDuration <= 0 || c.warmup < 0:
		return fmt.Errorf("--duration and --ops-duration must be positive, --warmup not negative")
	case len(c.conns) == 0 || slices.Min(c.conns) < 1 || c.openConns < 1 || c.opsClients < 1:
		return fmt.Errorf("connection and client counts must be at least 1")
	case c.rate < 0 || c.opsRate < 0 || c.poll <= 0:
		return fmt.Errorf("--rate and --ops-rate must not be negative, --poll must be positive")
	case c.replicas < 2 && c.has(scenarioReplicas):
		return fmt.Errorf("--replicas must be at least 2 for the replicas scenario")
	case c.soakDuration <= 0 || c.soakIdle < 0 || c.soakEvery <= 0 || c.soakConns < 1:
		return fmt.Errorf("--soak-duration and --soak-every must be positive, --soak-idle not negative, --soak-conns at least 1")
	case c.scaleResources < 2 || c.scaleBig < 0 || c.scaleOps < c.scaleBig+c.scaleResources:
		return fmt.Errorf("--scale-ops must cover --scale-big plus one operation per resource, with at least 2 resources")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, v := range splitList(s) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
