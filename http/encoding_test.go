package http

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeBody checks that request bodies arrive decompressed, as the
// Graph Go SDK gzips every body it sends.
func TestDecodeBody(t *testing.T) {
	const payload = `{"chatType":"group","topic":"compressed"}`
	tests := []struct {
		name     string
		encoding string
		body     []byte
		want     string // the body a handler reads
		wantErr  string // an error code from decodeBody, or "read" for a read error
	}{
		{"gzip", "gzip", gzipped(t, payload), payload, ""},
		{"gzip, any case", " GZip ", gzipped(t, payload), payload, ""},
		{"x-gzip", "x-gzip", gzipped(t, payload), payload, ""},
		{"identity", "identity", []byte(payload), payload, ""},
		{"none", "", []byte(payload), payload, ""},
		{"no body", "br", nil, "", ""},
		{"unsupported", "br", []byte(payload), "", eUnsupportedEncoding},
		{"not gzip", "gzip", []byte(payload), "", "read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != nil {
				body = bytes.NewReader(tt.body)
			}
			r := httptest.NewRequest(http.MethodPost, "/v1.0/chats", body)
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			err := decodeBody(r)
			if tt.wantErr == eUnsupportedEncoding {
				if teamsops.ErrorCode(err) != eUnsupportedEncoding {
					t.Fatalf("decodeBody: %v, want %s", err, eUnsupportedEncoding)
				}
				return
			} else if err != nil {
				t.Fatalf("decodeBody: %v", err)
			}
			got, err := io.ReadAll(r.Body)
			if tt.wantErr == "read" {
				if err == nil {
					t.Fatalf("read %q, want an error", got)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("read %q, %v; want %q", got, err, tt.want)
			}
			if strings.Contains(strings.ToLower(tt.encoding), "gzip") && r.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding %q left on the request", r.Header.Get("Content-Encoding"))
			}
		})
	}
}

// TestUnsupportedEncoding checks that a coding the edge cannot undo is a
// 415 in Graph's envelope: Kiota then sends the body uncompressed.
func TestUnsupportedEncoding(t *testing.T) {
	s := &Server{PublicURL: "http://teamsops.test", Logger: slog.New(slog.DiscardHandler)}
	r := httptest.NewRequest(http.MethodPost, "/v1.0/chats", strings.NewReader("compressed"))
	r.Header.Set("Content-Encoding", "br")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("status %d, want 415: %s", w.Code, w.Body)
	}
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.Error.Code != "UnsupportedMediaType" {
		t.Errorf("body %s, want Graph's error with code UnsupportedMediaType", w.Body)
	}
}
