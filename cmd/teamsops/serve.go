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
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/sqlcount"
	"github.com/teamsops/teamsops/sqlite"
	"github.com/teamsops/teamsops/tenantfile"
	"github.com/teamsops/teamsops/throttle"
)

const defaultAddr = "127.0.0.1:8080"

// DefaultMaxSubscriptions is --max-subscriptions' default: Graph's quota
// of subscriptions per app and tenant for users and groups
// (concepts/includes/change-notifications-supported-resources-expanded.md).
const DefaultMaxSubscriptions = 100

// shutdownGrace bounds how long SIGTERM waits for requests and running
// attempts; attempts still running then are handed back to the queue and
// resumed at the next start.
const shutdownGrace = 20 * time.Second

// serveConfig is what the serve command's flags say.
type serveConfig struct {
	addr, db, publicURL, profile string
	throttle                     string
	tlsCert, tlsKey              string
	logFormat, logLevel          string
	pprofAddr, metricsAddr       string
	dbPoolSize, maxSubscriptions int
	demo, allowHTTPNotifications bool
	countSQL                     bool
	trusted                      multiFlag
	tenantFiles                  pathsFlag
	adminToken                   string
	historyRetention             time.Duration

	// Memory and the database's size (memlimit.go).
	jobRetention, changeRetention time.Duration
	memoryLimit, cacheSize        string
}

