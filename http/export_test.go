package http

import "time"

// SetBatchHold scales down how long a batch may hold its client, so that
// tests of the limit run in seconds.
func SetBatchHold(s *Server, d time.Duration) { s.batchHold = d }
