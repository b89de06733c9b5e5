package tracing

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/protobuf/encoding/protowire"
)

// exporter sends spans to an OTLP receiver over HTTP (http/protobuf),
// encoding each batch straight from the SDK's spans into a buffer it
// reuses (encoder). The SDK's own exporter builds the OTLP protobuf types
// for every span and marshals them: on a cached GET, whose one span is
// most of what tracing costs, that was two fifths of the span's cost
// (docs/tracing.md).
//
// It reads the variables the SDK's exporter reads (exporterConfig), and
// retries as it does: on 429, 502, 503 and 504 and on a temporary network
// error, backing off from 5 s to at most 30 s between tries, for at most a
// minute, sooner if the server's Retry-After says so.
type exporter struct {
	cfg    exporterConfig
	client *http.Client
	// retry is the first wait before a retry, retryFor how long to
	// retry at most.
	retry, retryFor time.Duration

	mu     sync.Mutex // one export at a time: they share the buffers
	enc    encoder
	zipped bytes.Buffer
	zw     *gzip.Writer

	// stop is closed by Shutdown, which must not wait for an export
	// that is waiting to retry.
	stop     chan struct{}
	stopOnce sync.Once
}

// userAgent names the exporter, as OTLP asks of exporters.
const userAgent = "teamsops OTLP/HTTP trace exporter"

// Retries, as the SDK's exporter's defaults.
const (
	retryInitial = 5 * time.Second
	retryMax     = 30 * time.Second
	retryElapsed = time.Minute
)

// maxResponse bounds how much of a receiver's answer is read.
const maxResponse = 64 << 10

func newExporter(cfg exporterConfig) *exporter {
	// The standard transport's settings, proxies from the environment
	// included, as the SDK's exporter has.
	t := &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true, MaxIdleConns: 100,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second, TLSClientConfig: cfg.tls}
	return &exporter{cfg: cfg, client: &http.Client{Transport: t, Timeout: cfg.timeout},
		retry: retryInitial, retryFor: retryElapsed, stop: make(chan struct{})}
}

// ExportSpans implements sdktrace.SpanExporter.
func (e *exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) == 0 {
		return nil
	}
	select {
	case <-e.stop:
		return nil
	default:
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	body := e.enc.encode(spans)
	if e.cfg.gzip {
		e.zipped.Reset()
		if e.zw == nil {
			e.zw = gzip.NewWriter(&e.zipped)
		} else {
			e.zw.Reset(&e.zipped)
		}
		if _, err := e.zw.Write(body); err != nil {
			return err
		}
		if err := e.zw.Close(); err != nil {
			return err
		}
		body = e.zipped.Bytes()
	}
	return e.send(ctx, body)
}

// send POSTs body, and again while the receiver says to retry.
func (e *exporter) send(ctx context.Context, body []byte) error {
	deadline := time.Now().Add(e.retryFor)
	wait := e.retry
	for {
		again, after, err := e.post(ctx, body)
		if err == nil || !again {
			return err
		}
		// Jittered as the SDK's backoff is: half the interval either way.
		d := wait/2 + rand.N(wait)
		if after > d {
			d = after
		}
		if time.Now().Add(d).After(deadline) {
			return err
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-e.stop:
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(wait*3/2, retryMax)
	}
}

// post sends body once. It reports whether to try again, after how long
// the receiver asked for, and the error.
func (e *exporter) post(ctx context.Context, body []byte) (bool, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.url, bytes.NewReader(body))
	if err != nil {
		return false, 0, err
	}
	for k, v := range e.cfg.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Header.Set("Content-Type", "application/x-protobuf")
	if e.cfg.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	res, err := e.client.Do(req)
	if err != nil {
		// Retried when the network says it may pass, as the SDK's does; a
		// certificate or a refused connection is not.
		var ue *url.Error
		return errors.As(err, &ue) && ue.Temporary(), 0, err
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return false, 0, err
	}
	switch {
	case res.StatusCode >= 200 && res.StatusCode <= 299:
		if res.Header.Get("Content-Type") == "application/x-protobuf" {
			return false, 0, partialSuccess(answer)
		}
		return false, 0, nil
	case res.StatusCode == http.StatusTooManyRequests, res.StatusCode == http.StatusBadGateway,
		res.StatusCode == http.StatusServiceUnavailable, res.StatusCode == http.StatusGatewayTimeout:
		return true, retryAfter(res.Header.Get("Retry-After")), fmt.Errorf("OTLP export to %s: %s", e.cfg.url, res.Status)
	}
	text := strings.TrimSpace(string(answer))
	if text == "" {
		text = "(empty)"
	}
	return false, 0, fmt.Errorf("OTLP export to %s: %s (body: %s)", e.cfg.url, res.Status, text)
}

