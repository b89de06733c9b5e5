// Package cache keeps in memory what the hot read path asks the store for
// again and again — a caller's access facts on a chat, team or group, and
// operations that have ended — and forgets each answer as soon as the
// store's change feed (teamsops.Store.Watch) says it may have become
// wrong: a member removed, a grant revoked, a tenant file applied, on this
// process or on another replica.
//
// An answer read from the database is kept only if no change that could
// concern it was reported while it was being read, and nothing is kept or
// served while the feed says changes may be missed (a ChangeReset that is
// not Live), so a cached answer is never one that a reported change has
// made stale.
//
// Access facts decide who may see what, so answers are kept in memory
// only over a store that can bring its feed up to date on demand
// (Syncer): before each answer from memory, every change committed until
// then, by any process, has been heard. The SQLite store can, cheaply.
// The PostgreSQL store cannot — its replicas hear of each other's changes
// a moment after they commit, through LISTEN/NOTIFY — so over it nothing
// is kept: concurrent requests for the same answer share one read that
// began after all of them arrived (flights), which is as fresh as a read
// of each one's own.
package cache

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/teamsops/teamsops"
)

// Syncer is a store that can make its change feed current: when Sync
// returns, every change committed before it was called has been reported
// to the store's watchers.
type Syncer interface {
	Sync(ctx context.Context) error
}

// Store is a teamsops.Store whose Access and Operation are cached; every
// other method is the wrapped store's.
type Store struct {
	teamsops.Store
	cancel func()
	syncer Syncer // nil: nothing is kept; reads are shared (flights)

	accessReads   flights[accessKey, teamsops.ResourceAccess]
	opReads       flights[opKey, *teamsops.Operation]
	opAccessReads flights[opAccessKey, opAccess]
	listReads     flights[listKey, page]

	mu   sync.RWMutex
	live bool
	// epoch counts the changes that concern each tenant's access facts or
	// operations; a read keeps its answer only if the count did not move
	// while it read. all counts resets.
	all          uint64
	accessEpochs map[string]uint64
	opEpochs     map[string]uint64
	// access[tenant][resource id][who] and ops[tenant][operation id],
	// each within its budget of bytes.
	access                  map[string]map[string]map[who]teamsops.ResourceAccess
	ops                     map[string]map[string]*teamsops.Operation
	accessBudget, opsBudget budget
}

type accessKey struct {
	tenant string
	ref    teamsops.ResourceRef
	who    who
}

type opAccessKey struct {
	access accessKey
	id     string
}

type opAccess struct {
	a  teamsops.ResourceAccess
	op *teamsops.Operation
}

type opKey struct {
	tenant string
	ref    teamsops.ResourceRef
	id     string
}

// who is the caller and resource kind an access answer is for; a team and
// its group share an id, so one resource id holds both kinds.
type who struct {
	kind        teamsops.ResourceKind
	user, appID string
}

// New wraps s; maxBytes bounds each of its two caches, of access answers
// and of ended operations, in approximate bytes (0: DefaultMaxBytes).
// Past its bound, a cache forgets an arbitrary quarter of what it holds.
func New(s teamsops.Store, maxBytes int64) *Store {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	c := &Store{Store: s, live: true}
	c.accessBudget = budget{name: AccessCache, max: maxBytes}
	c.opsBudget = budget{name: OperationCache, max: maxBytes}
	c.syncer, _ = s.(Syncer)
	c.clear()
	c.cancel = s.Watch(c.changed)
	return c
}

// Close stops watching and closes the wrapped store.
func (c *Store) Close() error {
	c.cancel()
	return c.Store.Close()
}

