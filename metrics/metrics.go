// Package metrics exposes what an operator of teamsops watches, in
// Prometheus' text format (github.com/prometheus/client_golang): requests
// by route, method and status with their latency; operations accepted and
// ended by type and status, attempts and retries; the engine's backlog;
// the connection pool; held requests; and the Go runtime.
//
// Each process reports what it did itself: summed over replicas, the
// counters give the whole deployment's.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/teamsops/teamsops"
)

// Metrics holds teamsops' metrics and the registry they are served from.
type Metrics struct {
	registry *prometheus.Registry

	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	accepted  *prometheus.CounterVec
	ended     *prometheus.CounterVec
	attempts  *prometheus.CounterVec
	retries   *prometheus.CounterVec
	throttled *prometheus.CounterVec
}

// New returns the metrics, registered with a registry of their own that
// also holds the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{registry: prometheus.NewRegistry()}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	m.requests = counter("teamsops_http_requests_total",
		"HTTP requests answered, by route template, method and status code.", "route", "method", "code")
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "teamsops_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route template and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"route", "method"})
	m.accepted = counter("teamsops_operations_accepted_total",
		"Operations accepted (answered 202) by this process, by operation type.", "type")
	m.ended = counter("teamsops_operations_ended_total",
		"Operations this process ended, by operation type and final status.", "type", "status")
	m.attempts = counter("teamsops_operation_attempts_total",
		"Attempts this process started, by operation type.", "type")
	m.retries = counter("teamsops_operation_retries_total",
		"Attempts after a failed one (retries) this process started, by operation type.", "type")
	m.throttled = counter("teamsops_throttled_requests_total",
		"Requests answered 429 by throttling, by the limit that refused them.", "limit")
	m.registry.MustRegister(m.requests, m.latency, m.accepted, m.ended, m.attempts, m.retries, m.throttled,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Register adds collectors, such as the store's pool statistics.
func (m *Metrics) Register(cs ...prometheus.Collector) { m.registry.MustRegister(cs...) }

// Request counts one answered request. route is its template
// (/chats/{chat-id}/operations/{operation-id}), never the path itself,
// so that the number of series stays bounded.
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(took.Seconds())
}

// Throttled counts a request refused by the named limit.
func (m *Metrics) Throttled(limit string) { m.throttled.WithLabelValues(limit).Inc() }

// Accepted counts an operation accepted.
func (m *Metrics) Accepted(op *teamsops.Operation) { m.accepted.WithLabelValues(string(op.Type)).Inc() }

// AttemptStarted counts attempt number attempt of op.
func (m *Metrics) AttemptStarted(op *teamsops.Operation, attempt int) {
	m.attempts.WithLabelValues(string(op.Type)).Inc()
	if attempt > 1 {
		m.retries.WithLabelValues(string(op.Type)).Inc()
	}
}

// Ended counts an operation that ended, succeeded or failed.
func (m *Metrics) Ended(op *teamsops.Operation) {
	m.ended.WithLabelValues(string(op.Type), string(op.Status)).Inc()
}

// Gauge reports the value of fn at every scrape.
func Gauge(name, help string, fn func() float64) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn)
}

// Counter reports the value of fn, a total that only grows, at every
// scrape.
func Counter(name, help string, fn func() float64) prometheus.Collector {
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn)
}

// Backlog is the engine's unfinished work, read at every scrape.
type Backlog interface {
	// Backlog returns how many operations wait or run, and how long the
	// oldest of them has been accepted.
	Backlog(ctx context.Context) (n int, oldest time.Duration, err error)
}

// backlogCollector reports a Backlog as two gauges.
type backlogCollector struct {
	src           Backlog
	depth, oldest *prometheus.Desc
}

// NewBacklogCollector reports src's queue depth and the age of its oldest
// unfinished operation.
func NewBacklogCollector(src Backlog) prometheus.Collector {
	return &backlogCollector{src: src,
		depth: prometheus.NewDesc("teamsops_operations_queue_depth",
			"Operations accepted and not yet ended, waiting or running (the whole database's).", nil, nil),
		oldest: prometheus.NewDesc("teamsops_operations_oldest_unfinished_seconds",
			"Age of the oldest operation accepted and not yet ended (0 when none).", nil, nil),
	}
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.depth; ch <- c.oldest }

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, oldest, err := c.src.Backlog(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n))
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, oldest.Seconds())
}

// SQLDB reports a database/sql pool's statistics (connections open, in
// use, idle, waits) under teamsops_sql_*.
func SQLDB(db *sql.DB) prometheus.Collector {
	return collectors.NewDBStatsCollector(db, "teamsops")
}

// PoolStats are a connection pool's figures at one moment, for a pool
// that is not a database/sql one (pgx's).
type PoolStats struct {
	Max, Total, Acquired, Idle float64
	Acquires                   float64       // connections handed out so far
	AcquireWait                time.Duration // time spent waiting for one so far
}

// Pool reports a pool's statistics, read from stats at every scrape,
// under teamsops_pool_*.
func Pool(stats func() PoolStats) []prometheus.Collector {
	g := func(name, help string, v func(PoolStats) float64) prometheus.Collector {
		return Gauge("teamsops_pool_"+name, help, func() float64 { return v(stats()) })
	}
	return []prometheus.Collector{
		g("max_connections", "Most connections the pool may open.", func(s PoolStats) float64 { return s.Max }),
		g("connections", "Connections open.", func(s PoolStats) float64 { return s.Total }),
		g("connections_in_use", "Connections in use.", func(s PoolStats) float64 { return s.Acquired }),
		g("connections_idle", "Connections idle.", func(s PoolStats) float64 { return s.Idle }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "teamsops_pool_acquires_total",
			Help: "Connections handed out."}, func() float64 { return stats().Acquires }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "teamsops_pool_acquire_wait_seconds_total",
			Help: "Time spent waiting for a connection."}, func() float64 { return stats().AcquireWait.Seconds() }),
	}
}

// CacheStats are one in-memory cache's figures at one moment.
type CacheStats struct {
	Name            string
	Bytes, MaxBytes int64
	Entries         int64
	Hits, Misses    uint64
}

// cacheCollector reports caches' figures, labelled by cache name.
type cacheCollector struct {
	stats                             func() []CacheStats
	bytes, max, entries, hits, misses *prometheus.Desc
}

// Caches reports the figures stats returns at every scrape under
// teamsops_cache_*: approximate bytes held and the budget, entries, hits
// and misses, labelled by cache.
func Caches(stats func() []CacheStats) prometheus.Collector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("teamsops_cache_"+name, help, []string{"cache"}, nil)
	}
	return &cacheCollector{stats: stats,
		bytes:   d("bytes", "Approximate bytes the cache holds."),
		max:     d("max_bytes", "The cache's budget of bytes: past it, it forgets a quarter of what it holds."),
		entries: d("entries", "Entries the cache holds."),
		hits:    d("hits_total", "Reads answered from the cache."),
		misses:  d("misses_total", "Reads the cache passed to the database."),
	}
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.bytes, c.max, c.entries, c.hits, c.misses} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(s.Bytes), s.Name)
		ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.MaxBytes), s.Name)
		ch <- prometheus.MustNewConstMetric(c.entries, prometheus.GaugeValue, float64(s.Entries), s.Name)
		ch <- prometheus.MustNewConstMetric(c.hits, prometheus.CounterValue, float64(s.Hits), s.Name)
		ch <- prometheus.MustNewConstMetric(c.misses, prometheus.CounterValue, float64(s.Misses), s.Name)
	}
}
