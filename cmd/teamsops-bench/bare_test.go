package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBareServer: the bare server answers any request with the recorded
// status, headers and body, and stops when its context ends.
func TestBareServer(t *testing.T) {
	rec := record(reply{status: 200, body: []byte(`{"id":"x"}`), header: http.Header{
		"Content-Type":      {"application/json;odata.metadata=minimal"},
		"Request-Id":        {"r1"},
		"Date":              {"Mon, 01 Jan 2024 00:00:00 GMT"},
		"Content-Length":    {"10"},
		"Client-Request-Id": {"r1"},
	}})
	if rec.Header.Get("Date") != "" || rec.Header.Get("Content-Length") != "" {
		t.Fatalf("record kept headers net/http writes itself: %v", rec.Header)
	}
	data, _ := json.Marshal(rec)
	file := filepath.Join(t.TempDir(), "response.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- dispatch(ctx, []string{bareCommand, "--addr", addr, "--response", file}, io.Discard, io.Discard)
	}()

	c := &conn{addr: addr}
	var r reply
	for range 500 { // until it listens
		if r, err = c.do(newRequest(http.MethodGet, addr, "/anything", "tok", nil)); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.status != 200 || !bytes.Equal(r.body, rec.Body) || r.header.Get("Request-Id") != "r1" ||
		r.header.Get("Content-Type") != "application/json;odata.metadata=minimal" || r.header.Get("Content-Length") != "10" {
		t.Errorf("answered %d %q %v", r.status, r.body, r.header)
	}
	c.close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("bare server: %v", err)
	}
}