// Access implements teamsops.Store.Access from the cache when it can.
func (c *Store) Access(ctx context.Context, tenantID string, ref teamsops.ResourceRef, userID, clientAppID string) (teamsops.ResourceAccess, error) {
	if c.syncer == nil {
		return c.accessReads.do(ctx, accessKey{tenantID, ref, who{ref.Kind, userID, clientAppID}},
			func(ctx context.Context) (teamsops.ResourceAccess, error) {
				return c.Store.Access(ctx, tenantID, ref, userID, clientAppID)
			})
	}
	if err := c.syncer.Sync(ctx); err != nil {
		return teamsops.ResourceAccess{}, err
	}
	key := who{ref.Kind, userID, clientAppID}
	c.mu.RLock()
	a, ok := c.access[tenantID][ref.ID][key]
	epoch, all, live := c.accessEpochs[tenantID], c.all, c.live
	c.mu.RUnlock()
	if ok {
		c.accessBudget.hits.Add(1)
		return a, nil
	}
	c.accessBudget.misses.Add(1)
	a, err := c.Store.Access(ctx, tenantID, ref, userID, clientAppID)
	if err != nil || !live {
		return a, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && c.all == all && c.accessEpochs[tenantID] == epoch {
		if _, had := c.access[tenantID][ref.ID][key]; !had {
			size := accessSize(key, a)
			// Evicting first: it deletes the maps it empties, so a map made
			// for this answer before it could be gone after it.
			if c.accessBudget.over(size) {
				c.evictAccess()
			}
			byResource := c.access[tenantID]
			if byResource == nil {
				byResource = map[string]map[who]teamsops.ResourceAccess{}
				c.access[tenantID] = byResource
			}
			if byResource[ref.ID] == nil {
				byResource[ref.ID] = map[who]teamsops.ResourceAccess{}
			}
			byResource[ref.ID][key] = a
			c.accessBudget.add(size)
		}
	}
	return a, nil
}

// Operation implements teamsops.Store.Operation, from the cache for an
// operation that has ended.
func (c *Store) Operation(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	if c.syncer == nil {
		op, err := c.opReads.do(ctx, opKey{tenantID, ref, id}, func(ctx context.Context) (*teamsops.Operation, error) {
			return c.Store.Operation(ctx, tenantID, ref, id)
		})
		if err != nil {
			return nil, err
		}
		copied := *op // shared by the requests of one read
		return &copied, nil
	}
	c.mu.RLock()
	op, ok := c.ops[tenantID][id]
	epoch, all, live := c.opEpochs[tenantID], c.all, c.live
	c.mu.RUnlock()
	if ok {
		c.opsBudget.hits.Add(1)
		if op.Resource != ref {
			return nil, teamsops.Errorf(teamsops.ENOTFOUND, "Operation '%s' was not found.", id)
		}
		copied := *op
		return &copied, nil
	}
	c.opsBudget.misses.Add(1)
	op, err := c.Store.Operation(ctx, tenantID, ref, id)
	if err != nil || !live || !ended(op) {
		return op, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && c.all == all && c.opEpochs[tenantID] == epoch {
		if _, had := c.ops[tenantID][id]; !had {
			copied := *op
			size := operationSize(id, &copied)
			if c.opsBudget.over(size) { // first, as in Access
				c.evictOperations()
			}
			if c.ops[tenantID] == nil {
				c.ops[tenantID] = map[string]*teamsops.Operation{}
			}
			c.ops[tenantID][id] = &copied
			c.opsBudget.add(size)
		}
	}
	return op, nil
}

// changed forgets what a change may have made wrong.
func (c *Store) changed(ch teamsops.Change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ch.Kind {
	case teamsops.ChangeAccess:
		c.accessEpochs[ch.TenantID]++
		if ch.Resource.ID == "" {
			c.forgetAccess(ch.TenantID)
		} else if byResource := c.access[ch.TenantID]; byResource != nil {
			for k, a := range byResource[ch.Resource.ID] {
				c.accessBudget.remove(accessSize(k, a))
			}
			delete(byResource, ch.Resource.ID)
		}
	case teamsops.ChangeOperation:
		c.opEpochs[ch.TenantID]++
		if byID := c.ops[ch.TenantID]; byID != nil {
			if op, ok := byID[ch.OperationID]; ok {
				c.opsBudget.remove(operationSize(ch.OperationID, op))
				delete(byID, ch.OperationID)
			}
		}
	case teamsops.ChangeTenant:
		c.accessEpochs[ch.TenantID]++
		c.opEpochs[ch.TenantID]++
		c.forgetAccess(ch.TenantID)
		for id, op := range c.ops[ch.TenantID] {
			c.opsBudget.remove(operationSize(id, op))
		}
		delete(c.ops, ch.TenantID)
	case teamsops.ChangeReset:
		c.live = ch.Live
		c.clear()
	}
}

// clear forgets everything.
func (c *Store) clear() {
	c.all++
	c.access = map[string]map[string]map[who]teamsops.ResourceAccess{}
	c.ops = map[string]map[string]*teamsops.Operation{}
	c.accessEpochs, c.opEpochs = map[string]uint64{}, map[string]uint64{}
	c.accessBudget.reset()
	c.opsBudget.reset()
}

// forgetAccess forgets every access answer of a tenant.
func (c *Store) forgetAccess(tenantID string) {
	for _, byWho := range c.access[tenantID] {
		for k, a := range byWho {
			c.accessBudget.remove(accessSize(k, a))
		}
	}
	delete(c.access, tenantID)
}

func ended(op *teamsops.Operation) bool {
	return op.Status == teamsops.OperationStatusSucceeded || op.Status == teamsops.OperationStatusFailed
}

// OperationWithAccess implements teamsops.Store.OperationWithAccess: from
// memory as Access and Operation are, or, over PostgreSQL, one read
// shared by concurrent requests for the same answer.
func (c *Store) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id, userID, clientAppID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	if c.syncer == nil {
		key := opAccessKey{accessKey{tenantID, ref, who{ref.Kind, userID, clientAppID}}, id}
		r, err := c.opAccessReads.do(ctx, key, func(ctx context.Context) (opAccess, error) {
			a, op, err := c.Store.OperationWithAccess(ctx, tenantID, ref, id, userID, clientAppID)
			return opAccess{a, op}, err
		})
		if err != nil || r.op == nil {
			return r.a, nil, err
		}
		copied := *r.op // shared by the requests of one read
		return r.a, &copied, nil
	}
	a, err := c.Access(ctx, tenantID, ref, userID, clientAppID)
	if err != nil || !a.Exists {
		return a, nil, err
	}
	op, err := c.Operation(ctx, tenantID, ref, id)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return a, nil, nil
	}
	return a, op, err
}

