package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// bareCommand is the hidden subcommand under which the harness starts
// itself as the bare server.
const bareCommand = "bare-server"

// recorded is one response of teamsops, replayed byte for byte by the
// bare server.
type recorded struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// record keeps r's status, body and headers, less those net/http writes
// itself (Date, and Content-Length, which it sets to the same value).
func record(r reply) recorded {
	h := r.header.Clone()
	h.Del("Date")
	h.Del("Content-Length")
	return recorded{Status: r.status, Header: h, Body: append([]byte(nil), r.body...)}
}

// serveBare is the bare server: a net/http server, configured as teamsops
// configures its own, that answers every request with one recorded
// response and does nothing else. It is the ceiling a Go server reaches
// on this machine with this client.
func serveBare(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet(bareCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	path := fs.String("response", "", "JSON file of the response to send")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b, err := os.ReadFile(*path)
	if err != nil {
		return err
	}
	var res recorded
	if err := json.Unmarshal(b, &res); err != nil {
		return fmt.Errorf("%s: %w", *path, err)
	}
	hs := &http.Server{
		Addr:              *addr,
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			for k, v := range res.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(res.Status)
			w.Write(res.Body)
		}),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
