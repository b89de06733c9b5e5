package http_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	httpapi "github.com/teamsops/teamsops/http"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
)

// countingStore counts the store reads a request makes.
type countingStore struct {
	teamsops.Store
	reads atomic.Int64
}

func (s *countingStore) Access(ctx context.Context, tenantID string, ref teamsops.ResourceRef, userID, appID string) (teamsops.ResourceAccess, error) {
	s.reads.Add(1)
	return s.Store.Access(ctx, tenantID, ref, userID, appID)
}

func (s *countingStore) Operation(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	s.reads.Add(1)
	return s.Store.Operation(ctx, tenantID, ref, id)
}

func (s *countingStore) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id, userID, appID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	s.reads.Add(1)
	return s.Store.OperationWithAccess(ctx, tenantID, ref, id, userID, appID)
}

func (s *countingStore) SigningKeys(ctx context.Context) ([]*teamsops.SigningKey, error) {
	s.reads.Add(1)
	return s.Store.SigningKeys(ctx)
}

// stack is the whole server in process: routing, token check,
// authorization, SQLite and JSON, without a network in between.
func stack(tb testing.TB) (http.Handler, *countingStore, string) {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := demo.Load(ctx, db); err != nil {
		tb.Fatal(err)
	}
	store := &countingStore{Store: db}
	iss, err := identity.NewIssuer(ctx, store, "http://127.0.0.1:8080")
	if err != nil {
		tb.Fatal(err)
	}
	validator, err := identity.NewValidator(ctx, iss)
	if err != nil {
		tb.Fatal(err)
	}
	token, err := iss.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, 24*60*60*1e9)
	if err != nil {
		tb.Fatal(err)
	}
	h := &httpapi.Server{PublicURL: "http://127.0.0.1:8080", Service: service.New(store), Auth: validator, Logger: discardLogger()}
	return h, store, token
}

func seedRequest(token string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, seedPath, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// TestGetMakesOneStoreRead pins the GET path's store work: the caller's
// access to the chat and the operation, in one read; nothing else, token
// check included, once the token has been seen.
func TestGetMakesOneStoreRead(t *testing.T) {
	h, store, token := stack(t)
	h.ServeHTTP(httptest.NewRecorder(), seedRequest(token)) // first use of the token
	store.reads.Store(0)
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, seedRequest(token))
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if n := store.reads.Load(); n != 3 {
		t.Errorf("3 GETs made %d store reads, want 3", n)
	}
}

// BenchmarkGetOperation measures the seed's GET through the whole stack.
// See docs/performance.md.
func BenchmarkGetOperation(b *testing.B) {
	h, _, token := stack(b)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, seedRequest(token))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkListOperations measures a list with $filter, $select and $count.
func BenchmarkListOperations(b *testing.B) {
	h, _, token := stack(b)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, chatOps+"?$filter=status%20eq%20'succeeded'&$select=id,status&$count=true", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
