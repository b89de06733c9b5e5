package identity

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// appTokenReuse is how long an application token, once signed, is handed
// again to the same app asking for the same token. Signing costs an
// RSA-2048 private-key operation — a millisecond or more of CPU — which
// would cap the client credentials grant near a thousand tokens a second
// on a small machine however light the rest; apps in a test loop, and
// daemons on several replicas without a token cache, ask that often. A
// token is a token: OAuth lets a server answer the same one again, and
// the answer's expires_in counts down from when it was signed.
const appTokenReuse = 30 * time.Second

// maxAppTokens bounds the cache; when full it starts afresh.
const maxAppTokens = 10000

// appTokenCache holds the application tokens signed within appTokenReuse,
// by everything they say: tenant, app, audience and roles.
type appTokenCache struct {
	mu     sync.Mutex
	tokens map[string]signedToken
}

type signedToken struct {
	token       string
	signed, exp time.Time
}

func newAppTokenCache() *appTokenCache {
	return &appTokenCache{tokens: make(map[string]signedToken)}
}

func appTokenKey(c Claims) string {
	roles := slices.Clone(c.Roles)
	slices.Sort(roles)
	return c.TenantID + "\x00" + c.AppID + "\x00" + c.Audience + "\x00" + strings.Join(roles, " ")
}

// get returns the token signed for c within appTokenReuse before now.
func (a *appTokenCache) get(c Claims, now time.Time) (signedToken, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, ok := a.tokens[appTokenKey(c)]
	if !ok || now.Before(t.signed) || now.Sub(t.signed) >= appTokenReuse {
		return signedToken{}, false
	}
	return t, true
}

func (a *appTokenCache) put(c Claims, t signedToken) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.tokens) >= maxAppTokens {
		clear(a.tokens)
	}
	a.tokens[appTokenKey(c)] = t
}
