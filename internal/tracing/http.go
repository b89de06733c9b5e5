package tracing

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Handler wraps h with a server span per request that continues the
// caller's traceparent, with the attributes HTTP's semantic conventions
// require: the method, scheme, path (never the query string), status
// and, set by the Graph edge (Routed), the route. Each attribute costs
// every request, in the span and again in its export, so there are no
// more. The span is named by the
// method and the shape of the path (spanName) until the edge names it by
// its route. Probes (/healthz, /readyz) and /metrics are not traced. A
// nil t returns h itself.
//
// It is otelhttp's server span without what the harness found costly in
// it — metrics computed for a meter that records nothing, a response
// writer wrapped for every optional interface, headers turned into
// attributes — which took a third more CPU per request than the seed's
// GET itself (docs/tracing.md).
func (t *Tracing) Handler(h http.Handler) http.Handler {
	if t == nil {
		return h
	}
	return &handler{t: t, next: h}
}

// serverKind is made once: the option is an interface, which each
// request would otherwise allocate.
var serverKind = trace.WithSpanKind(trace.SpanKindServer)

type handler struct {
	t    *Tracing
	next http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz", "/readyz", "/metrics":
		h.next.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	// Looked up by its canonical name first: most requests carry none,
	// and the propagator's lookup would canonicalize the name each time.
	if _, ok := r.Header["Traceparent"]; ok {
		ctx = h.t.prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	ctx, span := h.t.tracer.Start(ctx, spanName(r), serverKind)
	if !span.IsRecording() {
		// Sampled out: the request carries the trace on, and no more.
		h.next.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	// The attributes are gathered as the request goes and set at its end
	// in one call: each call into the span takes its lock and may grow
	// its list.
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	sw.attrs = append(sw.buf[:0], semconv.HTTPRequestMethodKey.String(httpMethod(r.Method)), semconv.URLScheme(scheme),
		semconv.URLPath(r.URL.Path))
	defer func() {
		sw.attrs = append(sw.attrs, semconv.HTTPResponseStatusCode(sw.status))
		if sw.status >= 500 {
			sw.attrs = append(sw.attrs, semconv.ErrorTypeKey.String(strconv.Itoa(sw.status)))
			span.SetStatus(codes.Error, "")
		}
		if sw.name != "" {
			span.SetName(sw.name)
		}
		span.SetAttributes(sw.attrs...)
		span.End()
	}()
	h.next.ServeHTTP(sw, r.WithContext(context.WithValue(ctx, requestKey{}, sw)))
}

// httpMethod is the request's method as HTTP's conventions name it: one of
// the known methods, or _OTHER, so that a caller cannot fill the
// attribute with anything it likes.
func httpMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "_OTHER"
}

// statusWriter remembers the status of the response. Flush and Unwrap
// keep http.ResponseController working through it (the dashboard's event
// streams, the held requests' deadlines).
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	routed bool   // the span is named by its route (Routed)
	name   string // the span's name once routed
	// attrs are the span's attributes, set when the request ends; buf
	// holds them without another allocation.
	attrs []attribute.KeyValue
	buf   [8]attribute.KeyValue
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestKey marks a request's context with its statusWriter, which says
// whether the edge has named the request's span.
type requestKey struct{}

// Routed implements the Graph edge's Spans: the request's span is named
// "{method} {route}" and carries its route, its caller's tenant and the
// operation it addresses. Only the first route counts: the requests of a
// $batch are routed in the batch's context, whose span stays the batch's.
func (t *Tracing) Routed(ctx context.Context, method, version, route, tenantID, operationID string) {
	sw, _ := ctx.Value(requestKey{}).(*statusWriter)
	if sw == nil || sw.routed {
		return // not a traced request, or a request of a $batch
	}
	sw.routed = true
	// The method as HTTP's conventions name it, so that a caller's own
	// methods neither name spans nor grow routes.
	names := routeNames(httpMethod(method), version, route)
	sw.name = names.span
	sw.attrs = append(sw.attrs, names.route, AttrTenantID.String(tenantID))
	if operationID != "" {
		sw.attrs = append(sw.attrs, AttrOperationID.String(operationID))
	}
}

// routed is what a route names: the span and its http.route attribute.
type routed struct {
	span  string
	route attribute.KeyValue
}

type routeKey struct{ method, version, route string }

// routes holds routed by routeKey: the edge's routes are a fixed set, so
// each request of a route shares its strings rather than building them.
var routes sync.Map

func routeNames(method, version, route string) routed {
	k := routeKey{method, version, route}
	if v, ok := routes.Load(k); ok {
		return v.(routed)
	}
	route = "/" + version + route
	v := routed{span: method + " " + route, route: semconv.HTTPRoute(route)}
	routes.Store(k, v)
	return v
}

// spanName names a request's span before (or without) the Graph edge:
// the method and the fixed part of the path, never a key, a user name or
// anything else a caller chose.
func spanName(r *http.Request) string {
	first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	second, _, _ := strings.Cut(rest, "/")
	switch {
	case first == "v1.0" || first == "beta":
		if name, ok := graphNames[first][r.Method]; ok {
			return name // the edge renames it (Routed); spared an allocation
		}
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

// graphNames are the names of Graph requests' spans before the edge
// renames them, by version and method.
var graphNames = func() map[string]map[string]string {
	names := map[string]map[string]string{}
	for _, version := range []string{"v1.0", "beta"} {
		names[version] = map[string]string{}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete} {
			names[version][m] = m + " /" + version
		}
	}
	return names
}()

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
