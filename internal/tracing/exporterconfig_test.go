package tracing

import (
	"cmp"
	"maps"
	"strings"
	"testing"
	"time"
)

// TestExporterConfig reads the exporter's variables as the SDK's exporter
// does, and refuses a value it cannot use.
func TestExporterConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		url     string
		headers map[string]string
		timeout time.Duration
		gzip    bool
		err     string // in the error, "" for none
	}{
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, url: "http://c:4318/v1/traces"},
		{name: "endpoint with a path", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c/otlp/"}, url: "https://c/otlp/v1/traces"},
		{name: "traces endpoint as it is", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://b:1/x/traces"}, url: "https://b:1/x/traces"},
		{name: "traces endpoint without a path", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b"}, url: "http://b/"},
		{name: "no endpoint", env: map[string]string{}, url: "http://localhost:4318/v1/traces"},
		{name: "headers", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "api-key=a%20b, X-Team = ops "},
			headers: map[string]string{"api-key": "a b", "X-Team": "ops"}},
		{name: "traces headers first", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "a=1", "OTEL_EXPORTER_OTLP_TRACES_HEADERS": "b=2"},
			headers: map[string]string{"b": "2"}},
		{name: "timeout", env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "2500"}, timeout: 2500 * time.Millisecond},
		{name: "traces timeout first", env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "1", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "3"}, timeout: 3 * time.Millisecond},
		{name: "gzip", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip"}, gzip: true},
		{name: "none", env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "none"}},

		{name: "no scheme", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"}, err: "OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318: not an http"},
		{name: "grpc scheme", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "grpc://c"}, err: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
		{name: "header without =", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "a=1,b"}, err: "OTEL_EXPORTER_OTLP_HEADERS"},
		{name: "header name", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "a b=1"}, err: "OTEL_EXPORTER_OTLP_HEADERS"},
		{name: "header escape", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "a=%zz"}, err: "OTEL_EXPORTER_OTLP_TRACES_HEADERS"},
		{name: "timeout unit", env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "10s"}, err: "OTEL_EXPORTER_OTLP_TIMEOUT=10s"},
		{name: "compression", env: map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"}, err: "OTEL_EXPORTER_OTLP_COMPRESSION=zstd"},
		{name: "certificate", env: map[string]string{"OTEL_EXPORTER_OTLP_CERTIFICATE": "/nonexistent.pem"}, err: "OTEL_EXPORTER_OTLP_CERTIFICATE"},
		{name: "client key alone", env: map[string]string{"OTEL_EXPORTER_OTLP_CLIENT_KEY": "/k.pem"}, err: "both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := exporterFromEnv(func(k string) string { return tt.env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.url != "" && cfg.url != tt.url {
				t.Errorf("url %q, want %q", cfg.url, tt.url)
			}
			if tt.headers != nil && !maps.Equal(cfg.headers, tt.headers) {
				t.Errorf("headers %v, want %v", cfg.headers, tt.headers)
			}
			if want := cmp.Or(tt.timeout, 10*time.Second); cfg.timeout != want {
				t.Errorf("timeout %v, want %v", cfg.timeout, want)
			}
			if cfg.gzip != tt.gzip {
				t.Errorf("gzip %v, want %v", cfg.gzip, tt.gzip)
			}
		})
	}
}
