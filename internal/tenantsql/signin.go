package tenantsql

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// Sign-in grants (teamsops.SignInGrants, migration 0008_sign_in.sql) and
// the tenant of a user name's domain. A grant's time is Unix nanoseconds,
// as every time of the store.

// grantData keeps a grant's data NOT NULL: both drivers write a nil
// []byte as NULL.
func grantData(data []byte) []byte {
	if data == nil {
		return []byte{}
	}
	return data
}

// AddSignInGrant records g unless a grant of its tenant, kind and key
// exists, and reports whether it did.
func AddSignInGrant(ctx context.Context, db DB, g *teamsops.SignInGrant) (bool, error) {
	expires, err := sqlfilter.EncodeTime(g.ExpiresAt)
	if err != nil {
		return false, err
	}
	added := false
	err = db.Query(ctx, `INSERT INTO sign_in_grants (tenant_id, kind, key, data, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, kind, key) DO NOTHING
		RETURNING 1`, []any{g.TenantID, string(g.Kind), g.Key, grantData(g.Data), expires},
		func(scan func(...any) error) error {
			added = true
			var one int
			return scan(&one)
		})
	return added, err
}

// PutSignInGrant records g, replacing a grant of its tenant, kind and key.
func PutSignInGrant(ctx context.Context, db DB, g *teamsops.SignInGrant) error {
	expires, err := sqlfilter.EncodeTime(g.ExpiresAt)
	if err != nil {
		return err
	}
	return db.Exec(ctx, `INSERT INTO sign_in_grants (tenant_id, kind, key, data, expires_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, kind, key) DO UPDATE SET
			data = excluded.data, expires_at = excluded.expires_at`,
		g.TenantID, string(g.Kind), g.Key, grantData(g.Data), expires)
}

// SignInGrant returns a grant, or nil if there is none.
func SignInGrant(ctx context.Context, db DB, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	return oneGrant(ctx, db, `SELECT data, expires_at FROM sign_in_grants
		WHERE tenant_id = $1 AND kind = $2 AND key = $3`, tenantID, kind, key)
}

// TakeSignInGrant deletes a grant and returns it, or nil if there is
// none. One statement, so that of takers at once only one finds the row:
// on SQLite the write lock orders them, on PostgreSQL the row lock does,
// and the later ones find it deleted.
func TakeSignInGrant(ctx context.Context, db DB, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	return oneGrant(ctx, db, `DELETE FROM sign_in_grants
		WHERE tenant_id = $1 AND kind = $2 AND key = $3
		RETURNING data, expires_at`, tenantID, kind, key)
}

// oneGrant runs query, which reads a grant's data and expires_at. Empty
// data reads back as nil, as the store's empty lists do.
func oneGrant(ctx context.Context, db DB, query, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	var g *teamsops.SignInGrant
	err := db.Query(ctx, query, []any{tenantID, string(kind), key}, func(scan func(...any) error) error {
		g = &teamsops.SignInGrant{TenantID: tenantID, Kind: kind, Key: key}
		var expires int64
		if err := scan(&g.Data, &expires); err != nil {
			return err
		}
		if len(g.Data) == 0 {
			g.Data = nil
		}
		g.ExpiresAt = sqlfilter.DecodeTime(expires)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DeleteSignInGrant deletes a grant, if there is one.
func DeleteSignInGrant(ctx context.Context, db DB, tenantID string, kind teamsops.SignInGrantKind, key string) error {
	return db.Exec(ctx, `DELETE FROM sign_in_grants WHERE tenant_id = $1 AND kind = $2 AND key = $3`,
		tenantID, string(kind), key)
}

// PruneSignInGrants deletes at most max of the grants that expired
// before t, and returns how many it deleted: a caller that wants all gone
// calls it again while it deletes max.
func PruneSignInGrants(ctx context.Context, db DB, t time.Time, max int) (int64, error) {
	before, err := sqlfilter.EncodeTime(t)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.Query(ctx, `DELETE FROM sign_in_grants WHERE (tenant_id, kind, key) IN (
			SELECT tenant_id, kind, key FROM sign_in_grants WHERE expires_at < $1 LIMIT $2)
		RETURNING 1`, []any{before, int64(max)}, func(scan func(...any) error) error {
		n++
		var one int
		return scan(&one)
	})
	return n, err
}

// TenantsByDomain returns the tenants whose verified domain is domain,
// ignoring ASCII case, or if none is, those with users whose user
// principal names end in "@"+domain: at most two, enough to tell one
// from several. lower() folds ASCII letters only, in SQLite and on
// PostgreSQL's COLLATE "C" columns, so domain is folded here the same way.
func TenantsByDomain(ctx context.Context, db DB, domain string) ([]*teamsops.Tenant, error) {
	if domain == "" {
		return nil, nil
	}
	domain = asciiLower(domain)
	var tenants []*teamsops.Tenant
	scan := func(scan func(...any) error) error {
		t := &teamsops.Tenant{}
		tenants = append(tenants, t)
		return scan(&t.ID, &t.DisplayName, &t.VerifiedDomain)
	}
	err := db.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants
		WHERE lower(verified_domain) = $1 ORDER BY id LIMIT 2`, []any{domain}, scan)
	if err != nil || len(tenants) > 0 {
		return tenants, err
	}
	// The suffix's length is passed in characters, as SQL's length()
	// counts them; substr from before the first character yields a string
	// shorter than the suffix, which never equals it.
	suffix := "@" + domain
	err = db.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants WHERE id IN (
			SELECT tenant_id FROM users
			WHERE lower(substr(user_principal_name, length(user_principal_name) - $2 + 1)) = $1)
		ORDER BY id LIMIT 2`, []any{suffix, int64(utf8.RuneCountInString(suffix))}, scan)
	return tenants, err
}

// asciiLower folds the ASCII letters of s to lower case, and only them.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
