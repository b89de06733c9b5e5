package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// testDeferred checks a store whose transactions are teamsops.Deferrers:
// what an update defers is flushed once, with the values of the updates
// that committed with it and of none that rolled back, and a flush that
// fails fails its updates.
func testDeferred(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	type key struct{}
	var mu sync.Mutex
	var flushed []int
	flush := func(_ context.Context, tx any, values []any) error {
		if tx == nil {
			return errors.New("no transaction")
		}
		mu.Lock()
		defer mu.Unlock()
		for _, v := range values {
			flushed = append(flushed, v.(int))
		}
		return nil
	}
	stop := errors.New("stop")
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Update(ctx, func(tx teamsops.Tx) error {
				d, ok := tx.(teamsops.Deferrer)
				if !ok {
					return errors.ErrUnsupported
				}
				op := seedOperation(tenantA)
				op.ID = fmt.Sprintf("deferred-%d", i)
				if err := tx.CreateOperation(ctx, op); err != nil {
					return err
				}
				d.Defer(key{}, i, flush)
				if i%2 == 1 {
					return stop // rolls back the operation and the deferred value
				}
				return nil
			})
		})
	}
	wg.Wait()
	if errors.Is(errs[0], errors.ErrUnsupported) {
		t.Skip("the store's transactions defer nothing")
	}
	var want []int
	for i := range n {
		_, err := s.OperationByID(ctx, tenantA, fmt.Sprintf("deferred-%d", i))
		if i%2 == 1 {
			if !errors.Is(errs[i], stop) {
				t.Errorf("update %d returned %v, want its own error", i, errs[i])
			}
			wantCode(t, err, teamsops.ENOTFOUND, fmt.Sprintf("deferred-%d", i))
			continue
		}
		must(t, errs[i])
		must(t, err)
		want = append(want, i)
	}
	slices.Sort(flushed)
	if !slices.Equal(flushed, want) {
		t.Errorf("flushed %v, want each update that committed once: %v", flushed, want)
	}

	// A flush that fails fails its update: nothing of it commits.
	broken := errors.New("flush failed")
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		op := seedOperation(tenantA)
		op.ID = "deferred-broken"
		if err := tx.CreateOperation(ctx, op); err != nil {
			return err
		}
		tx.(teamsops.Deferrer).Defer(key{}, -1, func(context.Context, any, []any) error { return broken })
		return nil
	})
	if !errors.Is(err, broken) {
		t.Errorf("Update returned %v, want the flush's error", err)
	}
	_, err = s.OperationByID(ctx, tenantA, "deferred-broken")
	wantCode(t, err, teamsops.ENOTFOUND, "deferred-broken")
}

// testHistoryInOneUpdate checks the history of many transitions written
// in one transaction, which a store may insert many rows at a time: every
// one is kept, in order.
func testHistoryInOneUpdate(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	t0 := graphTime("2024-03-04T10:00:00Z")
	const n = 100
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		op := startedOperation(tenantA, "op-many", t0)
		op.Status, op.AttemptsCount = teamsops.OperationStatusNotStarted, 0
		if err := tx.CreateOperation(ctx, op); err != nil {
			return err
		}
		for i := 1; i < n; i++ {
			op.Status, op.AttemptsCount = teamsops.OperationStatusInProgress, i
			op.LastActionDateTime = t0.Add(time.Duration(i) * time.Second)
			if err := tx.UpdateOperation(ctx, op); err != nil {
				return err
			}
		}
		return nil
	}))
	h, err := s.OperationHistory(ctx, tenantA, "op-many")
	must(t, err)
	if len(h.Transitions) != n {
		t.Fatalf("%d transitions recorded, want %d", len(h.Transitions), n)
	}
	for i, tr := range h.Transitions {
		if tr.Attempt != i || !tr.At.Equal(t0.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("transition %d is attempt %d at %v, want attempt %d at %v", i, tr.Attempt, tr.At, i, t0.Add(time.Duration(i)*time.Second))
		}
	}
}

// testRecordTransition checks a Tx that records a transition without
// writing the operation's row (the engine's instant attempt): the history
// holds it, the row holds what UpdateOperation wrote last.
func testRecordTransition(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	t0 := graphTime("2024-03-04T10:00:00Z")
	op := startedOperation(tenantA, "op-at-once", t0)
	op.Status, op.AttemptsCount = teamsops.OperationStatusNotStarted, 0
	must(t, s.CreateOperation(ctx, op))
	type recorder interface {
		RecordTransition(ctx context.Context, op *teamsops.Operation) error
	}
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		r, ok := tx.(recorder)
		if !ok {
			return errors.ErrUnsupported
		}
		op.Status, op.AttemptsCount, op.LastActionDateTime = teamsops.OperationStatusInProgress, 1, t0.Add(time.Second)
		if err := r.RecordTransition(ctx, op); err != nil {
			return err
		}
		if got, err := tx.OperationByID(ctx, tenantA, op.ID); err != nil || got.Status != teamsops.OperationStatusNotStarted {
			return fmt.Errorf("after RecordTransition the row reads %+v, %v; want it unwritten", got, err)
		}
		op.Status, op.LastActionDateTime = teamsops.OperationStatusSucceeded, t0.Add(2*time.Second)
		return tx.UpdateOperation(ctx, op)
	})
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skip("the store's transactions record no transition alone")
	}
	must(t, err)
	got, err := s.OperationByID(ctx, tenantA, op.ID)
	must(t, err)
	if got.Status != teamsops.OperationStatusSucceeded || got.AttemptsCount != 1 {
		t.Errorf("the operation reads %s after %d attempts, want succeeded after 1", got.Status, got.AttemptsCount)
	}
	h, err := s.OperationHistory(ctx, tenantA, op.ID)
	must(t, err)
	var statuses []teamsops.OperationStatus
	for _, tr := range h.Transitions {
		statuses = append(statuses, tr.Status)
	}
	want := []teamsops.OperationStatus{teamsops.OperationStatusNotStarted, teamsops.OperationStatusInProgress, teamsops.OperationStatusSucceeded}
	if !slices.Equal(statuses, want) {
		t.Errorf("history %v, want %v", statuses, want)
	}
}
