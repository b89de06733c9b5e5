package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// targetBare names the bare server in the report.
const targetBare = "bare"

// seedPath is the seed's GET (seed/get-teamsasyncoperation.md).
const seedPath = "/beta/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation

// listPath is a chat's operations filtered by status, counted, first page
// of 20; with count false, without $count. The filter is percent-encoded
// as Graph's SDKs send it.
func listPath(chatID string, count bool) string {
	p := "/beta/chats/" + chatID + "/operations?$filter=" + url.PathEscape("status eq 'succeeded'")
	if count {
		p += "&$count=true"
	}
	return p + "&$top=20"
}

// runBare records the seed's response from a throwaway teamsops, starts
// the bare server answering it, and runs the GET scenarios on it.
func (b *bench) runBare(ctx context.Context) error {
	b.progress("recording the seed's response from teamsops")
	d, err := b.startTeamsops(ctx, "record", "sqlite:"+filepath.Join(b.dir, "record.db"), 1)
	if err != nil {
		return err
	}
	r, err := firstReply(d.procs[0].addr, newRequest(http.MethodGet, d.procs[0].addr, seedPath, d.token, nil))
	d.stop()
	if err != nil {
		return err
	}
	data, err := json.Marshal(record(r))
	if err != nil {
		return err
	}
	file := filepath.Join(b.dir, "seed-response.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	p, err := startProcess(ctx, b.self, []string{bareCommand, "--addr", addr, "--response", file}, addr, b.logPath(targetBare))
	if err != nil {
		return err
	}
	defer p.stop()
	fp := Footprint{Target: targetBare, ReadyFirstMS: millis(p.ready), IdleRSSMB: b.idleRSS(p)}
	// The same token as teamsops gets, so that requests are byte for byte
	// the same size; the bare server ignores it.
	res, err := b.requestScenarios(ctx, targetBare, []*process{p}, d.token)
	if err != nil {
		return err
	}
	fp.LoadRSSMB = res.peakRSS
	b.footprints = append(b.footprints, fp)
	return nil
}

// requestResult is what the request scenarios tell the footprint.
type requestResult struct {
	peakRSS float64 // MB, the most any GET run saw
}

// requestScenarios runs the seed's GET closed loop at each connection
// count, then open loop at --rate (default half the best closed-loop
// rate), then the list (not on the bare server, which knows one answer).
func (b *bench) requestScenarios(ctx context.Context, target string, procs []*process, token string) (requestResult, error) {
	var res requestResult
	addr := procs[0].addr
	get := newRequest(http.MethodGet, addr, seedPath, token, nil)
	want, err := firstReply(addr, get)
	if err != nil {
		return res, err
	}
	getLoad := load{addr: addr, req: get, check: sameAs(want), warmup: b.cfg.warmup, duration: b.cfg.duration}
	best := 0.0
	if b.cfg.has(scenarioGet) {
		for _, n := range b.cfg.conns {
			row, err := b.measure(target, scenarioGet, n, 0, procs, func() sample { return closedLoop(ctx, getLoad, n) })
			if err != nil {
				return res, err
			}
			best, res.peakRSS = max(best, row.RPS), max(res.peakRSS, row.RSSMB)
		}
	}
	if b.cfg.has(scenarioOpen) {
		rate := b.cfg.rate
		if rate == 0 {
			rate = best / 2
		}
		if rate > 0 {
			if _, err := b.measure(target, scenarioOpen, b.cfg.openConns, rate, procs, func() sample { return openLoop(ctx, getLoad, rate, b.cfg.openConns) }); err != nil {
				return res, err
			}
		} else {
			b.skip(target + ": open loop skipped: give --rate, or run the get scenario to measure a maximum")
		}
	}
	if b.cfg.has(scenarioList) && target != targetBare {
		if err := b.list(ctx, target, scenarioList, procs, token, listPath(demo.ChatID, true), slices.Max(b.cfg.conns)); err != nil {
			return res, err
		}
	}
	return res, ctx.Err()
}

// list measures one list request closed loop at conns connections.
func (b *bench) list(ctx context.Context, target, scenario string, procs []*process, token, path string, conns int) error {
	addr := procs[0].addr
	req := newRequest(http.MethodGet, addr, path, token, nil)
	want, err := firstReply(addr, req)
	if err != nil {
		return err
	}
	l := load{addr: addr, req: req, check: sameAs(want), warmup: b.cfg.warmup, duration: b.cfg.duration}
	_, err = b.measure(target, scenario, conns, 0, procs, func() sample { return closedLoop(ctx, l, conns) })
	return err
}

// measure runs one load, sampling the processes' memory meanwhile, and
// adds its row to the report. A process that died meanwhile is an error
// that ends the run: what follows would measure nothing.
func (b *bench) measure(target, scenario string, conns int, rate float64, procs []*process, fn func() sample) (Row, error) {
	b.progress("%s: %s, %d connections%s", target, scenario, conns, rateNote(rate))
	rs := sampleRSS(procs)
	cpu, client := cpuOf(procs), selfCPU()
	s := fn()
	row := newRow(target, scenario, conns, rate, s)
	row.CPUUS = perUnit(cpuOf(procs)-cpu, s.sent)
	row.ClientCPUUS = perUnit(selfCPU()-client, s.sent)
	row.RSSMB = megabytes(rs.stop())
	b.add(row)
	return row, alive(procs)
}

func rateNote(rate float64) string {
	if rate == 0 {
		return ""
	}
	return fmt.Sprintf(", %.0f/s", rate)
}

// add appends a row to the report and prints its gist.
func (b *bench) add(row Row) {
	b.rows = append(b.rows, row)
	b.progress("  %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d errors%s", row.RPS, row.P50MS, row.P99MS, row.Errors, opsNote(row))
}

func opsNote(row Row) string {
	if row.OpsPerSec == 0 {
		return ""
	}
	return fmt.Sprintf(", %.0f ops/s end to end", row.OpsPerSec)
}

// idleRSS waits for start-up work to settle and reads p's memory, in MB.
func (b *bench) idleRSS(p *process) float64 {
	time.Sleep(b.settle())
	return megabytes(p.rss())
}

// firstReply sends req once and insists on a 200, whose answer the load
// then expects every time.
func firstReply(addr string, req []byte) (reply, error) {
	c := &conn{addr: addr}
	defer c.close()
	r, err := c.do(req)
	if err != nil {
		return reply{}, err
	}
	if r.status != http.StatusOK {
		return reply{}, fmt.Errorf("first request answered %v", r)
	}
	r.body = bytes.Clone(r.body)
	return r, nil
}

// sameAs accepts exactly want's status and body: a request that answers
// differently under load counts as an error.
func sameAs(want reply) func(reply) string {
	return func(r reply) string {
		if r.status != want.status {
			return r.String()
		}
		if !bytes.Equal(r.body, want.body) {
			return "a different body: " + clip(r.body)
		}
		return ""
	}
}

// clip shortens a body for an error message.
func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// perUnit is d spread over n, in microseconds; 0 when n is 0.
func perUnit(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(n)
}

func megabytes(n int64) float64 { return float64(n) / (1 << 20) }
