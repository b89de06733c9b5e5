// Package feed fans committed changes out to the functions watching a
// store (teamsops.Store.Watch), for both stores.
package feed

import (
	"sync"

	"github.com/teamsops/teamsops"
)

// Feed is a set of watchers. The zero Feed has none and is ready to use.
type Feed struct {
	mu       sync.RWMutex
	next     int
	watchers map[int]func(teamsops.Change)
	// onFirst runs when the first watcher registers (a store starts
	// listening to other processes then, not before).
	onFirst func()
	started bool
}

// OnFirstWatch sets a function to run once, when the first watcher
// registers.
func (f *Feed) OnFirstWatch(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onFirst = fn
}

// Watch registers fn; the returned function unregisters it.
func (f *Feed) Watch(fn func(teamsops.Change)) (cancel func()) {
	f.mu.Lock()
	if f.watchers == nil {
		f.watchers = map[int]func(teamsops.Change){}
	}
	id := f.next
	f.next++
	f.watchers[id] = fn
	first := !f.started && f.onFirst != nil
	f.started = f.started || first
	onFirst := f.onFirst
	f.mu.Unlock()
	if first {
		onFirst()
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.watchers, id)
			f.mu.Unlock()
		})
	}
}

// Watching reports whether anyone watches.
func (f *Feed) Watching() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.watchers) > 0
}

// Publish hands every change to every watcher, in order. Watchers run
// on the caller's goroutine and may register or unregister watchers.
func (f *Feed) Publish(changes ...teamsops.Change) {
	if len(changes) == 0 {
		return
	}
	f.mu.RLock()
	fns := make([]func(teamsops.Change), 0, len(f.watchers))
	for _, fn := range f.watchers {
		fns = append(fns, fn)
	}
	f.mu.RUnlock()
	for _, fn := range fns {
		for _, c := range changes {
			fn(c)
		}
	}
}

// manyOperations is how many operation changes of one transaction
// Coalesce keeps one by one.
const manyOperations = 1000

// Coalesce shortens a long list of changes, as one transaction that
// loads a whole tenant makes: past max changes, the access changes of
// each tenant become one ChangeTenant for it. Operation changes are kept,
// since held requests wait for each operation by id — unless there are
// more than manyOperations of them (a bulk load), which become
// ChangeTenants too: a ChangeTenant wakes every waiter of its tenant.
func Coalesce(changes []teamsops.Change, max int) []teamsops.Change {
	if len(changes) <= max {
		return changes
	}
	keepOps := 0
	for _, c := range changes {
		if c.Kind == teamsops.ChangeOperation {
			keepOps++
		}
	}
	var out []teamsops.Change
	tenants := map[string]bool{}
	for _, c := range changes {
		switch {
		case c.Kind == teamsops.ChangeReset, c.Kind == teamsops.ChangeOperation && keepOps <= manyOperations:
			out = append(out, c)
		default:
			if !tenants[c.TenantID] {
				tenants[c.TenantID] = true
				out = append(out, teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: c.TenantID})
			}
		}
	}
	return out
}