// flags returns the serve command's flags, which set c.
func (c *serveConfig) flags(stderr io.Writer) *flag.FlagSet {
	fs := newFlagSet("serve", "usage: teamsops serve [flags]\n\n"+
		"Serves Microsoft Graph's API for Teams async operations, its sign-in and\n"+
		"token endpoints, and with --admin-token the admin API and the dashboard.\n"+
		"It creates --db if it does not exist and brings its tables up to date; the\n"+
		"tenant files of --tenant-file are applied first, all or none.\n\n"+
		"Exit status: 0 stopped by SIGINT or SIGTERM, after the requests in flight\n"+
		"ended; 2 any error (a bad flag, a tenant file's problems, a database it\n"+
		"cannot open, an address in use).\n\nflags:\n", stderr)
	fs.StringVar(&c.addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&c.db, "db", "sqlite:teamsops.db", "database: sqlite:PATH, sqlite::memory: or postgres://…")
	fs.IntVar(&c.dbPoolSize, "db-pool-size", 0, "most PostgreSQL connections of this process (default: the DSN's pool_max_conns, else 16)")
	fs.StringVar(&c.publicURL, "public-url", "", "base URL written into @odata.context and links (default http://{addr})")
	fs.StringVar(&c.profile, "profile", engine.DefaultProfile, "timing profile of operations: instant, fast or realistic")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file; needs --tls-key")
	fs.StringVar(&c.tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	fs.BoolVar(&c.demo, "demo", false, "load the demo tenant (idempotent)")
	fs.BoolVar(&c.allowHTTPNotifications, "allow-http-notifications", false,
		"let subscriptions send change notifications to http:// URLs (local development; Graph requires https)")
	fs.IntVar(&c.maxSubscriptions, "max-subscriptions", DefaultMaxSubscriptions,
		"most subscriptions (change notifications) one app may have in one tenant; 0 sets no limit")
	fs.StringVar(&c.throttle, "throttle", "off", "Graph's throttling limits: off, graph, or scale=F (every limit times F)")
	fs.Var(&c.trusted, "trust-issuer", "also accept tokens of ISSUER=JWKS_FILE_OR_URL (repeatable; ISSUER may contain {tenantid})")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "least severe level logged: debug (every request), info, warn or error")
	fs.StringVar(&c.pprofAddr, "pprof-addr", "", "serve Go's profiler (/debug/pprof/) on this address (off by default)")
	fs.BoolVar(&c.countSQL, "count-sql", false, "count the statements and transactions sent to the database, on /metrics (for the benchmark harness)")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "serve /metrics on this address instead of beside the API")
	fs.Var(&c.tenantFiles, "tenant-file", "apply this tenant file at start (repeatable; TEAMSOPS_TENANT_FILE takes a comma-separated list)")
	fs.StringVar(&c.adminToken, "admin-token", "", "enable the admin API under /_teamsops/ for requests that carry this token, and the dashboard's login")
	fs.DurationVar(&c.historyRetention, "history-retention", server.DefaultHistoryRetention,
		"keep the history of operations (the dashboard's timelines) this long; 0 keeps it forever")
	fs.DurationVar(&c.jobRetention, "job-retention", DefaultJobRetention,
		"keep the engine's job of an operation that ended (River's completed jobs) this long; 0 keeps them forever")
	fs.DurationVar(&c.changeRetention, "change-log-retention", sqlite.DefaultChangeRetention,
		"keep SQLite's log of changes, which other processes on the same file read, this long")
	fs.StringVar(&c.memoryLimit, "memory-limit", "auto",
		"Go's soft memory limit: a size (256MiB, 300MB), off, or auto (90% of the container's limit, else 96MiB); GOMEMLIMIT wins")
	fs.StringVar(&c.cacheSize, "cache-size", "auto",
		"the budget of each read cache (access answers, ended operations): a size, or auto (a sixteenth of the memory limit, 64MiB without one)")
	return fs
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	var c serveConfig
	if err := parseFlags(c.flags(stderr), args); err != nil {
		return err
	}
	tenants, err := readTenantFiles(c.tenantFiles, stderr)
	if err != nil {
		return err
	}
	profile, scale, err := c.modes()
	if err != nil {
		return err
	}
	if c.countSQL {
		sqlcount.Enable()
	}
	logger, err := newLogger(stderr, c.logFormat, c.logLevel)
	if err != nil {
		return err
	}
	cacheBytes, err := c.memory(logger)
	if err != nil {
		return err
	}
	// ownAddrs are the addresses this process listens on, which no
	// subscription may aim notifications at.
	var ownAddrs []string
	if c.pprofAddr != "" {
		stopPprof, addr, err := startSide("pprof", c.pprofAddr, pprofHandler(), logger)
		if err != nil {
			return err
		}
		defer stopPprof()
		ownAddrs = append(ownAddrs, addr)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	ln, scheme, err := listen(c)
	if err != nil {
		return err
	}
	defer ln.Close()
	ownAddrs = append(ownAddrs, ln.Addr().String())
	// The metrics listener is opened now, so that its address is known
	// before the server; it serves once the server is open.
	var metricsSide *sideListener
	if c.metricsAddr != "" {
		if metricsSide, err = listenSide("metrics", c.metricsAddr, nil); err != nil {
			return err
		}
		defer metricsSide.close()
		ownAddrs = append(ownAddrs, metricsSide.ln.Addr().String())
	}
	tracer, stopTracing, err := startTracing(ctx, logger)
	if err != nil {
		return err
	}
	defer stopTracing()
	cfg := server.Config{DB: c.db, DBPoolSize: c.dbPoolSize, PublicURL: c.baseURL(scheme, ln.Addr().String()),
		Profile: profile, Demo: c.demo, Tenants: tenants, AdminToken: c.adminToken, Throttle: scale, Logger: logger,
		MetricsApart: c.metricsAddr != "", Loopback: loopback(ln.Addr()), HistoryRetention: c.historyRetention,
		AllowHTTPNotifications: c.allowHTTPNotifications, OwnAddrs: ownAddrs,
		MaxSubscriptions: c.maxSubscriptions, JobRetention: c.jobRetention, ChangeRetention: c.changeRetention,
		CacheBytes: cacheBytes, Tracing: tracer}
	if c.maxSubscriptions < 0 {
		return errors.New("--max-subscriptions: a number of 0 (no limit) or more")
	}
	if c.historyRetention < 0 || c.jobRetention < 0 {
		return errors.New("--history-retention and --job-retention: a duration of 0 (keep forever) or more")
	}
	if c.changeRetention < time.Second {
		return errors.New("--change-log-retention: a duration of a second or more")
	}
	if cfg.Trusted, err = trustedIssuers(c.trusted); err != nil {
		return err
	}
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if metricsSide != nil {
		metricsSide.hs.Handler = metricsHandler(srv.Metrics)
		go metricsSide.serve(logger)
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	c.logStart(logger, ln.Addr().String(), cfg.PublicURL, profile.Name)
	go releaseStartMemory()
	idle := newIdleRelease(srv.ForgetCaches)
	go idle.run(ctx, time.Second, logger)
	err = serveUntilDone(ctx, ln, idle.track(srv.Handler), srv.Timeouts, srv.Drain, logger)
	stopCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return errors.Join(err, srv.Stop(stopCtx))
}

// loopback reports whether addr is a loopback address (127.0.0.1, ::1):
// only there is the dashboard served without an admin token.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// startSide serves h on a listener of its own at addr (--pprof-addr); the
// function it returns stops it, and bound is the address listened on.
func startSide(name, addr string, h http.Handler, logger *slog.Logger) (stop func(), bound string, err error) {
	side, err := listenSide(name, addr, h)
	if err != nil {
		return nil, "", err
	}
	go side.serve(logger)
	return side.close, side.ln.Addr().String(), nil
}

// baseURL is --public-url, or the URL of the address listened on.
func (c serveConfig) baseURL(scheme, addr string) string {
	if base := strings.TrimSuffix(c.publicURL, "/"); base != "" {
		return base
	}
	return scheme + "://" + addr
}

// metricsHandler serves only GET /metrics, on --metrics-addr.
func metricsHandler(metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	return mux
}

// logStart logs that the server serves, and how it was started.
func (c serveConfig) logStart(logger *slog.Logger, addr, base, profile string) {
	logger.Info("serving", "addr", addr, "public_url", base, "db", server.Redact(c.db), "demo", c.demo,
		"tenant_files", len(c.tenantFiles), "admin_api", c.adminToken != "", "profile", profile, "throttle", c.throttle)
}

// modes reads --profile and --throttle.
func (c serveConfig) modes() (engine.Profile, float64, error) {
	profile, err := engine.ProfileByName(c.profile)
	if err != nil {
		return engine.Profile{}, 0, err
	}
	scale, err := throttle.ParseMode(c.throttle)
	if err != nil {
		return engine.Profile{}, 0, fmt.Errorf("--throttle: %w", err)
	}
	return profile, scale, nil
}

// trustedIssuers reads the --trust-issuer flags.
func trustedIssuers(specs []string) ([]identity.TrustedIssuer, error) {
	var issuers []identity.TrustedIssuer
	for _, spec := range specs {
		ti, err := identity.ParseTrustedIssuer(spec)
		if err != nil {
			return nil, fmt.Errorf("--trust-issuer: %w", err)
		}
		issuers = append(issuers, ti)
	}
	return issuers, nil
}

// readTenantFiles reads and checks tenant files. When any has a problem,
// it prints every problem of every file and returns an error, so that
// nothing is applied.
func readTenantFiles(paths []string, stderr io.Writer) ([]*teamsops.Declaration, error) {
	ds, err := tenantfile.ReadFiles(paths...)
	var problems tenantfile.Errors
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return nil, fmt.Errorf("%d %s in tenant files: nothing was applied", len(problems),
			map[bool]string{true: "problem", false: "problems"}[len(problems) == 1])
	}
	return ds, err
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
// accepting connections and lets requests in flight finish. h already
// bounds reading request bodies; t's other bounds are the listener's.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, t server.Timeouts, drain func(), logger *slog.Logger) error {
	hs := &http.Server{Handler: h}
	t.Apply(hs)
	// Held requests answer at once rather than delay the shutdown.
	hs.RegisterOnShutdown(drain)
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
