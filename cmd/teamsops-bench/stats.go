package main

import (
	"math"
	"slices"
	"time"
)

// sample is what one load run observed.
type sample struct {
	latencies []time.Duration // of the requests counted, in no order
	errors    int             // counted requests that failed or answered wrongly
	firstErr  string          // what the first error was
	// failedIDs are the request-ids of the first failed answers, at most
	// maxFailedIDs: what to look for in the server's log.
	failedIDs []string
	window    time.Duration // the measured time the requests were counted in
	dials     int           // connections opened, warm-up included
	sent      int           // requests sent, warm-up included
	late      int           // open loop: requests sent more than lateAfter past their time
	dropped   int           // open loop: requests never sent, the schedule being too far behind
}

// lateAfter is how far past its scheduled time an open-loop request may be
// sent before it counts as late: the client could not keep the rate.
const lateAfter = time.Millisecond

// merge adds o's observations to s; the window is the longer of the two
// (workers measure the same window).
func (s *sample) merge(o sample) {
	s.latencies = append(s.latencies, o.latencies...)
	s.errors += o.errors
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
	s.failedIDs = appendIDs(s.failedIDs, o.failedIDs...)
	s.window = max(s.window, o.window)
	s.dials += o.dials
	s.sent += o.sent
	s.late += o.late
	s.dropped += o.dropped
}

// fail counts one failed request and keeps the first reason.
func (s *sample) fail(reason string) {
	s.errors++
	if s.firstErr == "" {
		s.firstErr = reason
	}
}

// maxFailedIDs bounds the request-ids of failed answers a run keeps:
// enough to find the first few in a log, whatever the number of failures.
const maxFailedIDs = 10

// appendIDs adds the non-empty ids to list, up to maxFailedIDs in all.
func appendIDs(list []string, ids ...string) []string {
	for _, id := range ids {
		if id != "" && len(list) < maxFailedIDs {
			list = append(list, id)
		}
	}
	return list
}

// requests is how many requests were counted, failed ones included.
func (s *sample) requests() int { return len(s.latencies) }

// perSecond is the rate of counted requests over the window.
func (s *sample) perSecond() float64 {
	if s.window <= 0 {
		return 0
	}
	return float64(len(s.latencies)) / s.window.Seconds()
}

// percentile returns the q-quantile (0 < q ≤ 1) of d by the nearest-rank
// method, sorting d in place; 0 when d is empty.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	rank := int(math.Ceil(q*float64(len(d)))) - 1
	return d[min(max(rank, 0), len(d)-1)]
}

// millis is d in milliseconds, for the report.
func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median returns the median of d, sorting it in place.
func median(d []time.Duration) time.Duration { return percentile(d, 0.5) }
