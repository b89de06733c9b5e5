package server

import (
	"net/http"

	"github.com/teamsops/teamsops/internal/sqlcount"
	"github.com/teamsops/teamsops/metrics"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/sqlite"
)

// newMetrics builds the metrics of an assembled server: the engine's
// backlog, the store's connection pool, and the requests held by
// "Prefer: wait", beside what the edge and the engine count themselves.
func (s *Server) newMetrics() *metrics.Metrics {
	m := metrics.New()
	m.Register(metrics.NewBacklogCollector(s.engine))
	m.Register(metrics.Gauge("teamsops_held_requests", "GET requests held by Prefer: wait now.",
		func() float64 { return float64(s.waits.Held()) }))
	m.Register(metrics.Caches(s.cacheStats))
	if sqlcount.Enabled() {
		m.Register(
			metrics.Counter("teamsops_sql_statements_total", "Statements sent to the database, those that begin or end a transaction excepted (--count-sql).",
				func() float64 { return float64(sqlcount.Read().Statements) }),
			metrics.Counter("teamsops_sql_transactions_total", "Transactions begun, and statements run outside one (--count-sql).",
				func() float64 { return float64(sqlcount.Read().Transactions) }),
			metrics.Counter("teamsops_sql_single_statements_total", "Statements run outside a transaction (--count-sql).",
				func() float64 { return float64(sqlcount.Read().Single) }))
	}
	switch st := s.Store.(type) {
	case *sqlite.Store:
		m.Register(metrics.SQLDB(st.DB()))
	case *postgres.Store:
		m.Register(metrics.Pool(func() metrics.PoolStats {
			p := st.Pool().Stat()
			return metrics.PoolStats{Max: float64(p.MaxConns()), Total: float64(p.TotalConns()),
				Acquired: float64(p.AcquiredConns()), Idle: float64(p.IdleConns()),
				Acquires: float64(p.AcquireCount()), AcquireWait: p.AcquireDuration()}
		})...)
	}
	return m
}

// cacheStats are the read caches' figures, for the metrics.
func (s *Server) cacheStats() []metrics.CacheStats {
	var out []metrics.CacheStats
	for _, st := range s.cache.Stats() {
		out = append(out, metrics.CacheStats{Name: st.Name, Bytes: st.Bytes, MaxBytes: st.MaxBytes,
			Entries: st.Entries, Hits: st.Hits, Misses: st.Misses})
	}
	return out
}

// withMetrics serves /metrics beside graph on the main listener.
func withMetrics(graph, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		graph.ServeHTTP(w, r)
	})
}

// observer hands the engine's events to the metrics, which are built
// after the engine (they read its backlog).
type observer struct{ *metrics.Metrics }
