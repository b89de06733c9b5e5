package teamsops

import (
	"context"
	"time"
)

// SignInGrantKind names a kind of SignInGrant.
type SignInGrantKind string

// Kinds of sign-in grants. The token service decides what each one's Data
// holds; the store only keeps them.
const (
	// GrantAuthorizationCode is an authorization code, redeemed once.
	GrantAuthorizationCode SignInGrantKind = "code"
	// GrantRefreshToken is a refresh token, rotated at each use.
	GrantRefreshToken SignInGrantKind = "refresh"
	// GrantDeviceCode is a device code a client polls with; GrantUserCode
	// is the code its user types on the device page, naming the former.
	GrantDeviceCode SignInGrantKind = "device"
	GrantUserCode   SignInGrantKind = "usercode"
	// GrantAssertionID is the jti of a client assertion already used.
	GrantAssertionID SignInGrantKind = "jti"
	// GrantSession is a browser's sign-in session (the account picker).
	GrantSession SignInGrantKind = "session"
	// GrantLockout counts a user's failed passwords (smart lockout).
	GrantLockout SignInGrantKind = "lockout"
)

// SignInGrant is a short-lived credential or record of the token service:
// an authorization code, a refresh token, a device code, a used assertion
// id, a browser session. Key is what finds it — for a secret, a hash of
// it, never the secret itself.
type SignInGrant struct {
	TenantID  string
	Kind      SignInGrantKind
	Key       string
	Data      []byte // the token service's own encoding
	ExpiresAt time.Time
}

// SignInGrants keeps sign-in grants for the token service, so that every
// replica on one database honours the same codes, sessions and refresh
// tokens. Expiry is the caller's to check: a grant past ExpiresAt stays
// readable until PruneSignInGrants removes it.
type SignInGrants interface {
	// AddSignInGrant records g; ECONFLICT when a grant of the same tenant,
	// kind and key exists already (a replayed assertion id).
	AddSignInGrant(ctx context.Context, g *SignInGrant) error
	// PutSignInGrant records g, replacing a grant of the same tenant, kind
	// and key.
	PutSignInGrant(ctx context.Context, g *SignInGrant) error
	// SignInGrant returns a grant; ENOTFOUND if there is none.
	SignInGrant(ctx context.Context, tenantID string, kind SignInGrantKind, key string) (*SignInGrant, error)
	// TakeSignInGrant deletes a grant and returns it: of callers taking
	// the same grant at once, in any process, exactly one gets it and the
	// others ENOTFOUND. That makes codes and refresh tokens single use.
	TakeSignInGrant(ctx context.Context, tenantID string, kind SignInGrantKind, key string) (*SignInGrant, error)
	// DeleteSignInGrant deletes a grant; deleting none changes nothing.
	DeleteSignInGrant(ctx context.Context, tenantID string, kind SignInGrantKind, key string) error
	// PruneSignInGrants deletes the grants that expired before t and
	// returns how many it deleted.
	PruneSignInGrants(ctx context.Context, t time.Time) (int64, error)
}
