package server

import (
	"context"
	"time"
)

// DefaultHistoryRetention is how long "teamsops serve" keeps the history
// of operations unless told (--history-retention): a week of CI runs and
// debugging sessions, a few hundred bytes per transition.
const DefaultHistoryRetention = 7 * 24 * time.Hour

// pruneEvery is how often the history is pruned: a tenth of the
// retention, between a second and ten minutes.
func pruneEvery(retention time.Duration) time.Duration {
	return min(max(retention/10, time.Second), 10*time.Minute)
}

// startPruning prunes the history now, and then every pruneEvery, in
// the background until Stop. Every replica prunes: a prune deletes only
// what is past the retention, so replicas pruning at once agree.
func (s *Server) startPruning() {
	if s.retention <= 0 || s.stopPruning != nil {
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
			n, err := s.Store.PruneHistory(ctx, time.Now().Add(-s.retention))
			if err != nil && ctx.Err() == nil {
				s.log.Warn("prune the history of operations", "error", err)
			} else if n > 0 {
				s.log.Debug("pruned the history of operations", "transitions", n, "retention", s.retention)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
}
