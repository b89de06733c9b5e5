package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// Concurrent requests share reads, yet each gets an answer read after it
// arrived: the database's version at the read's start is never older than
// the version the request saw when it asked.
func TestFlightsShareFreshReads(t *testing.T) {
	var fs flights[string, int64]
	var version, reads atomic.Int64
	read := func(context.Context) (int64, error) {
		reads.Add(1)
		v := version.Load()
		time.Sleep(time.Millisecond) // a read takes a while
		return v, nil
	}
	var wg sync.WaitGroup
	const callers, calls = 16, 50
	for range callers {
		wg.Go(func() {
			for range calls {
				version.Add(1) // a write commits…
				asked := version.Load()
				got, err := fs.do(context.Background(), "k", read) // …then a request asks
				if err != nil {
					t.Error(err)
					return
				}
				if got < asked {
					t.Errorf("answer read at version %d for a request that arrived at version %d", got, asked)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := reads.Load(); n >= callers*calls {
		t.Errorf("%d reads for %d requests: nothing was shared", n, callers*calls)
	}
}

// A request that goes away gets its context's error; the others get the
// shared read's answer, which does not end with it.
func TestFlightsCancel(t *testing.T) {
	var fs flights[string, int]
	release := make(chan struct{})
	read := func(ctx context.Context) (int, error) {
		<-release
		return 7, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	gone := make(chan error, 1)
	go func() { _, err := fs.do(ctx, "k", read); gone <- err }()
	stays := make(chan int, 1)
	go func() { v, _ := fs.do(context.Background(), "k", read); stays <- v }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Errorf("the request that went away got %v", err)
	}
	close(release)
	if v := <-stays; v != 7 {
		t.Errorf("the request that stayed got %d, want 7", v)
	}
}

// Equal queries share a key; queries that differ in anything do not.
func TestQueryKey(t *testing.T) {
	status := func(s string) *teamsops.Filter {
		return &teamsops.Filter{Op: teamsops.FilterEq, Property: "status", Value: s}
	}
	a := teamsops.OperationQuery{Filter: status("succeeded"), Top: 21, Count: true}
	if queryKey(a) != queryKey(teamsops.OperationQuery{Filter: status("succeeded"), Top: 21, Count: true}) {
		t.Error("equal queries have different keys")
	}
	for _, b := range []teamsops.OperationQuery{
		{Filter: status("failed"), Top: 21, Count: true},
		{Filter: status("succeeded"), Top: 20, Count: true},
		{Filter: status("succeeded"), Top: 21, Skip: 1, Count: true},
		{Filter: status("succeeded"), Top: 21},
		{Top: 21, Count: true},
		{Filter: &teamsops.Filter{Op: teamsops.FilterNot, Left: status("succeeded")}, Top: 21, Count: true},
		{Filter: &teamsops.Filter{Op: teamsops.FilterEq, Property: "attemptsCount", Value: "1"}, Top: 21, Count: true},
		{Filter: &teamsops.Filter{Op: teamsops.FilterEq, Property: "attemptsCount", Value: int64(1)}, Top: 21, Count: true},
	} {
		if queryKey(a) == queryKey(b) {
			t.Errorf("%+v and %+v share a key", a, b)
		}
	}
}
