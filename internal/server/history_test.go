package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestHistoryPruned: with a retention, the server prunes the history
// older than it in the background, from its start; the operations stay.
func TestHistoryPruned(t *testing.T) {
	srv := open(t, server.Config{DB: testdb.DSN(t), PublicURL: "http://127.0.0.1:1", Demo: true,
		HistoryRetention: time.Millisecond})
	ctx := t.Context()
	if h, err := srv.Store.OperationHistory(ctx, demo.TenantID, demo.TeamOperation); err != nil || len(h.Transitions) != 1 {
		t.Fatalf("the demo operation's history before the start: %+v, %v", h, err)
	}
	start(t, srv)
	eventually(t, "the history was pruned", func() bool {
		h, err := srv.Store.OperationHistory(ctx, demo.TenantID, demo.TeamOperation)
		if err != nil {
			t.Fatal(err)
		}
		return len(h.Transitions) == 0
	})
	if _, err := srv.Store.OperationByID(ctx, demo.TenantID, demo.TeamOperation); err != nil {
		t.Errorf("the operation after its history's pruning: %v", err)
	}
}

// TestSignInGrantsPruned: the server prunes expired sign-in grants in the
// background from its start, even when it keeps the history forever; a
// grant not yet expired stays, and so does the history.
func TestSignInGrantsPruned(t *testing.T) {
	srv := open(t, server.Config{DB: testdb.DSN(t), PublicURL: "http://127.0.0.1:1", Demo: true})
	ctx := t.Context()
	expired := &teamsops.SignInGrant{TenantID: demo.TenantID, Kind: teamsops.GrantAuthorizationCode, Key: "expired",
		ExpiresAt: time.Now().Add(-time.Minute)}
	live := &teamsops.SignInGrant{TenantID: demo.TenantID, Kind: teamsops.GrantAuthorizationCode, Key: "live",
		ExpiresAt: time.Now().Add(time.Hour)}
	for _, g := range []*teamsops.SignInGrant{expired, live} {
		if err := srv.Store.AddSignInGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	start(t, srv)
	eventually(t, "the expired grant was pruned", func() bool {
		_, err := srv.Store.SignInGrant(ctx, demo.TenantID, expired.Kind, expired.Key)
		if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
			t.Fatal(err)
		}
		return err != nil
	})
	if _, err := srv.Store.SignInGrant(ctx, demo.TenantID, live.Kind, live.Key); err != nil {
		t.Errorf("the grant not yet expired: %v", err)
	}
	if h, err := srv.Store.OperationHistory(ctx, demo.TenantID, demo.TeamOperation); err != nil || len(h.Transitions) != 1 {
		t.Errorf("the history, kept forever: %+v, %v", h, err)
	}
}

// eventually polls done until it holds, failing the test if it does not
// within 20 seconds.
func eventually(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !done(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
	}
}

// TestDashboardMounted: the dashboard answers under /_teamsops/ui/ beside
// Graph, only on a loopback listener without an admin token, and Drain
// ends its event streams.
func TestDashboardMounted(t *testing.T) {
	profile, _ := engine.ProfileByName("instant")
	for _, loopback := range []bool{false, true} {
		srv, err := server.Open(t.Context(), server.Config{DB: testdb.DSN(t), PublicURL: "http://127.0.0.1:1",
			Profile: profile, Demo: true, Loopback: loopback})
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv.Handler)
		want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[loopback]
		res, err := http.Get(hs.URL + "/_teamsops/ui/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("loopback %v: %d, want %d", loopback, res.StatusCode, want)
		}
		if loopback {
			res, err := http.Get(hs.URL + "/_teamsops/ui/events")
			if err != nil {
				t.Fatal(err)
			}
			srv.Drain()
			buf := make([]byte, 4096)
			for err == nil {
				_, err = res.Body.Read(buf) // ends once drained
			}
			res.Body.Close()
		}
		hs.Close()
		srv.Close()
	}
}
