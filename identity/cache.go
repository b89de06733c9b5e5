package identity

import (
	"container/list"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/teamsops/teamsops"
)

// cacheEntry is a validated token: its principal and lifetime, so that a
// hit can be checked against the clock without verifying the signature.
type cacheEntry struct {
	principal teamsops.Principal
	exp, nbf  time.Time
}

type cacheItem struct {
	key [sha256.Size]byte
	cacheEntry
}

// tokenCache holds validated tokens keyed by the SHA-256 of the raw token,
// at most max of them. When full it drops expired tokens first and then
// the oldest, making room for a tenth of max at once so that the sweep is
// paid rarely.
type tokenCache struct {
	mu      sync.Mutex
	max     int
	entries map[[sha256.Size]byte]*list.Element
	order   *list.List // of *cacheItem, oldest first
}

func newTokenCache(max int) *tokenCache {
	if max <= 0 {
		return nil
	}
	return &tokenCache{max: max, entries: make(map[[sha256.Size]byte]*list.Element), order: list.New()}
}

func (c *tokenCache) get(key [sha256.Size]byte) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return cacheEntry{}, false
	}
	return el.Value.(*cacheItem).cacheEntry, true
}

func (c *tokenCache) put(key [sha256.Size]byte, e cacheEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		el.Value.(*cacheItem).cacheEntry = e
		return
	}
	if len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[key] = c.order.PushBack(&cacheItem{key: key, cacheEntry: e})
}

// evict removes expired tokens, then the oldest until a tenth of the
// cache is free.
func (c *tokenCache) evict(now time.Time) {
	for el := c.order.Front(); el != nil; {
		next := el.Next()
		if it := el.Value.(*cacheItem); now.After(it.exp.Add(clockSkew)) {
			c.remove(el)
		}
		el = next
	}
	for len(c.entries) > 0 && len(c.entries) >= c.max-c.max/10 {
		c.remove(c.order.Front())
	}
}

func (c *tokenCache) remove(el *list.Element) {
	delete(c.entries, el.Value.(*cacheItem).key)
	c.order.Remove(el)
}

func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
