package conformance

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// server is teamsops running in-process on a free loopback port, on a
// temporary SQLite file loaded with the demo tenant, wired the way
// "teamsops serve --demo" wires it.
type server struct {
	base  string // e.g. http://127.0.0.1:41234, without a trailing slash
	store teamsops.Store
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
	srv.Config.Handler = &httpapi.Server{
		PublicURL: base,
		Service:   service.New(store),
		Auth:      validator,
		Identity:  iss.Handler(store),
		Ready:     store.Ping,
		Logger:    slog.New(slog.DiscardHandler),
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return &server{base: base, store: store}
}
