// Package server assembles teamsops from its parts — a store and the
// engine on one database, the local token issuer and validator, the domain
// service and the HTTP edge — the way "teamsops serve" runs it and the way
// package teamsopstest runs it inside a test process. It opens no socket:
// the caller serves Handler on a listener of its choosing.
package server

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/admin"
	"github.com/teamsops/teamsops/cache"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/authlimit"
	"github.com/teamsops/teamsops/internal/tracing"
	"github.com/teamsops/teamsops/metrics"
	"github.com/teamsops/teamsops/notification"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/throttle"
	"github.com/teamsops/teamsops/webhook"
)

// Config says what to assemble.
type Config struct {
	// DB names the database: sqlite:PATH, sqlite::memory: or postgres://….
	DB string
	// DBPoolSize bounds PostgreSQL's connections (0: the DSN's or the default).
	DBPoolSize int
	// PublicURL is the base URL clients reach the server at, without a
	// trailing slash: @odata.context, links and token issuers are built on it.
	PublicURL string
	// Profile says how operations behave (engine.Profiles).
	Profile engine.Profile
	// Demo loads the demo tenant.
	Demo bool
	// Tenants are applied at start, after the demo tenant, in one
	// transaction (tenant files, read by package tenantfile).
	Tenants []*teamsops.Declaration
	// AdminToken, if set, opens the admin API under /_teamsops/ to
	// requests that carry it (package admin); without it those paths
	// answer 404.
	AdminToken string
	// Trusted are other issuers whose tokens are accepted too.
	Trusted []identity.TrustedIssuer
	// Throttle multiplies Graph's throttling limits (throttle.ParseMode);
	// 0 turns throttling off.
	Throttle float64
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// MetricsApart keeps /metrics off Handler, for an operator who serves
	// Metrics on a listener of its own (--metrics-addr).
	MetricsApart bool
	// Loopback says that Handler is served on loopback addresses only:
	// without an AdminToken, the dashboard (/_teamsops/ui/) is served only
	// then.
	Loopback bool
	// HistoryRetention is how long the history of operations (their
	// transitions and the requests that started them) is kept; 0 keeps it
	// forever.
	HistoryRetention time.Duration
	// JobRetention is how long River keeps the job of an operation that
	// has ended (engine.Config.JobRetention); 0 keeps it forever.
	JobRetention time.Duration
	// ChangeRetention is how long the SQLite change log keeps a change
	// (sqlite.DefaultChangeRetention when 0); PostgreSQL keeps none.
	ChangeRetention time.Duration
	// CacheBytes bounds each of the read caches in approximate bytes
	// (package cache; 0: cache.DefaultMaxBytes).
	CacheBytes int64
	// AllowHTTPNotifications lets subscriptions use http:// notification
	// URLs (serve --allow-http-notifications); Graph requires https.
	AllowHTTPNotifications bool
	// Notifications tunes the delivery of change notifications; zero
	// values are Graph's limits (package notification).
	Notifications NotificationSettings
	// Timeouts bound slow and idle clients; zero values are
	// DefaultTimeouts'. Handler applies the body's bound; Server.Timeouts
	// says what to set on the http.Server that serves it.
	Timeouts Timeouts
	// MaxSubscriptions bounds the subscriptions of one app in one tenant
	// (serve --max-subscriptions); 0 sets no bound.
	MaxSubscriptions int
	// Tracing exports traces of requests, operations, store calls and
	// notifications (package tracing); nil, tracing off, wraps nothing.
	Tracing *tracing.Tracing
	// OwnAddrs are the addresses (host:port) this process listens on —
	// the listener serving Handler, --metrics-addr, --pprof-addr: no
	// subscription may send its validation request or notifications there.
	OwnAddrs []string
}