// retryAfter is a Retry-After header's seconds, or zero.
func retryAfter(v string) time.Duration {
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// partialSuccess reads an ExportTraceServiceResponse and returns its
// partial_success as an error, if it rejected anything or says why.
func partialSuccess(b []byte) error {
	ps, ok := field(b, 1) // partial_success
	if !ok {
		return nil
	}
	var rejected uint64
	if v, ok := field(ps, 1); ok { // rejected_spans
		rejected, _ = protowire.ConsumeVarint(v)
	}
	msg, _ := field(ps, 2) // error_message
	if rejected == 0 && len(msg) == 0 {
		return nil
	}
	return fmt.Errorf("OTLP partial success: %d spans rejected: %s", int64(rejected), msg)
}

// field returns the last occurrence of field num in message b: the
// content of a length-delimited field, the bytes of a varint.
func field(b []byte, num protowire.Number) ([]byte, bool) {
	var out []byte
	found := false
	for len(b) > 0 {
		n, typ, k := protowire.ConsumeTag(b)
		if k < 0 {
			return nil, false
		}
		b = b[k:]
		k = protowire.ConsumeFieldValue(n, typ, b)
		if k < 0 {
			return nil, false
		}
		if n == num {
			out, found = b[:k], true
			if typ == protowire.BytesType {
				out, _ = protowire.ConsumeBytes(b[:k])
			}
		}
		b = b[k:]
	}
	return out, found
}

// Shutdown implements sdktrace.SpanExporter: later exports send nothing,
// and an export waiting to retry gives up.
func (e *exporter) Shutdown(ctx context.Context) error {
	e.stopOnce.Do(func() { close(e.stop) })
	e.client.CloseIdleConnections()
	return ctx.Err()
}

// exporterConfig is what the OTLP exporter variables ask for.
type exporterConfig struct {
	url     string
	headers map[string]string
	timeout time.Duration
	gzip    bool
	tls     *tls.Config // nil: the system's roots
}

// exporterFromEnv reads the variables of OTLP's exporter configuration,
// each OTEL_EXPORTER_OTLP_TRACES_* variable before its
// OTEL_EXPORTER_OTLP_* one, as the SDK's exporter does: the endpoint,
// headers, timeout, compression, CA certificate and client certificate.
// Unlike it, a value it cannot use is an error rather than a warning and
// a default: an export going nowhere, or without its headers, is found
// at start rather than in the receiver's logs.
func exporterFromEnv(getenv func(string) string) (exporterConfig, error) {
	get := func(name string) (string, string) {
		for _, n := range []string{"OTEL_EXPORTER_OTLP_TRACES_" + name, "OTEL_EXPORTER_OTLP_" + name} {
			if v := strings.TrimSpace(getenv(n)); v != "" {
				return n, v
			}
		}
		return "", ""
	}
	cfg := exporterConfig{timeout: 10 * time.Second}
	var err error
	if cfg.url, err = endpoint(getenv); err != nil {
		return cfg, err
	}
	if n, v := get("HEADERS"); v != "" {
		if cfg.headers, err = parseHeaders(v); err != nil {
			return cfg, fmt.Errorf("%s: %w", n, err)
		}
	}
	if n, v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			return cfg, fmt.Errorf("%s=%s: not a number of milliseconds", n, v)
		}
		cfg.timeout = time.Duration(ms) * time.Millisecond
	}
	switch n, v := get("COMPRESSION"); v {
	case "", "none":
	case "gzip":
		cfg.gzip = true
	default:
		return cfg, fmt.Errorf("%s=%s: gzip or none", n, v)
	}
	cfg.tls, err = tlsFromEnv(get)
	return cfg, err
}

// endpoint is the URL spans are POSTed to: the traces endpoint as it is,
// or the endpoint's base URL with /v1/traces joined to its path.
func endpoint(getenv func(string) string) (string, error) {
	name, v, signal := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")), true
	if v == "" {
		name, v, signal = "OTEL_EXPORTER_OTLP_ENDPOINT", strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")), false
	}
	if v == "" {
		v = "http://localhost:4318"
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s=%s: not an http:// or https:// URL", name, v)
	}
	switch {
	case !signal:
		u.Path = path.Join(u.Path, "/v1/traces")
	case u.Path == "":
		u.Path = "/"
	}
	return u.String(), nil
}

// parseHeaders reads OTLP's headers: key=value pairs, comma-separated,
// each value percent-decoded.
func parseHeaders(v string) (map[string]string, error) {
	h := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsFunc(k, notToken) {
			return nil, fmt.Errorf("%q is not key=value with a header's name as key", pair)
		}
		val, err := url.PathUnescape(val)
		if err != nil {
			return nil, fmt.Errorf("the value of %s: %w", k, err)
		}
		h[k] = strings.TrimSpace(val)
	}
	return h, nil
}

// notToken reports whether r cannot be in an HTTP header's name.
func notToken(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("!#$%&'*+-.^_`|~", r)
}

// tlsFromEnv is the TLS configuration the CERTIFICATE, CLIENT_CERTIFICATE
// and CLIENT_KEY variables ask for, or nil for the system's roots.
func tlsFromEnv(get func(string) (string, string)) (*tls.Config, error) {
	var cfg *tls.Config
	if n, file := get("CERTIFICATE"); file != "" {
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s=%s: no PEM certificate in it", n, file)
		}
		cfg = &tls.Config{RootCAs: pool}
	}
	nc, cert := get("CLIENT_CERTIFICATE")
	nk, key := get("CLIENT_KEY")
	if cert == "" && key == "" {
		return cfg, nil
	}
	if cert == "" || key == "" {
		return nil, fmt.Errorf("%s%s: a client certificate needs both its certificate and its key", nc, nk)
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("%s, %s: %w", nc, nk, err)
	}
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.Certificates = []tls.Certificate{pair}
	return cfg, nil
}
