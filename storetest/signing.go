package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func signingKey(id string, created time.Time) *teamsops.SigningKey {
	pem := "-----BEGIN PRIVATE KEY-----\n" + id + "\n-----END PRIVATE KEY-----\n"
	return &teamsops.SigningKey{ID: id, PEM: []byte(pem), CreatedAt: created}
}

func testSigningKeys(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	keys, err := s.SigningKeys(ctx)
	must(t, err)
	if len(keys) != 0 {
		t.Fatalf("a new store has %d signing keys", len(keys))
	}

	first := signingKey("key-1", graphTime("2024-05-01T12:00:00.1234567Z"))
	got, err := s.EnsureSigningKey(ctx, first)
	must(t, err)
	wantEqual(t, "first key", got, first)

	// A second key, even a newer one, is ignored while one exists.
	got, err = s.EnsureSigningKey(ctx, signingKey("key-2", first.CreatedAt.Add(time.Hour)))
	must(t, err)
	wantEqual(t, "key after a second ensure", got, first)

	keys, err = s.SigningKeys(ctx)
	must(t, err)
	wantEqual(t, "signing keys", keys, []*teamsops.SigningKey{first})
}

// testSigningKeysConcurrent starts several issuers at once, as replicas
// starting together do: exactly one key wins and all of them get it.
func testSigningKeysConcurrent(t *testing.T, s teamsops.Store) {
	const n = 8
	got := make([]*teamsops.SigningKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	created := graphTime("2024-05-01T12:00:00Z")
	for i := range n {
		wg.Go(func() {
			<-start
			k := signingKey(fmt.Sprintf("key-%d", i), created.Add(time.Duration(i)*time.Second))
			got[i], errs[i] = s.EnsureSigningKey(t.Context(), k)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		must(t, errs[i])
		wantEqual(t, fmt.Sprintf("key of caller %d", i), got[i], got[0])
	}
	keys, err := s.SigningKeys(t.Context())
	must(t, err)
	wantEqual(t, "stored keys", keys, []*teamsops.SigningKey{got[0]})
}

func testPing(t *testing.T, s teamsops.Store) {
	must(t, s.Ping(t.Context()))
}