// NotificationSettings tune deliveries: how long and how often a failing
// delivery is retried, and how long a receiver may take to answer. Tests
// shorten them.
type NotificationSettings struct {
	RetryFor, RetryMin, RetryMax time.Duration
	// Timeout bounds one notification POST (Graph: 3s), ValidationTimeout
	// the validation handshake (Graph: 10s).
	Timeout, ValidationTimeout time.Duration
	// TLSConfig is the TLS configuration for receivers (tests trust their
	// own authority with it); nil uses the system's.
	TLSConfig *tls.Config
}

// Server is an assembled teamsops: Open it, serve Handler, Start the
// engine, and Stop and Close it in that order.
type Server struct {
	// Store is the database every part shares.
	Store teamsops.Store
	// Issuer is the local token issuer.
	Issuer *identity.Issuer
	// Handler serves every HTTP endpoint.
	Handler http.Handler
	// Metrics serves the metrics in Prometheus' text format; Handler
	// serves it too at /metrics unless Config.MetricsApart.
	Metrics http.Handler
	// Timeouts are Config.Timeouts with their defaults filled in: Apply
	// them to the http.Server that serves Handler.
	Timeouts Timeouts

	engine   engine.Runner
	cache    *cache.Store
	waits    *service.Waits
	notifier *notification.Notifier
	dash     *dashboard.Handler
	log      *slog.Logger
	// retention and stopPruning: the pruning of the history and of
	// expired sign-in grants (history.go).
	retention   time.Duration
	stopPruning func()
}

// Open opens the database, brings its schema up to date, applies the demo
// tenant and cfg's tenants, records the public URL, and wires the parts
// together. The engine is not
// running until Start.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	log := cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler))
	b, err := OpenBackend(ctx, cfg.DB, cfg.DBPoolSize)
	if err != nil {
		return nil, err
	}
	if n, ok := b.Store.(interface{ Narrowed() []string }); ok && len(n.Narrowed()) > 0 {
		log.Warn("the database's files were readable by other local users; narrowed to 0600", "files", n.Narrowed())
	}
	if st, ok := b.Store.(interface{ SetChangeRetention(time.Duration) }); ok {
		st.SetChangeRetention(cfg.ChangeRetention)
	}
	s := &Server{Store: b.Store, log: log, retention: cfg.HistoryRetention, Timeouts: cfg.Timeouts.orDefault()}
	// The parts use the store traced; Server.Store stays the store itself.
	b.Store = cfg.Tracing.Store(b.Store)
	if err := s.wire(ctx, b, cfg); err != nil {
		b.Store.Close()
		return nil, err
	}
	return s, nil
}

// openEngine builds the engine on the store's database and migrates
// River's tables; obs receives what it observes.
func (s *Server) openEngine(ctx context.Context, b *Backend, cfg Config, obs *observer) (engine.Runner, error) {
	effects := map[teamsops.OperationType]engine.Effect{}
	for typ, effect := range service.Effects() {
		effects[typ] = effect
	}
	eng, err := b.NewEngine(engine.Config{Profile: cfg.Profile, Effects: effects, Logger: s.log, Observer: obs,
		Changes: s.notifier, Register: s.notifier.Register, Queues: s.notifier.Queues(),
		JobRetention: jobRetention(cfg.JobRetention), Middleware: cfg.Tracing.Middleware(), JobMetadata: jobMetadata(cfg.Tracing)})
	if err != nil {
		return nil, err
	}
	return eng, eng.Migrate(ctx)
}

