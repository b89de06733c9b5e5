package postgres_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
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
	release := make(chan struct{})
	var wg sync.WaitGroup
	var busy sync.WaitGroup
	busy.Add(postgres.MaxLeaders)
	for range postgres.MaxLeaders {
		wg.Go(func() {
			err := s.Update(ctx, func(tx teamsops.Tx) error {
				busy.Done()
				<-release
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	busy.Wait()
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
	for postgres.QueuedUpdates(s) < queued {
		runtime.Gosched()
	}
	close(release)
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

func tenantOf(i int) string { return "00000000-0000-0000-0000-00000000000" + string(rune('a'+i)) }
