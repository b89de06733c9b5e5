package main

import (
	"context"
	"crypto/tls"
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

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
)

const defaultAddr = "127.0.0.1:8080"

// shutdownGrace bounds how long SIGTERM waits for requests and running
// attempts; attempts still running then are handed back to the queue and
// resumed at the next start.
const shutdownGrace = 20 * time.Second

// serveConfig is what the serve command's flags say.
type serveConfig struct {
	addr, db, publicURL, profile string
	tlsCert, tlsKey              string
	dbPoolSize                   int
	demo                         bool
	trusted                      multiFlag
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&c.db, "db", "sqlite:teamsops.db", "database: sqlite:PATH, sqlite::memory: or postgres://…")
	fs.IntVar(&c.dbPoolSize, "db-pool-size", 0, "most PostgreSQL connections of this process (default: the DSN's pool_max_conns, else 16)")
	fs.StringVar(&c.publicURL, "public-url", "", "base URL written into @odata.context and links (default http://{addr})")
	fs.StringVar(&c.profile, "profile", engine.DefaultProfile, "timing profile of operations: instant, fast or realistic")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fs.BoolVar(&c.demo, "demo", false, "load the demo tenant (idempotent)")
	fs.Var(&c.trusted, "trust-issuer", "also accept tokens of ISSUER=JWKS_FILE_OR_URL (repeatable; ISSUER may contain {tenantid})")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	profile, err := engine.ProfileByName(c.profile)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, scheme, err := listen(c)
	if err != nil {
		return err
	}
	defer ln.Close()
	base := strings.TrimSuffix(c.publicURL, "/")
	if base == "" {
		base = scheme + "://" + ln.Addr().String()
	}
	b, err := openBackend(ctx, c.db, c.dbPoolSize)
	if err != nil {
		return err
	}
	defer b.store.Close()
	srv, eng, err := newServer(ctx, b, c, base, profile, logger)
	if err != nil {
		return err
	}
	if err := eng.Start(ctx); err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "public_url", base, "db", redact(c.db), "demo", c.demo, "profile", profile.Name)
	err = serveUntilDone(ctx, ln, srv, logger)
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return errors.Join(err, eng.Stop(stopCtx))
}

// newServer loads the demo tenant if asked, and wires the engine, issuer,
// validator, service and HTTP edge together.
func newServer(ctx context.Context, b *backend, c serveConfig, base string, profile engine.Profile, logger *slog.Logger) (*httpapi.Server, engine.Runner, error) {
	if c.demo {
		if err := demo.Load(ctx, b.store); err != nil {
			return nil, nil, err
		}
	}
	effects := map[teamsops.OperationType]engine.Effect{}
	for typ, effect := range service.Effects() {
		effects[typ] = effect
	}
	eng, err := b.newEngine(engine.Config{Profile: profile, Effects: effects, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	if err := eng.Migrate(ctx); err != nil {
		return nil, nil, err
	}
	iss, err := identity.NewIssuer(ctx, b.store, base)
	if err != nil {
		return nil, nil, err
	}
	var issuers []identity.TrustedIssuer
	for _, spec := range c.trusted {
		ti, err := identity.ParseTrustedIssuer(spec)
		if err != nil {
			return nil, nil, fmt.Errorf("--trust-issuer: %w", err)
		}
		issuers = append(issuers, ti)
	}
	validator, err := identity.NewValidator(ctx, iss, issuers...)
	if err != nil {
		return nil, nil, err
	}
	svc := service.New(b.store)
	svc.Runner = eng
	srv := &httpapi.Server{
		PublicURL: base,
		Service:   svc,
		Auth:      validator,
		Identity:  iss.Handler(b.store),
		Ready:     b.store.Ping,
		Logger:    logger,
	}
	return srv, eng, nil
}

// listen opens the listening socket: plain HTTP, or HTTPS when a
// certificate is given. Clients such as Graph's JavaScript SDK send their
// token only over https (docs/compatibility.md).
func listen(c serveConfig) (net.Listener, string, error) {
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return nil, "", errors.New("--tls-cert and --tls-key go together")
	}
	var cfg *tls.Config
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return nil, "", fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil || cfg == nil {
		return ln, "http", err
	}
	return tls.NewListener(ln, cfg), "https", nil
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
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
