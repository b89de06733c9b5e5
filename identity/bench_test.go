package identity_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/sqlite"
)

// BenchmarkAuthorizePage measures the sign-in page's latency on the
// server's side: an authorization request of the demo's public client
// from a browser without a session, answered with the user name page. It
// runs the handler on the bare SQLite store, without serve's cache and
// without a socket, as the other in-process benchmarks do
// (docs/performance.md).
func BenchmarkAuthorizePage(b *testing.B) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := demo.Load(ctx, db); err != nil {
		b.Fatal(err)
	}
	iss, err := identity.NewIssuer(ctx, db, "http://127.0.0.1:8400")
	if err != nil {
		b.Fatal(err)
	}
	h := iss.Handler(db)
	target := newAuthRequest(demo.TenantID, "http://localhost:8400/").path()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `name="loginfmt"`) {
		b.Fatalf("not the user name page: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		if rec := get(); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
