package tracing_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
)

// BenchmarkSeedGET serves the seed's GET in process, through the whole
// handler, with tracing off, on (exporting to an OTLP receiver that
// discards) and sampling one trace in ten. The harness (cmd/teamsops-bench --scenarios traces) measures
// the same over real sockets.
func BenchmarkSeedGET(b *testing.B) {
	for _, mode := range []string{"off", "on", "1in10"} {
		b.Run(mode, func(b *testing.B) {
			b.Setenv("OTEL_TRACES_SAMPLER", "parentbased_always_on")
			if mode == "1in10" {
				b.Setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
				b.Setenv("OTEL_TRACES_SAMPLER_ARG", "0.1")
			}
			if mode != "off" {
				sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/x-protobuf")
				}))
				b.Cleanup(sink.Close)
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", sink.URL)
			} else {
				b.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
			}
			b.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
			e := start(b)
			req := httptest.NewRequest(http.MethodGet, "/beta/chats/"+demo.ChatID+"/operations/"+demo.ChatOperation, nil)
			req.Header.Set("Authorization", "Bearer "+e.token)
			b.ReportAllocs()
			cpu := processCPU()
			n := 0
			for b.Loop() {
				w := httptest.NewRecorder()
				e.srv.Handler.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("GET: %d", w.Code)
				}
				n++
			}
			// The process's CPU time counts the exporter's goroutine and the
			// garbage collector too, which ns/op (wall time) does not.
			b.ReportMetric(float64(processCPU()-cpu)/float64(n)/1e3, "cpu-µs/op")
		})
	}
}

// processCPU is the CPU time this process used so far, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
