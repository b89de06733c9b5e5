package metrics_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/metrics"
)

// Each cache's figures are served at every scrape, labelled by cache.
func TestCaches(t *testing.T) {
	m := metrics.New()
	hits := uint64(0)
	m.Register(metrics.Caches(func() []metrics.CacheStats {
		hits++
		return []metrics.CacheStats{
			{Name: "operations", Bytes: 1234, MaxBytes: 4096, Entries: 3, Hits: hits, Misses: 2},
			{Name: "access", Bytes: 10, MaxBytes: 4096, Entries: 1},
		}
	}))
	for scrape := 1; scrape <= 2; scrape++ {
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		body, _ := io.ReadAll(rec.Body)
		for _, want := range []string{
			`teamsops_cache_bytes{cache="operations"} 1234`,
			`teamsops_cache_max_bytes{cache="operations"} 4096`,
			`teamsops_cache_entries{cache="access"} 1`,
			`teamsops_cache_misses_total{cache="operations"} 2`,
			`teamsops_cache_hits_total{cache="operations"} ` + string(rune('0'+scrape)),
		} {
			if !strings.Contains(string(body), want+"\n") {
				t.Errorf("scrape %d: no line %q in\n%s", scrape, want, body)
			}
		}
	}
}
