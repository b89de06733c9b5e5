package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
)

const defaultAddr = "127.0.0.1:8080"

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", defaultAddr, "address to listen on")
	db := fs.String("db", "sqlite:teamsops.db", "database: sqlite:PATH, sqlite::memory: or postgres://…")
	publicURL := fs.String("public-url", "", "base URL written into @odata.context and links (default http://{addr})")
	loadDemo := fs.Bool("demo", false, "load the demo tenant (idempotent)")
	var trusted multiFlag
	fs.Var(&trusted, "trust-issuer", "also accept tokens of ISSUER=JWKS_FILE_OR_URL (repeatable; ISSUER may contain {tenantid})")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(*publicURL, "/")
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	srv, closeStore, err := newServer(ctx, *db, base, *loadDemo, trusted, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer closeStore()
	logger.Info("serving", "addr", ln.Addr().String(), "public_url", base, "db", redact(*db), "demo", *loadDemo)
	return serveUntilDone(ctx, ln, srv, logger)
}

// newServer opens the store, loads the demo tenant if asked, and wires the
// issuer, validator, service and HTTP edge together.
func newServer(ctx context.Context, db, base string, loadDemo bool, trusted []string, logger *slog.Logger) (*httpapi.Server, func(), error) {
	store, err := openStore(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*httpapi.Server, func(), error) {
		store.Close()
		return nil, nil, err
	}
	if loadDemo {
		if err := demo.Load(ctx, store); err != nil {
			return fail(err)
		}
	}
	iss, err := identity.NewIssuer(ctx, store, base)
	if err != nil {
		return fail(err)
	}
	var issuers []identity.TrustedIssuer
	for _, spec := range trusted {
		ti, err := identity.ParseTrustedIssuer(spec)
		if err != nil {
			return fail(fmt.Errorf("--trust-issuer: %w", err))
		}
		issuers = append(issuers, ti)
	}
	validator, err := identity.NewValidator(ctx, iss, issuers...)
	if err != nil {
		return fail(err)
	}
	srv := &httpapi.Server{
		PublicURL: base,
		Service:   service.New(store),
		Auth:      validator,
		Identity:  iss.Handler(store),
		Ready:     store.Ping,
		Logger:    logger,
	}
	return srv, func() { store.Close() }, nil
}

// serveUntilDone serves until ctx ends (SIGINT or SIGTERM), then stops
// accepting connections and lets requests in flight finish.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
