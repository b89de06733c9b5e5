package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// sink is an OTLP/HTTP receiver that keeps each request it is sent.
type sink struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
	answer   func(n int, w http.ResponseWriter) // nil: 200, no body
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, r)
	s.bodies = append(s.bodies, body)
	n := len(s.bodies)
	s.mu.Unlock()
	if s.answer != nil {
		s.answer(n, w)
	}
}

// decoded is the sink's only request, decoded (gunzipped first if it says so).
func (s *sink) decoded(t *testing.T) *coltracepb.ExportTraceServiceRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.bodies) != 1 {
		t.Fatalf("the receiver got %d requests, want 1", len(s.bodies))
	}
	body := s.bodies[0]
	if s.requests[0].Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(body, &req); err != nil {
		t.Fatalf("not an ExportTraceServiceRequest: %v", err)
	}
	// The SDK's exporter orders resources by a map: sort them by their
	// encoding so that two requests compare.
	slices.SortFunc(req.ResourceSpans, func(a, b *tracepb.ResourceSpans) int {
		ma, _ := proto.MarshalOptions{Deterministic: true}.Marshal(a.Resource)
		mb, _ := proto.MarshalOptions{Deterministic: true}.Marshal(b.Resource)
		return bytes.Compare(ma, mb)
	})
	return &req
}

// stubs are spans with every field OTLP carries, and every kind of
// attribute value, under two resources and two scopes.
func stubs() []sdktrace.ReadOnlySpan {
	res := resource.NewSchemaless(attribute.String("service.name", "teamsops"), attribute.Int("n", 3))
	other := resource.NewWithAttributes("https://opentelemetry.io/schemas/1.26.0", attribute.Bool("other", true))
	sc := instrumentation.Scope{Name: scope, Version: "1.2.3", SchemaURL: "https://opentelemetry.io/schemas/1.26.0",
		Attributes: attribute.NewSet(attribute.String("scope.key", "v"))}
	tid := trace.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ts, _ := trace.ParseTraceState("vendor=value,other=x")
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{9, 9}, TraceFlags: trace.FlagsSampled, Remote: true})
	start := time.Date(2026, 12, 7, 12, 0, 0, 123456789, time.UTC)
	long := strings.Repeat("x", 200) // lengths of two varint bytes
	longer := strings.Repeat("y", 20000)
	attrs := []attribute.KeyValue{
		attribute.String("s", "v"), attribute.String("empty", ""), attribute.String("long", long), attribute.String("longer", longer),
		attribute.Bool("t", true), attribute.Bool("f", false), attribute.Int64("i", -42), attribute.Int64("zero", 0),
		attribute.Float64("d", 2.5), attribute.Float64("dz", 0),
		attribute.BoolSlice("bs", []bool{true, false}), attribute.Int64Slice("is", []int64{1, 0, -1}),
		attribute.Float64Slice("fs", []float64{0.5}), attribute.StringSlice("ss", []string{"a", ""}),
		attribute.StringSlice("none", nil), attribute.ByteSlice("b", []byte{0, 1}), attribute.ByteSlice("bz", nil),
		attribute.Slice("mixed", attribute.StringValue("a"), attribute.IntValue(0), attribute.MapValue(attribute.Bool("in", false))),
		attribute.Map("m", attribute.String("k", "v"), attribute.Slice("empty")),
		{Key: "unset"},
	}
	spans := tracetest.SpanStubs{
		{
			Name: "GET /beta/chats/{chat-id}", SpanKind: trace.SpanKindServer,
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, TraceState: ts}),
			Parent:      remote, StartTime: start, EndTime: start.Add(time.Millisecond),
			Attributes: attrs, DroppedAttributes: 2,
			Events: []sdktrace.Event{
				{Name: "exception", Time: start.Add(time.Microsecond), Attributes: []attribute.KeyValue{attribute.String("k", "v")}, DroppedAttributeCount: 1},
				{Name: "bare"},
			},
			DroppedEvents: 3,
			Links: []sdktrace.Link{
				{SpanContext: remote, Attributes: []attribute.KeyValue{attribute.Int("a", 1)}, DroppedAttributeCount: 4},
				{SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{7}})},
			},
			DroppedLinks: 5,
			Status:       sdktrace.Status{Code: codes.Error, Description: "broken"},
			Resource:     res, InstrumentationScope: sc,
		},
		{
			Name: "store.Update", SpanKind: trace.SpanKindInternal,
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled}),
			Parent:      trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled}),
			StartTime:   start, EndTime: start.Add(2 * time.Millisecond),
			Status:   sdktrace.Status{Code: codes.Ok},
			Resource: res, InstrumentationScope: instrumentation.Scope{Name: "river"},
		},
		{
			Name: "POST", SpanKind: trace.SpanKindClient,
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{3}}),
			StartTime:   start, EndTime: start,
			Resource: other, InstrumentationScope: sc,
		},
		{
			Name: "no scope", SpanKind: trace.SpanKind(42),
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{4}, TraceFlags: trace.FlagsSampled}),
			Resource:    res,
		},
		{
			Name: "same scope again", SpanKind: trace.SpanKindProducer,
			SpanContext: trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: trace.SpanID{5}, TraceFlags: trace.FlagsSampled}),
			StartTime:   start, EndTime: start.Add(time.Second),
			Resource: res, InstrumentationScope: sc,
		},
	}
	return spans.Snapshots()
}