func (s *Server) wire(ctx context.Context, b *Backend, cfg Config) error {
	var err error
	if s.Issuer, err = identity.NewIssuer(ctx, b.Store, cfg.PublicURL); err != nil {
		return err
	}
	s.notifier = newNotifier(b.Store, s.Issuer, cfg, s.log)
	obs := &observer{}
	eng, err := s.openEngine(ctx, b, cfg, obs)
	if err != nil {
		return err
	}
	s.engine = eng
	s.notifier.Start(eng)
	tenants := &service.Tenants{Store: b.Store, Jobs: eng}
	if err := loadTenants(ctx, tenants, cfg); err != nil {
		return err
	}
	// "teamsops token" builds the same issuer from the database.
	if err := b.Store.SetPublicURL(ctx, cfg.PublicURL); err != nil {
		return err
	}
	validator, err := identity.NewValidator(ctx, s.Issuer, cfg.Trusted...)
	if err != nil {
		return err
	}
	// The service reads through the cache; the engine, which writes, reads
	// the store itself.
	s.cache = cache.New(b.Store, cfg.CacheBytes)
	svc := service.New(s.cache)
	svc.Runner = eng
	svc.Notifications = s.notifier
	svc.MaxSubscriptions = cfg.MaxSubscriptions
	s.waits = service.NewWaits(b.Store)
	svc.Waits = s.waits
	m := s.newMetrics()
	obs.Metrics = m
	var throttler *throttle.Throttler
	if cfg.Throttle > 0 {
		throttler = throttle.New(cfg.Throttle)
		throttler.Recorder = throttleMetrics{m}
	}
	graph := &httpapi.Server{
		PublicURL:    cfg.PublicURL,
		Service:      svc,
		Auth:         validator,
		Identity:     s.Issuer.Handler(b.Store),
		Ready:        b.Store.Ping,
		PollInterval: cfg.Profile.PollInterval,
		Observer:     m,
		Logger:       s.log,
		Throttle:     throttler,
	}
	if cfg.Tracing != nil {
		graph.Spans = cfg.Tracing
	}
	// One count of wrong admin tokens per client address, for the admin
	// API and the dashboard's login together.
	failures := authlimit.New(authlimit.DefaultMax, authlimit.DefaultWindow)
	if cfg.AdminToken != "" {
		adm, err := admin.New(cfg.AdminToken, tenants, s.log)
		if err != nil {
			return fmt.Errorf("--admin-token: %w", err)
		}
		adm.Failures = failures
		graph.Admin = adm
	}
	s.Metrics, s.Handler = m.Handler(), graph
	if !cfg.MetricsApart {
		s.Handler = withMetrics(graph, s.Metrics)
	}
	s.dash, err = dashboard.New(dashboard.Config{Store: b.Store, Directory: tenants, PublicURL: cfg.PublicURL,
		AdminToken: cfg.AdminToken, Loopback: cfg.Loopback, Failures: failures, Logger: s.log})
	if err != nil {
		return err
	}
	s.Handler = cfg.Tracing.Handler(s.Timeouts.LimitBody(withDashboard(s.Handler, s.dash)))
	return nil
}

// jobRetention is Config.JobRetention as the engine says it: 0 there is
// River's default, and forever is negative.
func jobRetention(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}

