package sqlstore

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// Sign-in grants (teamsops.SignInGrants, migration 0008_sign_in.sql) and
// the tenant of a user name's domain. A grant's time is Unix nanoseconds,
// as every time of the store. Writes go through c.write: on SQLite queued
// and committed together with the writes queued beside them (group
// commit), on PostgreSQL in a transaction of their own.

// AddSignInGrant records g; ECONFLICT if its key is taken.
func (c Conn) AddSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	expires, err := sqlfilter.EncodeTime(g.ExpiresAt)
	if err != nil {
		return err
	}
	return c.write(ctx, "add sign-in grant", func(q Querier, _ Note) error {
		n, err := q.Exec(ctx, `INSERT INTO sign_in_grants (tenant_id, kind, key, data, expires_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, kind, key) DO NOTHING`,
			g.TenantID, string(g.Kind), g.Key, grantData(g.Data), expires)
		if err == nil && n == 0 {
			return grantConflict(g)
		}
		return err
	})
}

// PutSignInGrant records g, replacing a grant of the same key.
func (c Conn) PutSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	expires, err := sqlfilter.EncodeTime(g.ExpiresAt)
	if err != nil {
		return err
	}
	return c.write(ctx, "put sign-in grant", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `INSERT INTO sign_in_grants (tenant_id, kind, key, data, expires_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, kind, key) DO UPDATE SET
				data = excluded.data, expires_at = excluded.expires_at`,
			g.TenantID, string(g.Kind), g.Key, grantData(g.Data), expires)
		return err
	})
}

// SignInGrant returns a grant.
func (c Conn) SignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	g, err := oneGrant(ctx, c.q, `SELECT data, expires_at FROM sign_in_grants
		WHERE tenant_id = $1 AND kind = $2 AND key = $3`, tenantID, kind, key)
	if err != nil {
		return nil, c.d.Error("read sign-in grant", err)
	} else if g == nil {
		return nil, grantNotFound(kind)
	}
	return g, nil
}

// TakeSignInGrant deletes a grant and returns it. One statement, so that
// of takers at once only one finds the row: on SQLite the one write lock,
// which every process on the file takes in turn, orders them; on
// PostgreSQL a second DELETE … RETURNING of the row, on any replica, waits
// for the first one's row lock (READ COMMITTED). The later ones find the
// grant gone.
func (c Conn) TakeSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	var g *teamsops.SignInGrant
	err := c.write(ctx, "take sign-in grant", func(q Querier, _ Note) error {
		var err error
		g, err = oneGrant(ctx, q, `DELETE FROM sign_in_grants
			WHERE tenant_id = $1 AND kind = $2 AND key = $3
			RETURNING data, expires_at`, tenantID, kind, key)
		return err
	})
	if err != nil {
		return nil, err
	} else if g == nil {
		return nil, grantNotFound(kind)
	}
	return g, nil
}

// DeleteSignInGrant deletes a grant, if there is one.
func (c Conn) DeleteSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) error {
	return c.write(ctx, "delete sign-in grant", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `DELETE FROM sign_in_grants WHERE tenant_id = $1 AND kind = $2 AND key = $3`,
			tenantID, string(kind), key)
		return err
	})
}

// PruneSignInGrants deletes the grants that expired before t, a batch
// per transaction, as PruneHistory does.
func (c Conn) PruneSignInGrants(ctx context.Context, t time.Time) (int64, error) {
	before, err := sqlfilter.EncodeTime(t)
	if err != nil {
		return 0, err
	}
	var total int64
	for {
		var n int64
		err := c.write(ctx, "prune sign-in grants", func(q Querier, _ Note) error {
			var err error
			n, err = q.Exec(ctx, `DELETE FROM sign_in_grants WHERE (tenant_id, kind, key) IN (
					SELECT tenant_id, kind, key FROM sign_in_grants WHERE expires_at < $1 LIMIT $2)`,
				before, int64(pruneBatch))
			return err
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// TenantByDomain finds the tenant of a user name's domain.
func (c Conn) TenantByDomain(ctx context.Context, domain string) (*teamsops.Tenant, error) {
	tenants, err := tenantsByDomain(ctx, c.q, domain)
	if err != nil {
		return nil, c.d.Error("find the tenant of a domain", err)
	} else if len(tenants) != 1 {
		return nil, notFound("No single tenant has the domain '%s'.", teamsops.Clip(domain))
	}
	return tenants[0], nil
}

// grantData keeps a grant's data NOT NULL: both drivers write a nil
// []byte as NULL.
func grantData(data []byte) []byte {
	if data == nil {
		return []byte{}
	}
	return data
}

// oneGrant runs query, which reads a grant's data and expires_at, and
// returns the grant or nil if there is none. Empty data reads back as
// nil, as the store's empty lists do.
func oneGrant(ctx context.Context, q Querier, query, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	g := &teamsops.SignInGrant{TenantID: tenantID, Kind: kind, Key: key}
	var expires int64
	err := q.QueryRow(ctx, query, tenantID, string(kind), key).Scan(&g.Data, &expires)
	if NoRows(err) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if len(g.Data) == 0 {
		g.Data = nil
	}
	g.ExpiresAt = sqlfilter.DecodeTime(expires)
	return g, nil
}

// grantConflict is AddSignInGrant's error for a key already taken.
func grantConflict(g *teamsops.SignInGrant) error {
	return teamsops.Errorf(teamsops.ECONFLICT, "A sign-in grant of kind '%s' with this key exists already.", g.Kind)
}

// grantNotFound names the kind of a missing grant, never its key: a key
// may be a secret's hash.
func grantNotFound(kind teamsops.SignInGrantKind) error {
	return notFound("Sign-in grant of kind '%s' was not found.", kind)
}

// tenantsByDomain returns the tenants whose verified domain is domain,
// ignoring ASCII case, or if none is, those with users whose user
// principal names end in "@"+domain: at most two, enough to tell one
// from several. lower() folds ASCII letters only, in SQLite and on
// PostgreSQL's COLLATE "C" columns, so domain is folded here the same way.
func tenantsByDomain(ctx context.Context, q Querier, domain string) ([]*teamsops.Tenant, error) {
	if domain == "" {
		return nil, nil
	}
	domain = foldASCII(domain)
	var tenants []*teamsops.Tenant
	scan := func(row Row) error {
		t := &teamsops.Tenant{}
		tenants = append(tenants, t)
		return row.Scan(&t.ID, &t.DisplayName, &t.VerifiedDomain)
	}
	err := q.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants
		WHERE lower(verified_domain) = $1 ORDER BY id LIMIT 2`, []any{domain}, scan)
	if err != nil || len(tenants) > 0 {
		return tenants, err
	}
	// The suffix's length is passed in characters, as SQL's length()
	// counts them; substr from before the first character yields a string
	// shorter than the suffix, which never equals it.
	suffix := "@" + domain
	err = q.Query(ctx, `SELECT id, display_name, verified_domain FROM tenants WHERE id IN (
			SELECT tenant_id FROM users
			WHERE lower(substr(user_principal_name, length(user_principal_name) - $2 + 1)) = $1)
		ORDER BY id LIMIT 2`, []any{suffix, int64(utf8.RuneCountInString(suffix))}, scan)
	return tenants, err
}