type listKey struct {
	tenant string
	ref    teamsops.ResourceRef
	query  string // the query, written out (queryKey)
}

type page struct {
	ops   []*teamsops.Operation
	count int
}

// ListOperations implements teamsops.Store.ListOperations; over
// PostgreSQL, concurrent requests for the same page share one read.
func (c *Store) ListOperations(ctx context.Context, tenantID string, ref teamsops.ResourceRef, q teamsops.OperationQuery) ([]*teamsops.Operation, int, error) {
	if c.syncer != nil {
		return c.Store.ListOperations(ctx, tenantID, ref, q)
	}
	p, err := c.listReads.do(ctx, listKey{tenantID, ref, queryKey(q)}, func(ctx context.Context) (page, error) {
		ops, n, err := c.Store.ListOperations(ctx, tenantID, ref, q)
		return page{ops, n}, err
	})
	if err != nil {
		return nil, 0, err
	}
	ops := make([]*teamsops.Operation, len(p.ops)) // shared by the requests of one read
	for i, op := range p.ops {
		copied := *op
		ops[i] = &copied
	}
	return ops, p.count, nil
}

// queryKey writes a query out, so that equal queries have equal keys.
func queryKey(q teamsops.OperationQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d/%d/%t/", q.Top, q.Skip, q.Count)
	var walk func(f *teamsops.Filter)
	walk = func(f *teamsops.Filter) {
		if f == nil {
			b.WriteString("-")
			return
		}
		fmt.Fprintf(&b, "(%s %q %T:%v ", f.Op, f.Property, f.Value, f.Value)
		walk(f.Left)
		walk(f.Right)
		b.WriteString(")")
	}
	walk(q.Filter)
	return b.String()
}
