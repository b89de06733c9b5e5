package cache

import (
	"sync/atomic"
	"unsafe"

	"github.com/teamsops/teamsops"
)

// DefaultMaxBytes is each cache's budget when New is given none: what a
// few tens of thousands of ended operations take.
const DefaultMaxBytes = 64 << 20

// Names of the caches, as Stats reports them.
const (
	AccessCache    = "access"
	OperationCache = "operations"
)

// Stats are one cache's figures at one moment.
type Stats struct {
	Name     string
	Bytes    int64 // the approximate size of what it holds
	MaxBytes int64 // its budget
	Entries  int64
	// Hits and Misses count the reads answered from memory and those that
	// went to the store, since the cache was made. Over a store that
	// cannot Sync nothing is kept, and nothing is counted.
	Hits, Misses uint64
}

// budget is the accounting of one cache: the approximate bytes it holds
// against its bound. bytes and entries change under Store.mu; hits and
// misses are counted without it.
type budget struct {
	name         string
	max          int64
	bytes        int64
	entries      int64
	hits, misses atomic.Uint64
}

func (b *budget) add(size int64) { b.bytes += size; b.entries++ }

func (b *budget) remove(size int64) { b.bytes -= size; b.entries-- }

func (b *budget) reset() { b.bytes, b.entries = 0, 0 }

// over reports whether adding size bytes would pass the budget.
func (b *budget) over(size int64) bool { return b.bytes+size > b.max }

// low is where an eviction stops: a quarter below the budget, so that it
// is paid once per many additions rather than at each.
func (b *budget) low() int64 { return b.max - b.max/4 }

func (b *budget) stats() Stats {
	return Stats{Name: b.name, Bytes: b.bytes, MaxBytes: b.max, Entries: b.entries,
		Hits: b.hits.Load(), Misses: b.misses.Load()}
}

// evictAccess forgets access answers, in the maps' arbitrary order,
// until the cache is a quarter below its budget. Nothing is made wrong
// by forgetting: the next read asks the store.
func (c *Store) evictAccess() {
	for tenant, byResource := range c.access {
		for id, byWho := range byResource {
			for k, a := range byWho {
				if c.accessBudget.bytes <= c.accessBudget.low() {
					return
				}
				c.accessBudget.remove(accessSize(k, a))
				delete(byWho, k)
			}
			if len(byWho) == 0 {
				delete(byResource, id)
			}
		}
		if len(byResource) == 0 {
			delete(c.access, tenant)
		}
	}
}

// evictOperations forgets operations as evictAccess forgets answers.
func (c *Store) evictOperations() {
	for tenant, byID := range c.ops {
		for id, op := range byID {
			if c.opsBudget.bytes <= c.opsBudget.low() {
				return
			}
			c.opsBudget.remove(operationSize(id, op))
			delete(byID, id)
		}
		if len(byID) == 0 {
			delete(c.ops, tenant)
		}
	}
}

// Stats returns the figures of the two caches: access answers, then
// operations.
func (c *Store) Stats() []Stats {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return []Stats{c.accessBudget.stats(), c.opsBudget.stats()}
}

// Forget forgets everything the caches hold: the next reads go to the
// store. An idle server calls it before it returns its free memory to the
// operating system, since an answer kept then saves little.
func (c *Store) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
}

// mapEntry approximates what a Go map spends on one entry beyond its key
// and value: its slot, control byte and growth slack.
const mapEntry = 48

// operationSize approximates the memory one cached operation holds: the
// struct, its strings' bytes, its error, and its map entry keyed by id.
func operationSize(id string, op *teamsops.Operation) int64 {
	n := int64(unsafe.Sizeof(*op)) + mapEntry + int64(len(id)) + int64(unsafe.Sizeof(op))
	n += int64(len(op.ID) + len(op.TenantID) + len(op.Resource.Kind) + len(op.Resource.ID) + len(op.Type) +
		len(op.Status) + len(op.TargetResourceID) + len(op.TargetResourceLocation) + len(op.Values))
	if e := op.Error; e != nil {
		n += int64(unsafe.Sizeof(*e)) + int64(len(e.Code)+len(e.Message))
	}
	return n
}

// accessSize approximates the memory one cached access answer holds: its
// key and value and its map entry. The maps above it (by tenant, by
// resource) are shared by many entries and not counted.
func accessSize(k who, a teamsops.ResourceAccess) int64 {
	n := int64(unsafe.Sizeof(k)+unsafe.Sizeof(a)) + mapEntry + int64(len(k.kind)+len(k.user)+len(k.appID))
	for _, g := range a.Grants {
		n += int64(unsafe.Sizeof(g)) + int64(len(g))
	}
	return n
}
