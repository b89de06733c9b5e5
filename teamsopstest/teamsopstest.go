// Package teamsopstest runs teamsops inside a test process, in the spirit
// of net/http/httptest: a whole server — Graph's endpoints for Teams and
// their long-running operations, the token endpoint, operations that
// really run — on a random loopback port, with its own in-memory database,
// stopped when the test ends.
//
//	func TestArchive(t *testing.T) {
//		srv := teamsopstest.NewServer(t) // the demo tenant
//		req, _ := http.NewRequest("POST", srv.URL+"/v1.0/teams/"+teamID+"/archive", nil)
//		req.Header.Set("Authorization", "Bearer "+srv.AppToken(consoleApp))
//		res, err := srv.Client().Do(req) // 202 Accepted, Location: /teams('…')/operations('…')
//		…
//	}
//
// By default the server holds PRODUCT.md's demo tenant (package demo has
// its ids); WithTenantFile and WithTenant give it tenants of your own
// instead, declared as "teamsops serve --tenant-file" reads them.
// Operations run on the instant profile: they succeed at once, unless a
// request asks for a fault (X-Teamsops-Fault). Every server is independent
// of the others, so tests that each start one may run in parallel.
//
// Point a Graph SDK at URL+"/v1.0" or URL+"/beta", with tokens from
// AppToken and UserToken, or from the token endpoint
// URL+"/{tenant}/oauth2/v2.0/token" with an app's client id and secret.
// While a test runs, URL+"/_teamsops/ui/" in a browser shows its
// operations as they happen (behind a login with WithAdminToken).
package teamsopstest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/tenantfile"
)

// TB is what NewServer needs of a test: *testing.T, *testing.B and
// *testing.F are TBs.
type TB interface {
	Helper()
	Cleanup(func())
	Fatalf(format string, args ...any)
}

// Server is a running teamsops.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:41234, with
	// no version and no trailing slash: Graph's base URLs are URL+"/v1.0"
	// and URL+"/beta", and a 202's relative Location goes after them.
	URL string
	// TenantID is the tenant tokens are issued for: the demo tenant's, or
	// the first tenant given.
	TenantID string

	t    TB
	http *httptest.Server
	srv  *server.Server
}

// Option changes what NewServer starts.
type Option func(*config) error

type config struct {
	tenants    []*teamsops.Declaration
	profile    string
	adminToken string
	throttle   float64
	tls        bool
}

// WithTenantFile gives the server the tenant a tenant file declares
// (YAML or JSON), instead of the demo tenant. Give several for several
// tenants; the first is TenantID.
func WithTenantFile(path string) Option {
	return func(c *config) error {
		ds, err := tenantfile.ReadFiles(path)
		c.tenants = append(c.tenants, ds...)
		return err
	}
}

// WithTenant is WithTenantFile for a tenant document held in memory.
func WithTenant(document []byte) Option {
	return func(c *config) error {
		d, err := tenantfile.Decode("tenant document", document)
		if err == nil {
			c.tenants = append(c.tenants, d)
		}
		return err
	}
}

// WithTLS serves https with a certificate of httptest's own, which
// Client trusts: Microsoft's identity libraries (azidentity, MSAL) accept
// only an https authority, so a test that signs in through them needs it.
func WithTLS() Option {
	return func(c *config) error { c.tls = true; return nil }
}

// WithProfile sets how operations behave: "instant" (the default),
// "fast" or "realistic", as "teamsops serve --profile".
func WithProfile(name string) Option {
	return func(c *config) error { c.profile = name; return nil }
}

// WithAdminToken enables the admin API under URL+"/_teamsops/" for
// requests that carry token, so that a test can create and delete tenants
// of its own.
func WithAdminToken(token string) Option {
	return func(c *config) error { c.adminToken = token; return nil }
}

// WithThrottle applies Graph's throttling limits multiplied by scale, as
// "teamsops serve --throttle scale=F", so that a test can reach them with
// little traffic and watch its client retry after the 429s.
func WithThrottle(scale float64) Option {
	return func(c *config) error {
		if scale <= 0 {
			return fmt.Errorf("WithThrottle(%v): the scale must be above 0", scale)
		}
		c.throttle = scale
		return nil
	}
}

// NewServer starts a server and stops it when the test ends. It fails the
// test if the server cannot start, or if an option is wrong (a tenant
// file with a problem: every problem is reported).
func NewServer(t TB, opts ...Option) *Server {
	t.Helper()
	cfg := config{profile: "instant"}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			t.Fatalf("teamsopstest: %v", err)
		}
	}
	profile, err := engine.ProfileByName(cfg.profile)
	if err != nil {
		t.Fatalf("teamsopstest: %v", err)
	}
	hs := httptest.NewUnstartedServer(nil)
	scheme := "http://"
	if cfg.tls {
		scheme = "https://"
	}
	s := &Server{URL: scheme + hs.Listener.Addr().String(), TenantID: demo.TenantID, t: t, http: hs}
	sc := server.Config{DB: "sqlite::memory:", PublicURL: s.URL, Profile: profile, Demo: len(cfg.tenants) == 0,
		Tenants: cfg.tenants, AdminToken: cfg.adminToken, Throttle: cfg.throttle, Loopback: true}
	if len(cfg.tenants) > 0 {
		s.TenantID = cfg.tenants[0].Tenant.ID
	}
	ctx := context.Background()
	if s.srv, err = server.Open(ctx, sc); err != nil {
		hs.Listener.Close()
		t.Fatalf("teamsopstest: %v", err)
	}
	hs.Config.Handler = s.srv.Handler
	s.srv.Timeouts.Apply(hs.Config)
	if cfg.tls {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(s.close)
	if err := s.srv.Start(ctx); err != nil {
		t.Fatalf("teamsopstest: %v", err)
	}
	return s
}

// close stops the server: connections, then the engine, then the store.
func (s *Server) close() {
	s.srv.Drain()
	s.http.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.srv.Stop(ctx)
	s.srv.Close()
}

// Client returns an HTTP client for the server, no token; with WithTLS it
// trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.http.Client() }

// AppToken returns an application token of TenantID for the app
// clientID, valid for an hour, carrying roles — or, without roles, the
// application permissions the tenant granted the app, as the token
// endpoint would. It mints what it is asked, granted or not, so that a
// test can check what a missing permission does.
func (s *Server) AppToken(clientID string, roles ...string) string {
	s.t.Helper()
	if len(roles) == 0 {
		app, err := s.srv.Store.AppRegistration(context.Background(), s.TenantID, clientID)
		if err != nil {
			s.t.Fatalf("teamsopstest: AppToken: %v", err)
			return ""
		}
		roles = app.Roles
	}
	return s.token(identity.Claims{TenantID: s.TenantID, AppID: clientID, Roles: roles})
}

// UserToken returns a delegated token of TenantID for the user userID
// (an object id), valid for an hour, carrying scopes, issued to Graph
// Explorer. Like AppToken it mints what it is asked.
func (s *Server) UserToken(userID string, scopes ...string) string {
	s.t.Helper()
	return s.token(identity.Claims{TenantID: s.TenantID, UserID: userID, AppID: identity.GraphExplorerClientID, Scopes: scopes})
}

func (s *Server) token(c identity.Claims) string {
	s.t.Helper()
	tok, err := s.srv.Issuer.Issue(c, time.Hour)
	if err != nil {
		s.t.Fatalf("teamsopstest: %v", fmt.Errorf("token: %w", err))
	}
	return tok
}
