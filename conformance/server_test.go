package conformance

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// server is teamsops running in-process on a free loopback port, on a
// temporary SQLite file loaded with the demo tenant, wired the way
// "teamsops serve --demo" wires it.
type server struct {
	base   string // e.g. http://127.0.0.1:41234, without a trailing slash
	store  teamsops.Store
	issuer *identity.Issuer
	// api is the Graph handler; a test may set its Throttle before its
	// first request.
	api *httpapi.Server
}

func startServer(t *testing.T) *server {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "teamsops.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := demo.Load(ctx, store); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	iss, err := identity.NewIssuer(ctx, store, base)
	if err != nil {
		t.Fatal(err)
	}
	validator, err := identity.NewValidator(ctx, iss)
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(store)
	svc.Runner = startEngine(t, store)
	api := &httpapi.Server{
		PublicURL: base,
		Service:   svc,
		Auth:      validator,
		Identity:  iss.Handler(store),
		Ready:     store.Ping,
		Logger:    slog.New(slog.DiscardHandler),
	}
	srv.Config.Handler = api
	srv.Start()
	t.Cleanup(srv.Close)
	return &server{base: base, store: store, issuer: iss, api: api}
}

// startEngine runs operations on store as "teamsops serve" does, on the
// instant profile; it stops when the test ends.
func startEngine(t *testing.T, store *sqlite.Store) service.Runner {
	t.Helper()
	profile, err := engine.ProfileByName("instant")
	if err != nil {
		t.Fatal(err)
	}
	effects := map[teamsops.OperationType]engine.Effect{}
	for typ, effect := range service.Effects() {
		effects[typ] = effect
	}
	eng, err := engine.New(riversqlite.New(store.DB()), store, engine.Config{Profile: profile, Effects: effects})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		eng.Stop(ctx)
	})
	return eng
}