// export sends spans with exp to a new sink and returns the sink.
func export(t *testing.T, exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	t.Helper()
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatalf("export: %v", err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestExporterSendsWhatTheSDKSends sends the same spans with the SDK's
// OTLP/HTTP exporter and with ours, each to a receiver of its own, and
// compares what each received, decoded, field by field.
func TestExporterSendsWhatTheSDKSends(t *testing.T) {
	for _, gz := range []bool{false, true} {
		sdkSink, ourSink := &sink{}, &sink{}
		sdkSrv, ourSrv := httptest.NewServer(sdkSink), httptest.NewServer(ourSink)
		defer sdkSrv.Close()
		defer ourSrv.Close()
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": ourSrv.URL}
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpointURL(sdkSrv.URL + "/v1/traces")}
		if gz {
			env["OTEL_EXPORTER_OTLP_COMPRESSION"] = "gzip"
			opts = append(opts, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))
		}
		sdkExp, err := otlptracehttp.New(context.Background(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := exporterFromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		spans := stubs()
		export(t, sdkExp, spans)
		export(t, newExporter(cfg), spans)

		want, got := sdkSink.decoded(t), ourSink.decoded(t)
		// The SDK's exporter leaves a link's trace state out; OTLP has a
		// field for it, which ours fills. The stubs' links have none.
		if !proto.Equal(got, want) {
			t.Errorf("gzip %v: ours sent\n%s\nthe SDK's sent\n%s", gz, prototext.Format(got), prototext.Format(want))
		}
		if n := len(got.ResourceSpans); n != 2 {
			t.Errorf("%d resources, want 2", n)
		}
		r := ourSink.requests[0]
		if r.URL.Path != "/v1/traces" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("sent %s %s, Content-Type %q", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		if got := r.Header.Get("Content-Encoding") == "gzip"; got != gz {
			t.Errorf("gzip %v: Content-Encoding %q", gz, r.Header.Get("Content-Encoding"))
		}
	}
}

// TestExporterReusesItsBuffer exports twice with one exporter: the second
// request holds the second batch only, whole.
func TestExporterReusesItsBuffer(t *testing.T) {
	s := &sink{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	exp := newExporter(exporterConfig{url: srv.URL + "/v1/traces"})
	spans := stubs()
	for _, batch := range [][]sdktrace.ReadOnlySpan{spans, spans[3:4]} {
		if err := exp.ExportSpans(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
	}
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(s.bodies[1], &req); err != nil {
		t.Fatal(err)
	}
	if len(req.ResourceSpans) != 1 || len(req.ResourceSpans[0].ScopeSpans) != 1 ||
		len(req.ResourceSpans[0].ScopeSpans[0].Spans) != 1 || req.ResourceSpans[0].ScopeSpans[0].Spans[0].Name != "no scope" {
		t.Errorf("second request: %s", prototext.Format(&req))
	}
}

// TestExporterLinkTraceState: a link's trace state is sent.
func TestExporterLinkTraceState(t *testing.T) {
	ts, _ := trace.ParseTraceState("k=v")
	link := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceState: ts})
	spans := tracetest.SpanStubs{{Name: "s", Links: []sdktrace.Link{{SpanContext: link}}}}.Snapshots()
	var e encoder
	var req coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(e.encode(spans), &req); err != nil {
		t.Fatal(err)
	}
	if got := req.ResourceSpans[0].ScopeSpans[0].Spans[0].Links[0].TraceState; got != "k=v" {
		t.Errorf("link trace state %q, want k=v", got)
	}
}

// TestExporterHeaders: the headers configured are sent with each export.
func TestExporterHeaders(t *testing.T) {
	s := &sink{}
	srv := httptest.NewServer(s)
	defer srv.Close()
	cfg, err := exporterFromEnv(func(k string) string {
		return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL, "OTEL_EXPORTER_OTLP_HEADERS": "api-key=secret"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	export(t, newExporter(cfg), stubs())
	if got := s.requests[0].Header.Get("api-key"); got != "secret" {
		t.Errorf("api-key %q", got)
	}
	if got := s.requests[0].Header.Get("User-Agent"); got == "" || strings.Contains(got, "Go-http-client") {
		t.Errorf("User-Agent %q, want the exporter's", got)
	}
}

// TestExporterCertificate: an https receiver is trusted through
// OTEL_EXPORTER_OTLP_CERTIFICATE, and not without it.
func TestExporterCertificate(t *testing.T) {
	s := &sink{}
	srv := httptest.NewTLSServer(s)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "ca.pem")
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(file, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, withCA := range []bool{true, false} {
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL}
		if withCA {
			env["OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE"] = file
		}
		cfg, err := exporterFromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		err = newExporter(cfg).ExportSpans(context.Background(), stubs())
		if withCA != (err == nil) {
			t.Errorf("with the CA %v: export error %v", withCA, err)
		}
	}
}

// TestExporterRetries: 503 and 429 are retried until the receiver takes
// the spans; 400 is not, and its body is in the error.
func TestExporterRetries(t *testing.T) {
	s := &sink{answer: func(n int, w http.ResponseWriter) {
		switch n {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case 2:
			w.WriteHeader(http.StatusTooManyRequests)
		case 4:
			http.Error(w, "bad spans", http.StatusBadRequest)
		}
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	exp := newExporter(exporterConfig{url: srv.URL + "/v1/traces"})
	exp.retry = time.Millisecond
	if err := exp.ExportSpans(context.Background(), stubs()); err != nil {
		t.Fatalf("export: %v", err)
	}
	if len(s.bodies) != 3 || !bytes.Equal(s.bodies[0], s.bodies[2]) {
		t.Errorf("%d requests, want 3 of the same body", len(s.bodies))
	}
	err := exp.ExportSpans(context.Background(), stubs())
	if err == nil || !strings.Contains(err.Error(), "bad spans") || len(s.bodies) != 4 {
		t.Errorf("after a 400: %v, %d requests", err, len(s.bodies))
	}
}

// TestExporterPartialSuccess: a receiver's rejection of some spans is
// reported.
func TestExporterPartialSuccess(t *testing.T) {
	answer, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 2, ErrorMessage: "too old"}})
	s := &sink{answer: func(_ int, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(answer)
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	err := newExporter(exporterConfig{url: srv.URL}).ExportSpans(context.Background(), stubs())
	if err == nil || !strings.Contains(err.Error(), "2 spans rejected: too old") {
		t.Errorf("error %v", err)
	}
}

// FuzzPartialSuccess: whatever a receiver answers, reading it neither
// panics nor reports a rejection the answer does not hold.
func FuzzPartialSuccess(f *testing.F) {
	ok, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	some, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 1}})
	f.Add(ok)
	f.Add(some)
	f.Add([]byte{0x0a, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		err := partialSuccess(b)
		var res coltracepb.ExportTraceServiceResponse
		if proto.Unmarshal(b, &res) == nil && err != nil {
			ps := res.GetPartialSuccess()
			if ps.GetRejectedSpans() == 0 && ps.GetErrorMessage() == "" {
				t.Errorf("%x: reported %v for an answer that rejects nothing", b, err)
			}
		}
	})
}

// TestExporterShutdownStopsRetrying: an export waiting to retry a busy
// receiver returns when the exporter is shut down, rather than holding
// the shutdown for the retries' minute.
func TestExporterShutdownStopsRetrying(t *testing.T) {
	tried := make(chan struct{}, 1)
	s := &sink{answer: func(_ int, w http.ResponseWriter) {
		w.WriteHeader(http.StatusServiceUnavailable)
		select {
		case tried <- struct{}{}:
		default:
		}
	}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	exp := newExporter(exporterConfig{url: srv.URL})
	exp.retry, exp.retryFor = time.Hour, 2*time.Hour
	done := make(chan error)
	go func() { done <- exp.ExportSpans(context.Background(), stubs()) }()
	<-tried
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("export: %v, want the receiver's 503", err)
	}
	if err := exp.ExportSpans(context.Background(), stubs()); err != nil || len(s.bodies) != 1 {
		t.Errorf("after shutdown: %v, %d requests, want none more", err, len(s.bodies))
	}
}
