package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// The rows of the traces scenario: the seed's GET on teamsops without
// tracing, and on teamsops exporting a trace of every request.
const (
	scenarioTracesOff   = "traces-off"
	scenarioTracesOn    = "traces-on"
	scenarioTracesTenth = "traces-1in10"
)

// tracesScenario measures what tracing costs the seed's GET. Three
// teamsops processes serve the back end, each on a new database of its
// own, all running throughout: one without tracing, one exporting every
// request's spans over OTLP/HTTP to a sink in the harness that discards
// them, and one sampling one trace in ten
// (OTEL_TRACES_SAMPLER=parentbased_traceidratio). Each is measured closed
// loop at each of --conns, in turns: --duration is cut into tracesRounds
// rounds, each process takes one turn a round, and which goes first
// rotates from round to round. On a machine whose speed moves from one
// second to the next (shared by other work), each process is then
// measured across the same stretch of time.
func (b *bench) tracesScenario(ctx context.Context, backend string) error {
	sink, err := startSink()
	if err != nil {
		return err
	}
	defer sink.close()
	otlp := "OTEL_EXPORTER_OTLP_ENDPOINT=http://" + sink.addr
	variants := []struct {
		scenario string
		env      []string
	}{
		{scenarioTracesOff, nil},
		{scenarioTracesOn, []string{otlp}},
		{scenarioTracesTenth, []string{otlp, "OTEL_TRACES_SAMPLER=parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG=0.1"}},
	}
	procs := make([]*process, len(variants))
	tokens := make([]string, len(variants))
	for i, v := range variants {
		// Each on a database of its own, new like the back end's.
		db, drop, err := b.newDatabase(ctx, backend, v.scenario)
		if err != nil {
			return err
		}
		defer drop()
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		env := append(withoutOTel(os.Environ()), v.env...)
		args := []string{"serve", "--db", db, "--addr", addr, "--profile", "instant", "--demo"}
		if procs[i], err = startProcessEnv(ctx, b.bin, args, env, addr, b.logPath(backend+"-"+v.scenario)); err != nil {
			return err
		}
		defer procs[i].stop()
		tokens[i], err = runOutput(ctx, b.bin, "token", "--db", db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp,
			"--roles", strings.Join(demo.ConsoleRoles, ","), "--ttl", "24h")
		if err != nil {
			return err
		}
	}
	loads := make([]load, len(variants))
	for k, p := range procs {
		get := newRequest(http.MethodGet, p.addr, seedPath, tokens[k], nil)
		want, err := firstReply(p.addr, get)
		if err != nil {
			return err
		}
		loads[k] = load{addr: p.addr, req: get, check: sameAs(want), duration: b.cfg.duration / tracesRounds}
	}
	for _, n := range b.cfg.conns {
		b.progress("%s: traces, %d connections, %d rounds", backend, n, tracesRounds)
		samples := make([]sample, len(variants))
		cpu := make([]time.Duration, len(variants))
		for round := range tracesRounds {
			for j := range variants {
				k := (round + j) % len(variants)
				l := loads[k]
				if round == 0 {
					// The first round warms the connections up; it is not counted.
					l.warmup = b.cfg.warmup
				}
				before := procs[k].cpu()
				s := closedLoop(ctx, l, n)
				cpu[k] += procs[k].cpu() - before
				samples[k].add(s)
			}
		}
		for k, v := range variants {
			row := newRow(backend, v.scenario, n, 0, samples[k])
			row.CPUUS = perUnit(cpu[k], samples[k].sent)
			row.RSSMB = megabytes(procs[k].rss())
			b.add(row)
		}
		if err := alive(procs); err != nil {
			return err
		}
	}
	// The traced processes export what they still hold as they stop.
	for _, p := range procs {
		p.stop()
	}
	exports, bytes := sink.exports.Load(), sink.bytes.Load()
	b.progress("%s: the OTLP sink received %d exports, %.1f MB", backend, exports, float64(bytes)/(1<<20))
	if exports == 0 {
		return errors.New("traces: the traced teamsops exported nothing to the OTLP sink")
	}
	return nil
}

// tracesRounds is how many turns each process of the traces scenario
// takes at each connection count.
const tracesRounds = 10

// add appends a later stretch of measurement to s: unlike merge, whose
// samples share one window, the windows add up.
func (s *sample) add(o sample) {
	window := s.window + o.window
	s.merge(o)
	s.window = window
}

// withoutOTel is env without OpenTelemetry's variables, so that the
// harness's own environment turns no tracing on or off.
func withoutOTel(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OTEL_") {
			out = append(out, kv)
		}
	}
	return out
}

// sink is an OTLP/HTTP receiver that reads every export and discards it,
// counting what it was sent: the cheapest collector there is, so that
// what is measured is teamsops' side of tracing.
type sink struct {
	addr           string
	srv            *http.Server
	exports, bytes atomic.Int64
}

func startSink() (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{addr: ln.Addr().String()}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		s.exports.Add(1)
		s.bytes.Add(n)
		// An empty ExportTraceServiceResponse: everything accepted.
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(http.StatusOK)
	})}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *sink) close() { s.srv.Close() }
