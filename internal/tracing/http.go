package tracing

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler wraps h with a server span per request (otelhttp), continuing
// the caller's traceparent. The span is named by the request's method and
// the shape of its path (spanName) until the Graph edge names it by its
// route (Routed). otelhttp records the path but not the query string,
// and no header but the user agent. Probes (/healthz, /readyz) and
// /metrics are not traced. A nil t returns h itself.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return otelhttp.NewHandler(h, "teamsops",
		otelhttp.WithTracerProvider(t.provider),
		otelhttp.WithPropagators(t.prop),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return spanName(r) }),
		otelhttp.WithFilter(func(r *http.Request) bool {
			switch r.URL.Path {
			case "/healthz", "/readyz", "/metrics":
				return false
			}
			return true
		}),
	)
}

// Routed implements the Graph edge's Spans: the request's span is named
// "{method} {route}" and carries its route, its caller's tenant and the
// operation it addresses.
func (t *Tracing) Routed(ctx context.Context, method, route, tenantID, operationID string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetName(method + " " + route)
	span.SetAttributes(semconv.HTTPRoute(route), AttrTenantID.String(tenantID))
	if operationID != "" {
		span.SetAttributes(AttrOperationID.String(operationID))
	}
}

// spanName names a request's span before (or without) the Graph edge:
// the method and the fixed part of the path, never a key, a user name or
// anything else a caller chose.
func spanName(r *http.Request) string {
	first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	second, _, _ := strings.Cut(rest, "/")
	switch {
	case first == "v1.0", first == "beta":
		return r.Method + " /" + first
	case first == "_teamsops" && (second == "ui" || second == "tenants"):
		return r.Method + " /_teamsops/" + second
	case first == "_teamsops":
		return r.Method + " /_teamsops"
	case first == "common" && strings.EqualFold(second, "userrealm"):
		return r.Method + " /common/UserRealm/{user}"
	case second == "v2.0" || second == "discovery" || second == "oauth2":
		// Entra's endpoints of the local issuer: /{tenant}/oauth2/v2.0/token…
		return r.Method + " /{tenant}/" + identityPath(rest)
	}
	return r.Method
}

// identityPaths are the paths of the local issuer's endpoints under
// /{tenant}/, which name its spans.
var identityPaths = []string{
	"v2.0/.well-known/openid-configuration", "discovery/v2.0/keys", "oauth2/v2.0/token",
	"oauth2/v2.0/authorize", "oauth2/v2.0/devicecode", "oauth2/v2.0/logout",
}

func identityPath(rest string) string {
	for _, p := range identityPaths {
		if strings.EqualFold(rest, p) {
			return p
		}
	}
	second, _, _ := strings.Cut(rest, "/")
	return second + "/…"
}

// Transport wraps rt, the transport to notification receivers, with a
// client span per request that carries the span's traceparent to the
// receiver. The span records the receiver's scheme, host, port and path,
// never its query string (a receiver's URL may hold a key, and a
// validation request holds the validation token). It returns nil when t
// is nil, for webhook.Client.Trace.
func (t *Tracing) Transport() func(http.RoundTripper) http.RoundTripper {
	if t == nil {
		return nil
	}
	return func(rt http.RoundTripper) http.RoundTripper { return &transport{t: t, next: rt} }
}

type transport struct {
	t    *Tracing
	next http.RoundTripper
}

func (c *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := req.URL
	attrs := []attribute.KeyValue{semconv.HTTPRequestMethodKey.String(req.Method), semconv.URLScheme(u.Scheme),
		semconv.URLFull(u.Scheme + "://" + u.Host + u.EscapedPath()), semconv.ServerAddress(u.Hostname())}
	if port, err := strconv.Atoi(u.Port()); err == nil {
		attrs = append(attrs, semconv.ServerPort(port))
	} else if u.Scheme == "https" {
		attrs = append(attrs, semconv.ServerPort(443))
	} else {
		attrs = append(attrs, semconv.ServerPort(80))
	}
	ctx, span := c.t.tracer.Start(req.Context(), req.Method,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	req = req.Clone(ctx)
	c.t.prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	res, err := c.next.RoundTrip(req)
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		span.SetStatus(codes.Error, "no answer")
		return res, err
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(res.StatusCode))
	if res.StatusCode >= 400 {
		span.SetAttributes(semconv.ErrorTypeKey.String(strconv.Itoa(res.StatusCode)))
		span.SetStatus(codes.Error, "")
	}
	return res, nil
}
