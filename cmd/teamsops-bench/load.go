package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// load is one request sent many times to one target.
type load struct {
	addr  string
	req   []byte
	check func(reply) string // "" when the reply is right, else what is wrong
	// warmup is load that is not counted; duration is the measured window
	// that follows it.
	warmup, duration time.Duration
}

// closedLoop runs conns workers, each sending l's request back to back on
// its own keep-alive connection: the next request leaves when the last
// answer has arrived, as with wrk -c. A request counts when it started
// inside the measured window.
func closedLoop(ctx context.Context, l load, conns int) sample {
	from := time.Now().Add(l.warmup)
	until := from.Add(l.duration)
	return l.workers(conns, func(c *conn, s *sample) {
		for ctx.Err() == nil {
			t0 := time.Now()
			if !t0.Before(until) {
				break
			}
			why, id := l.send(c)
			s.record(!t0.Before(from), t0, why, id)
		}
	})
}

// openLoop sends l's request at a constant arrival rate (requests per
// second), whatever the server's speed, on at most conns connections. A
// request's latency runs from the moment it was due, so time spent
// waiting for a free connection — the server falling behind — counts:
// no coordinated omission. A request sent more than lateAfter past its
// time counts as late; one more than a whole duration past it is dropped
// (not sent, and counted apart from errors: the server is too slow for
// the rate, which is not an error), so a backlog never outlives the run by
// long.
func openLoop(ctx context.Context, l load, rate float64, conns int) sample {
	interval := time.Duration(float64(time.Second) / rate)
	if interval <= 0 {
		interval = 1
	}
	start := time.Now()
	from := start.Add(l.warmup)
	giveUp := from.Add(2 * l.duration)
	total := int64((l.warmup + l.duration) / interval)
	var next atomic.Int64
	return l.workers(conns, func(c *conn, s *sample) {
		for ctx.Err() == nil {
			i := next.Add(1) - 1
			if i >= total {
				break
			}
			due := start.Add(time.Duration(i) * interval)
			counted := !due.Before(from)
			t0 := due
			if now := time.Now(); now.Before(due) {
				time.Sleep(due.Sub(now))
				t0 = time.Now() // the wait was the client's, not the server's
			} else if now.After(giveUp) {
				s.dropped++
				continue
			} else if counted && now.Sub(due) > lateAfter {
				s.late++
			}
			why, id := l.send(c)
			s.record(counted, t0, why, id)
		}
	})
}

// workers runs work on conns workers, each with a keep-alive connection
// of its own, and merges what they measured into one sample.
func (l load) workers(conns int, work func(c *conn, s *sample)) sample {
	var mu sync.Mutex
	total := sample{window: l.duration}
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			c := &conn{addr: l.addr}
			defer c.close()
			s := sample{latencies: make([]time.Duration, 0, 4096)}
			work(c, &s)
			s.dials = c.dials
			mu.Lock()
			total.merge(s)
			mu.Unlock()
		})
	}
	wg.Wait()
	return total
}

// record counts a request sent at t0 whose answer has just arrived; one
// inside the measured window adds its latency and, if why is not "",
// its failure and the answer's request-id (id, "" when there was no
// answer).
func (s *sample) record(counted bool, t0 time.Time, why, id string) {
	s.sent++
	if !counted {
		return
	}
	s.latencies = append(s.latencies, time.Since(t0))
	if why != "" {
		s.fail(why)
		s.failedIDs = appendIDs(s.failedIDs, id)
	}
}

// send sends the request once on c and says what is wrong with the
// answer ("" if nothing) and the answer's request-id. After a failed dial
// it pauses briefly, so that a dead server is not hammered in a tight
// loop.
func (l load) send(c *conn) (why, id string) {
	dials := c.dials
	r, err := c.do(l.req)
	if err != nil {
		if c.dials == dials {
			time.Sleep(10 * time.Millisecond)
		}
		return err.Error(), ""
	}
	return l.check(r), r.header.Get("request-id")
}
