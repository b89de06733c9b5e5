package server

import (
	"context"
	"time"
)

// DefaultHistoryRetention is how long "teamsops serve" keeps the history
// of operations unless told (--history-retention): a week of CI runs and
// debugging sessions, a few hundred bytes per transition.
const DefaultHistoryRetention = 7 * 24 * time.Hour

// maxPruneEvery is the longest time between two prunes, and the time
// between them when the history is kept forever and only expired sign-in
// grants are pruned.
const maxPruneEvery = 10 * time.Minute

// pruneEvery is how often the history and expired sign-in grants are
// pruned: a tenth of the retention, between a second and maxPruneEvery.
func pruneEvery(retention time.Duration) time.Duration {
	if retention <= 0 {
		return maxPruneEvery
	}
	return min(max(retention/10, time.Second), maxPruneEvery)
}

// startPruning prunes now, and then every pruneEvery, in the background
// until Stop: the history past the retention, if there is one, and the
// sign-in grants that have expired, which the token service no longer
// honours. Every replica prunes: a prune deletes only what is past its
// time, so replicas pruning at once agree.
func (s *Server) startPruning() {
	if s.stopPruning != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stopPruning = func() {
		cancel()
		<-done
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(pruneEvery(s.retention))
		defer tick.Stop()
		for {
			s.prune(ctx)
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}

// prune prunes once.
func (s *Server) prune(ctx context.Context) {
	if s.retention > 0 {
		n, err := s.Store.PruneHistory(ctx, time.Now().Add(-s.retention))
		if err != nil && ctx.Err() == nil {
			s.log.Warn("prune the history of operations", "error", err)
		} else if n > 0 {
			s.log.Debug("pruned the history of operations", "transitions", n, "retention", s.retention)
		}
	}
	n, err := s.Store.PruneSignInGrants(ctx, time.Now())
	if err != nil && ctx.Err() == nil {
		s.log.Warn("prune expired sign-in grants", "error", err)
	} else if n > 0 {
		s.log.Debug("pruned expired sign-in grants", "grants", n)
	}
}
