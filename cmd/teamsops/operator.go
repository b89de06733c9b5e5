package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/teamsops/teamsops/internal/server"
)

// newLogger builds the server's logger from --log-format and --log-level.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// sideListener serves an operator's endpoint (the profiler, metrics) on
// an address of its own until ctx ends.
type sideListener struct {
	name string
	hs   *http.Server
	ln   net.Listener
}

func listenSide(name, addr string, h http.Handler) (*sideListener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--%s-addr: %w", name, err)
	}
	// The same bounds as the API's listener: a profile may take its time
	// to write (no write timeout), a client may not take its time to send.
	t := server.DefaultTimeouts
	hs := &http.Server{Handler: t.LimitBody(h)}
	t.Apply(hs)
	return &sideListener{name: name, ln: ln, hs: hs}, nil
}

func (s *sideListener) serve(logger *slog.Logger) {
	logger.Info("serving "+s.name, "addr", s.ln.Addr().String())
	if err := s.hs.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error(s.name+" listener failed", "error", err)
	}
}

func (s *sideListener) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.hs.Shutdown(ctx)
	s.ln.Close() // when it never served
}

// gcPercent is the garbage collector's target while serving, unless GOGC
// is set. The live heap is small — a few megabytes — and requests
// allocate fast: at Go's default of 100 the collector ran every few
// hundred requests, its pauses showing in the latency's tail. At 400 it
// runs a quarter as often for a few tens of megabytes more under load
// (docs/performance.md).
const gcPercent = 400

// tuneGC sets gcPercent unless the environment says otherwise, and
// returns the target in force. The memory limit (memlimit.go) caps what
// the target would allow: 400% of a live heap grown large is more than a
// container may hold, and past the limit the collector runs as often as
// it must to stay under it.
func tuneGC() string {
	if env, set := os.LookupEnv("GOGC"); set {
		return env
	}
	debug.SetGCPercent(gcPercent)
	return fmt.Sprint(gcPercent)
}

// releaseStartMemory collects what starting allocated — migrations, tenant
// files, the demo — and gives it back to the operating system: at 400% the
// collector would otherwise keep it for a long while, and an idle server
// would hold memory it no longer uses (docs/performance.md, "Footprint").
func releaseStartMemory() {
	debug.FreeOSMemory()
}

// pprofHandler serves Go's profiler (net/http/pprof) under /debug/pprof/,
// for diagnosing a live deployment; --pprof-addr turns it on.
func pprofHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
