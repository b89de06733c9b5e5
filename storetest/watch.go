package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// watcher collects the changes a store reports.
type watcher struct {
	mu      sync.Mutex
	changes []teamsops.Change
	arrived chan struct{}
}

func watch(t *testing.T, s teamsops.Store) *watcher {
	t.Helper()
	w := &watcher{arrived: make(chan struct{}, 1)}
	t.Cleanup(s.Watch(func(c teamsops.Change) {
		w.mu.Lock()
		w.changes = append(w.changes, c)
		w.mu.Unlock()
		select {
		case w.arrived <- struct{}{}:
		default:
		}
	}))
	return w
}

// take returns and forgets the changes reported so far.
func (w *watcher) take() []teamsops.Change {
	w.mu.Lock()
	defer w.mu.Unlock()
	got := w.changes
	w.changes = nil
	return got
}

// await waits until a change satisfying ok is reported (by another
// process, changes arrive after the write returns), failing the test
// after a generous bound.
func (w *watcher) await(t *testing.T, what string, ok func(teamsops.Change) bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, c := range w.take() {
			if ok(c) {
				return
			}
		}
		select {
		case <-w.arrived:
		case <-deadline:
			t.Fatalf("no change reported: %s", what)
		}
	}
}

func isOperation(id string, status teamsops.OperationStatus) func(teamsops.Change) bool {
	return func(c teamsops.Change) bool {
		return c.Kind == teamsops.ChangeOperation && c.OperationID == id && c.Status == status
	}
}

func isAccess(tenant string, ref teamsops.ResourceRef) func(teamsops.Change) bool {
	return func(c teamsops.Change) bool {
		return c.Kind == teamsops.ChangeAccess && c.TenantID == tenant && c.Resource == ref
	}
}

// testWatch: every committed write that changes an operation or what
// authorization reads is reported once it has committed, and a write that
// rolls back is not.
func testWatch(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	w := watch(t, s)

	op := seedOperation(tenantA)
	must(t, s.CreateOperation(ctx, op))
	wantChanges(t, "CreateOperation", w.take(), []teamsops.Change{{Kind: teamsops.ChangeOperation,
		TenantID: tenantA, Resource: chatRef, OperationID: op.ID, Status: teamsops.OperationStatusSucceeded}})

	chat := &teamsops.Chat{ID: chatID, TenantID: tenantA, ChatType: "group", CreatedDateTime: time.Unix(1, 0).UTC(),
		Members: []teamsops.Member{{UserID: user1}}}
	must(t, s.CreateChat(ctx, chat))
	wantChanges(t, "CreateChat", w.take(), []teamsops.Change{accessOf(tenantA, chatRef)})

	grant := &teamsops.PermissionGrant{ID: "g1", TenantID: tenantA, Resource: chatRef, ClientAppID: "app",
		PermissionType: "Application", Permission: "ChatSettings.Read.Chat"}
	must(t, s.CreatePermissionGrant(ctx, grant))
	wantChanges(t, "CreatePermissionGrant", w.take(), []teamsops.Change{accessOf(tenantA, chatRef)})
	// Moved to another chat, the grant changes both.
	grant.Resource = chat2Ref
	must(t, s.CreatePermissionGrant(ctx, grant))
	wantChanges(t, "CreatePermissionGrant (moved)", w.take(), []teamsops.Change{accessOf(tenantA, chatRef), accessOf(tenantA, chat2Ref)})

	// Inside a transaction, nothing is reported before the commit.
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		op.Status = teamsops.OperationStatusFailed
		op.Error = &teamsops.OperationError{Code: "x", Message: "y"}
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return err
		}
		if got := w.take(); len(got) > 0 {
			t.Errorf("reported before the commit: %+v", got)
		}
		return tx.CreateGroup(ctx, &teamsops.Group{ID: teamID, TenantID: tenantA, CreatedDateTime: time.Unix(1, 0).UTC()})
	})
	must(t, err)
	wantChanges(t, "Update", w.take(), []teamsops.Change{
		{Kind: teamsops.ChangeOperation, TenantID: tenantA, Resource: chatRef, OperationID: op.ID, Status: teamsops.OperationStatusFailed},
		accessOf(tenantA, teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: teamID}),
	})

	// A transaction that rolls back reports nothing.
	rollback := errors.New("roll back")
	err = s.Update(ctx, func(tx teamsops.Tx) error {
		op.Status = teamsops.OperationStatusSucceeded
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	wantChanges(t, "rolled back Update", w.take(), nil)

	// A write that changes no access fact reports nothing.
	must(t, s.CreateUser(ctx, userOf(tenantA, user1)))
	wantChanges(t, "CreateUser", w.take(), nil)
}

func accessOf(tenant string, ref teamsops.ResourceRef) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenant, Resource: ref}
}

func wantChanges(t *testing.T, what string, got, want []teamsops.Change) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	wantEqual(t, what+": changes", got, want)
}

// Replicas checks what stores on one database must agree on: a change
// committed through one store is reported by every other store's Watch
// (another replica on PostgreSQL, another process on a SQLite file), and
// a sign-in grant taken through one is gone for the others. open
// returns two stores on one new database; Replicas closes them.
func Replicas(t *testing.T, open func(t *testing.T) (a, b teamsops.Store)) {
	a, b := open(t)
	t.Cleanup(func() { a.Close(); b.Close() })
	ctx := t.Context()
	createTenants(t, a)
	wa, wb := watch(t, a), watch(t, b)

	op := seedOperation(tenantA)
	op.Status = teamsops.OperationStatusInProgress
	must(t, a.CreateOperation(ctx, op))
	wb.await(t, "an operation created through the other store", isOperation(op.ID, teamsops.OperationStatusInProgress))

	err := b.Update(ctx, func(tx teamsops.Tx) error {
		op.Status = teamsops.OperationStatusSucceeded
		return tx.UpdateOperation(ctx, op)
	})
	must(t, err)
	wa.await(t, "an operation updated through the other store", isOperation(op.ID, teamsops.OperationStatusSucceeded))

	must(t, b.CreateChat(ctx, &teamsops.Chat{ID: chatID, TenantID: tenantA, ChatType: "group",
		CreatedDateTime: time.Unix(1, 0).UTC(), Members: []teamsops.Member{{UserID: user1}}}))
	wa.await(t, "a chat's members changed through the other store", isAccess(tenantA, chatRef))

	// A store does not report its own changes twice.
	wb.take()
	must(t, b.CreateOperation(ctx, seedOperation(tenantB)))
	wa.await(t, "an operation of tenant B", isOperation(seedOperationID, teamsops.OperationStatusSucceeded))
	time.Sleep(200 * time.Millisecond) // long past the other process's echo, if any
	n := 0
	for _, c := range wb.take() {
		if c.Kind == teamsops.ChangeOperation && c.TenantID == tenantB {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the writing store reported its own change %d times, want once", n)
	}

	// A code or refresh token is single use across stores too.
	takenOnce(t, []teamsops.Store{a, b})
}
