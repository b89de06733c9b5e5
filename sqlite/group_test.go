package sqlite

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// Concurrent updates commit in groups, yet each commits or rolls back
// whole: a failing or panicking update leaves nothing, the others' writes
// stay, and watchers hear only of what committed.
func TestGroupCommit(t *testing.T) {
	s := openClosed(t, filepath.Join(t.TempDir(), "teamsops.db"))
	ctx := t.Context()
	const tenant = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	if err := s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant}); err != nil {
		t.Fatal(err)
	}
	var heard sync.Map
	t.Cleanup(s.Watch(func(c teamsops.Change) {
		if c.Kind == teamsops.ChangeOperation {
			heard.Store(c.OperationID, true)
		}
	}))
	boom := errors.New("boom")
	const n = 200
	var wg sync.WaitGroup
	var panics atomic.Int64
	for i := range n {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					panics.Add(1)
				}
			}()
			err := s.Update(ctx, func(tx teamsops.Tx) error {
				op := &teamsops.Operation{ID: fmt.Sprintf("op-%03d", i), TenantID: tenant,
					Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "c"},
					Type:     teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusNotStarted,
					CreatedDateTime: time.Unix(int64(i), 0).UTC(), LastActionDateTime: time.Unix(int64(i), 0).UTC()}
				if err := tx.CreateOperation(ctx, op); err != nil {
					return err
				}
				switch i % 10 {
				case 3:
					return boom
				case 7:
					panic("update panics")
				}
				return nil
			})
			if i%10 == 3 && !errors.Is(err, boom) {
				t.Errorf("update %d: %v, want its own error", i, err)
			} else if i%10 != 3 && i%10 != 7 && err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if groups := s.group.groups.Load(); groups >= n {
		t.Errorf("%d transactions for %d concurrent updates: none were grouped", groups, n)
	}
	if got := panics.Load(); got != n/10 {
		t.Errorf("%d panics reached their own goroutine, want %d", got, n/10)
	}
	for i := range n {
		id := fmt.Sprintf("op-%03d", i)
		_, err := s.OperationByID(ctx, tenant, id)
		_, told := heard.Load(id)
		want := i%10 != 3 && i%10 != 7
		if (err == nil) != want || told != want {
			t.Errorf("%s: stored %v (%v), reported %v; want %v", id, err == nil, err, told, want)
		}
	}
}
