package postgres_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/postgres"
)

// TestUpdatesQueuedCommitTogether holds every leader of the group commit
// busy, queues more updates, and checks that those run in one
// transaction, each committing or rolling back alone, and none failed by
// another's caller hanging up or by another's failed statement.
func TestUpdatesQueuedCommitTogether(t *testing.T) {
	s := open(t, inSchema(t, testdb.PostgresDSN(t), "grouped"))
	defer s.Close()
	ctx := t.Context()
	var wg sync.WaitGroup
	release := holdLeaders(t, s, &wg)
	const queued = 6
	stop := errors.New("stop")
	txs := make([]any, queued)
	errs := make([]error, queued)
	for i := range queued {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx teamsops.Tx) error {
				txs[i] = tx.Driver()
				if i == 3 {
					// Its caller gives up while its statement runs: the
					// statement, and the group, carry on.
					gone, cancel := context.WithCancel(ctx)
					time.AfterFunc(50*time.Millisecond, cancel)
					if _, err := tx.Driver().(pgx.Tx).Exec(gone, "SELECT pg_sleep(0.3)"); err != nil {
						return err
					}
				}
				if err := tx.CreateTenant(ctx, &teamsops.Tenant{ID: tenantOf(i), DisplayName: "grouped"}); err != nil {
					return err
				}
				if i == 4 {
					// A statement fails and the update goes on as if not:
					// it fails alone, not the transaction of the others.
					tx.Driver().(pgx.Tx).Exec(ctx, "SELECT 1/0")
				}
				if i == 2 {
					return stop
				}
				return nil
			})
		})
	}
	waitQueued(s, queued)
	release()
	wg.Wait()
	for i := range queued {
		if txs[i] != txs[0] {
			t.Errorf("update %d ran in a transaction of its own", i)
		}
		_, err := s.Tenant(ctx, tenantOf(i))
		switch {
		case i == 2:
			if !errors.Is(errs[i], stop) || teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
				t.Errorf("the update that failed returned %v, and its tenant reads %v", errs[i], err)
			}
		case i == 4:
			if errs[i] == nil || teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
				t.Errorf("the update whose statement failed returned %v, and its tenant reads %v", errs[i], err)
			}
		case errs[i] != nil || err != nil:
			t.Errorf("update %d returned %v, and its tenant reads %v", i, errs[i], err)
		}
	}
}

// TestCollidedUpdateRunsAgainAlone makes two groups deadlock, as two
// replicas' groups do when each holds a lock that an update of the other
// waits for, and checks that the update PostgreSQL fails (40P01) runs
// again on its own and commits instead of failing: each update alone
// locks in an order that cannot deadlock; only grouping made it collide.
func TestCollidedUpdateRunsAgainAlone(t *testing.T) {
	dsn := inSchema(t, testdb.PostgresDSN(t), "collided")
	a, b := open(t, dsn), open(t, dsn)
	defer a.Close()
	defer b.Close()
	ctx := t.Context()
	if _, err := a.Pool().Exec(ctx, `CREATE TABLE locked (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 0);
		INSERT INTO locked (id) VALUES (1), (2)`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	releaseA, releaseB := holdLeaders(t, a, &wg), holdLeaders(t, b, &wg)
	// In each store a group of two: the first update shares a row, the
	// second, once the other group shares the other row, writes that.
	shared := []chan struct{}{make(chan struct{}), make(chan struct{})}
	var runs [2]atomic.Int32
	errs := make([]error, 4)
	for i, s := range []*postgres.Store{a, b} {
		mine, other := i+1, 2-i
		wg.Go(func() {
			errs[2*i] = s.Update(ctx, func(tx teamsops.Tx) error {
				_, err := tx.Driver().(pgx.Tx).Exec(ctx, "SELECT 1 FROM locked WHERE id = $1 FOR KEY SHARE", mine)
				close(shared[i])
				return err
			})
		})
		waitQueued(s, 1)
		wg.Go(func() {
			errs[2*i+1] = s.Update(ctx, func(tx teamsops.Tx) error {
				runs[i].Add(1)
				<-shared[1-i]
				// FOR UPDATE, as a delivery locks its subscription: it
				// waits for the other group's FOR KEY SHARE.
				q := tx.Driver().(pgx.Tx)
				if _, err := q.Exec(ctx, "SELECT 1 FROM locked WHERE id = $1 FOR UPDATE", other); err != nil {
					return err
				}
				_, err := q.Exec(ctx, "UPDATE locked SET n = n + 1 WHERE id = $1", other)
				return err
			})
		})
		waitQueued(s, 2)
	}
	releaseA()
	releaseB()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	if got := runs[0].Load() + runs[1].Load(); got != 3 {
		t.Errorf("the writing updates ran %d times, want 3: one of them twice, after the deadlock", got)
	}
	var total int
	if err := a.Pool().QueryRow(ctx, "SELECT sum(n) FROM locked").Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 2 {
		t.Errorf("the writes committed %d times, want 2: each once", total)
	}
}

// holdLeaders keeps every leader of s's group commit busy until release
// is called, so that the updates that come next queue and run as one
// group.
func holdLeaders(t *testing.T, s *postgres.Store, wg *sync.WaitGroup) (release func()) {
	ctx := t.Context()
	held := make(chan struct{})
	var busy sync.WaitGroup
	busy.Add(postgres.MaxLeaders)
	for range postgres.MaxLeaders {
		wg.Go(func() {
			err := s.Update(ctx, func(tx teamsops.Tx) error {
				busy.Done()
				<-held
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	busy.Wait()
	return func() { close(held) }
}

// waitQueued waits until n updates queue in s's group commit.
func waitQueued(s *postgres.Store, n int) {
	for postgres.QueuedUpdates(s) < n {
		runtime.Gosched()
	}
}

func tenantOf(i int) string { return "00000000-0000-0000-0000-00000000000" + string(rune('a'+i)) }
