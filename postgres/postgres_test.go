package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/postgres"
	"github.com/teamsops/teamsops/storetest"
)

// TestStore runs the conformance suite on one new database per run, each
// subtest in a schema of its own (search_path), which is much quicker
// than a database each.
func TestStore(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	n := 0
	storetest.Run(t, func(t *testing.T) teamsops.Store {
		n++
		return open(t, inSchema(t, dsn, fmt.Sprintf("store_%d", n)))
	})
}

// inSchema creates schema in the database dsn and returns a DSN whose
// connections use it.
func inSchema(t *testing.T, dsn, schema string) string {
	t.Helper()
	s := open(t, dsn)
	defer s.Close()
	if _, err := s.Pool().Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// open opens a store the caller closes.
func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Replicas starting together on a new database migrate one at a time:
// every Open succeeds, and each migration is recorded once.
func TestConcurrentOpen(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	also := 0
	var mu sync.Mutex
	for i := range n {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), dsn, postgres.Options{PoolSize: 2,
				AlsoMigrate: func(ctx context.Context, _ *pgxpool.Pool) error {
					mu.Lock()
					defer mu.Unlock()
					also++
					return nil
				}})
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	s := open(t, dsn)
	defer s.Close()
	var versions, distinct int
	err := s.Pool().QueryRow(t.Context(), "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&versions, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	if versions != distinct || versions == 0 {
		t.Errorf("schema_migrations holds %d rows of %d versions", versions, distinct)
	}
	if also != n {
		t.Errorf("AlsoMigrate ran %d times, want %d", also, n)
	}
}

// Two stores on one database are two replicas: what one commits, the
// other reports, through LISTEN/NOTIFY.
func TestReplicas(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	storetest.Replicas(t, func(t *testing.T) (teamsops.Store, teamsops.Store) {
		return open(t, dsn), open(t, dsn)
	})
}