// withDashboard serves the dashboard's paths with dash, and every other
// path with next: the dashboard is not part of the Graph edge.
func withDashboard(next, dash http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; strings.HasPrefix(p, dashboard.Prefix) || p+"/" == dashboard.Prefix {
			dash.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newNotifier assembles the delivery of change notifications.
func newNotifier(store teamsops.Store, iss *identity.Issuer, cfg Config, log *slog.Logger) *notification.Notifier {
	ns := cfg.Notifications
	return notification.New(notification.Config{
		Store: store,
		Sender: &webhook.Client{AllowHTTP: cfg.AllowHTTPNotifications, NotificationTimeout: ns.Timeout,
			ValidationTimeout: ns.ValidationTimeout, TLSConfig: ns.TLSConfig, Own: cfg.OwnAddrs,
			Trace: cfg.Tracing.Transport()},
		Render:   httpapi.NotificationJSON(cfg.PublicURL),
		Tokens:   iss,
		RetryFor: ns.RetryFor, RetryMin: ns.RetryMin, RetryMax: ns.RetryMax,
		Workers: deliveryWorkers(cfg.DB),
		Logger:  log,
	})
}

// deliveryWorkers is how many deliveries run at once in one process;
// each receiver gets a quarter of them at most (notification.Config.
// PerReceiver), so that a slow one holds only its share and the others
// deliver meanwhile. SQLite has one writer, whose lock SQLite does not
// hand out in turn: fewer deliveries there, each draining what is pending
// in large batches, add fewer writers that starve requests waiting for it
// — a delivery holds no lock while its POST waits for the receiver.
func deliveryWorkers(dsn string) int {
	if strings.HasPrefix(dsn, "sqlite:") {
		return 8
	}
	return 20
}

// loadTenants applies the demo tenant, when asked, and cfg's tenants, in
// one transaction.
func loadTenants(ctx context.Context, tenants *service.Tenants, cfg Config) error {
	ds := cfg.Tenants
	if cfg.Demo {
		d, err := demo.Declaration()
		if err != nil {
			return err
		}
		ds = append([]*teamsops.Declaration{d}, ds...)
	}
	if len(ds) == 0 {
		return nil
	}
	return tenants.Apply(ctx, ds...)
}

// Apply applies tenant declarations to the database dsn names without
// starting a server ("teamsops apply"). A server may be using the
// database: on SQLite the write waits for its lock (the busy timeout).
// It returns what it did to each tenant.
func Apply(ctx context.Context, dsn string, poolSize int, ds []*teamsops.Declaration) ([]service.Summary, error) {
	b, err := OpenBackend(ctx, dsn, poolSize)
	if err != nil {
		return nil, err
	}
	defer b.Store.Close()
	return (&service.Tenants{Store: b.Store}).ApplySummary(ctx, ds...)
}

// Start starts the engine: accepted operations run from now on. The
// pruning of expired sign-in grants, and of the history past its
// retention, starts too.
func (s *Server) Start(ctx context.Context) error {
	if err := s.engine.Start(ctx); err != nil {
		return fmt.Errorf("start engine: %w", err)
	}
	s.startPruning()
	return nil
}

// ForgetCaches empties the read caches (package cache), and has a store
// that can (SQLite's) give back what its idle connections cache, as an
// idle server does before it returns its free memory to the operating
// system.
func (s *Server) ForgetCaches() {
	s.cache.Forget()
	if r, ok := s.Store.(interface{ ReleaseMemory(context.Context) error }); ok {
		if err := r.ReleaseMemory(context.Background()); err != nil {
			s.log.Warn("idle: release the store's memory", "error", err)
		}
	}
}

// Drain answers every request held by "Prefer: wait" at once, with the
// current state, and holds none from now on, and ends the dashboard's
// event streams: call it when the server starts shutting down, so that
// held requests do not delay it.
func (s *Server) Drain() {
	s.waits.Drain()
	s.dash.Drain()
}

// Stop stops the engine, letting running attempts finish until ctx ends;
// attempts still running then are handed back and resumed at the next
// start. It stops the pruning.
func (s *Server) Stop(ctx context.Context) error {
	if s.stopPruning != nil {
		s.stopPruning()
	}
	err := s.engine.Stop(ctx)
	s.notifier.Stop()
	return err
}

// Close closes the store. Stop the engine first.
func (s *Server) Close() error {
	if s.Store == nil {
		return errors.New("server: not open")
	}
	return s.Store.Close()
}

// throttleMetrics counts refused requests in teamsops_throttled_requests_total,
// labelled by the limit: its scope and the row of Graph's table.
type throttleMetrics struct{ m *metrics.Metrics }

func (t throttleMetrics) Throttled(rt throttle.RequestType, scope throttle.Scope) {
	t.m.Throttled(string(scope) + ": " + rt.Name)
}

// jobMetadata carries each request's trace to the job of the operation it
// accepted (engine.Config.JobMetadata); nil when tracing is off, so that
// an accept does no more than without it.
func jobMetadata(t *tracing.Tracing) func(context.Context, *teamsops.Operation) []byte {
	if t == nil {
		return nil
	}
	return t.JobMetadata
}
