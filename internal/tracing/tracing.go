// Package tracing exports OpenTelemetry traces of teamsops over OTLP/HTTP,
// configured the standard way: OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (tracing is off when neither is
// set), OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER
// and OTEL_TRACES_SAMPLER_ARG, and the exporter's other OTEL_EXPORTER_OTLP_*
// variables (exporterFromEnv), read as the OpenTelemetry SDK's exporter
// reads them.
//
// One trace follows an operation from the request that starts it, through
// its attempts — which may run on another replica, or after a restart: the
// trace context is committed with the job (River's job metadata) — to the
// change notifications it causes, whose POSTs carry traceparent to the
// receiver. What is traced: each HTTP request (Handler, Spans), each job's
// insert and run (Middleware), each store call made inside a traced one
// (Store), each request to a notification receiver (Transport).
//
// A nil *Tracing is tracing off: its methods return what they are given,
// and nothing is wrapped. Spans never hold a token, a secret, a query
// string or a body.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/teamsops/teamsops"
)

// scope names the instrumentation in every span, as OpenTelemetry asks:
// the instrumenting package's import path.
const scope = "github.com/teamsops/teamsops/internal/tracing"

// Attributes teamsops adds to spans.
const (
	AttrTenantID       = attribute.Key("teamsops.tenant.id")
	AttrOperationID    = attribute.Key("teamsops.operation.id")
	AttrOperationType  = attribute.Key("teamsops.operation.type")
	AttrSubscriptionID = attribute.Key("teamsops.subscription.id")
	AttrAttempt        = attribute.Key("teamsops.job.attempt")
)

// Tracing is an OpenTelemetry tracer provider that exports to an OTLP
// receiver, and the W3C trace-context propagator. It sets no global of
// OpenTelemetry's but the error handler, so that several servers in one
// process (tests) each trace on their own.
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
	prop     propagation.TextMapPropagator
}

// Enabled reports whether the environment asks for traces: an OTLP
// endpoint is set, and OTEL_SDK_DISABLED is not true.
func Enabled() bool {
	if strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		return false
	}
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// FromEnv returns the tracing the environment asks for, or nil — tracing
// off, with no exporter and nothing wrapped — when it asks for none
// (Enabled). log receives the SDK's errors, such as failed exports.
func FromEnv(ctx context.Context, log *slog.Logger) (*Tracing, error) {
	if !Enabled() {
		return nil, nil
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"} {
		if p := os.Getenv(name); p != "" && p != "http/protobuf" {
			return nil, fmt.Errorf("%s=%s: teamsops exports OTLP over HTTP only (http/protobuf)", name, p)
		}
	}
	cfg, err := exporterFromEnv(os.Getenv)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName("teamsops")),
		resource.WithTelemetrySDK(),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
	)
	if err != nil && res == nil {
		return nil, fmt.Errorf("tracing: OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	if log != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			log.Warn("tracing", "error", err)
		}))
	}
	// The sampler is OTEL_TRACES_SAMPLER's, which the provider reads
	// itself (default: parentbased_always_on).
	provider := sdktrace.NewTracerProvider(sdktrace.WithBatcher(newExporter(cfg)), sdktrace.WithResource(res))
	return &Tracing{
		provider: provider,
		tracer:   provider.Tracer(scope),
		// W3C trace context only: a caller's baggage is not carried on to
		// jobs and receivers.
		prop: propagation.TraceContext{},
	}, nil
}

// Shutdown exports the spans still buffered and stops the exporter.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.Shutdown(ctx)
}

// Flush exports the spans ended so far.
func (t *Tracing) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.provider.ForceFlush(ctx)
}

// errorType is a short, secret-free description of err for the error.type
// attribute: error messages may quote URLs with their query strings, so
// spans carry the error's type rather than its text.
func errorType(err error) string {
	var e *teamsops.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprintf("%T", err)
}
