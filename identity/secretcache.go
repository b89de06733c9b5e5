package identity

import (
	"crypto/sha256"
	"sync"
)

// secretCache remembers client secrets that matched a stored hash, so that
// an app asking for tokens again pays for bcrypt once, not per request: a
// bcrypt comparison costs tens of milliseconds of CPU, which would cap the
// token endpoint at a few dozen tokens a second per core. Only matches are
// remembered, keyed by the SHA-256 of hash and secret together: a wrong
// secret, or a secret whose hash was replaced, never hits.
type secretCache struct {
	mu      sync.Mutex
	max     int
	matched map[[sha256.Size]byte]struct{}
}

// maxCachedSecrets bounds the cache; when full it starts afresh, which
// costs one bcrypt comparison per app.
const maxCachedSecrets = 10000

func newSecretCache() *secretCache {
	return &secretCache{max: maxCachedSecrets, matched: make(map[[sha256.Size]byte]struct{})}
}

func secretCacheKey(hash, secret string) [sha256.Size]byte {
	return sha256.Sum256([]byte(hash + "\x00" + secret))
}

// known reports whether secret matched hash before.
func (c *secretCache) known(hash, secret string) bool {
	if hash == "" || secret == "" {
		return false
	}
	key := secretCacheKey(hash, secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.matched[key]
	return ok
}

// remember records that secret matched hash.
func (c *secretCache) remember(hash, secret string) {
	key := secretCacheKey(hash, secret)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.matched) >= c.max {
		clear(c.matched)
	}
	c.matched[key] = struct{}{}
}
