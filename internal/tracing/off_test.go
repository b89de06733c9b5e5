package tracing_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/internal/tracing"
)

// noEndpoint clears every variable that could turn tracing on.
func noEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	t.Setenv("OTEL_SDK_DISABLED", "")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
}

// TestOffWithoutEndpoint: without an OTLP endpoint, or with the SDK
// disabled, there is no tracing — no exporter — and a nil Tracing wraps
// nothing: the store, the handler, the engine and the webhook client are
// the very ones given.
func TestOffWithoutEndpoint(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
	}{
		{"nothing set", nil},
		{"no endpoint", map[string]string{"OTEL_SERVICE_NAME": "x", "OTEL_TRACES_SAMPLER": "always_on",
			"OTEL_RESOURCE_ATTRIBUTES": "a=b"}},
		{"sdk disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1", "OTEL_SDK_DISABLED": "true"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			noEndpoint(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			tr, err := tracing.FromEnv(t.Context(), nil)
			if err != nil || tr != nil {
				t.Fatalf("FromEnv = %v, %v; want nil, nil", tr, err)
			}
		})
	}
	var off *tracing.Tracing
	store := testdb.New(t)
	if got := off.Store(store); got != store {
		t.Errorf("Store wrapped the store when off: %T", got)
	}
	mux := http.NewServeMux()
	if got := off.Handler(mux); got != http.Handler(mux) {
		t.Errorf("Handler wrapped the handler when off: %T", got)
	}
	if off.Middleware() != nil || off.Transport() != nil {
		t.Error("River middleware or a transport wrapper when off")
	}
	if err := off.Shutdown(t.Context()); err != nil {
		t.Error(err)
	}
}

// TestOffNothingPropagates: a server without tracing carries no trace
// context on: a notification caused by a request that sent traceparent
// arrives without one.
func TestOffNothingPropagates(t *testing.T) {
	noEndpoint(t)
	e := start(t)
	if e.tracing != nil {
		t.Fatal("tracing is on without an endpoint")
	}
	opID := e.createChat(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	for _, tp := range e.awaitSucceeded(t, opID) {
		if tp != "" {
			t.Errorf("a notification carried traceparent %q with tracing off", tp)
		}
	}
}

// TestOnlyHTTP: OTLP over gRPC is refused by name rather than exported
// to nowhere.
func TestOnlyHTTP(t *testing.T) {
	noEndpoint(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	if _, err := tracing.FromEnv(t.Context(), nil); err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL=grpc") {
		t.Fatalf("FromEnv with grpc: %v, want an error naming it", err)
	}
}

// TestStoreKeepsSync: the traced SQLite store can still bring its change
// feed up to date, without which the cache keeps nothing and every GET
// reads the database.
func TestStoreKeepsSync(t *testing.T) {
	otlp(t)
	tr, err := tracing.FromEnv(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	store := testdb.New(t)
	_, inner := store.(cache.Syncer)
	if _, traced := tr.Store(store).(cache.Syncer); traced != inner {
		t.Errorf("the store is a cache.Syncer: %v; traced: %v", inner, traced)
	}
}
