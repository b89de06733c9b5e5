package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/tenantsql"
)

// Sign-in grants and the tenant of a domain run package tenantsql's
// statements, which the SQLite store shares. Writes run in a transaction
// of their own (conn.atomic).

// AddSignInGrant records g; ECONFLICT if its key is taken.
func (s *Store) AddSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	return s.write(ctx, "add sign-in grant", func(db tenantsql.DB, _ tenantsql.Note) error {
		added, err := tenantsql.AddSignInGrant(ctx, db, g)
		if err == nil && !added {
			return grantConflict(g)
		}
		return err
	})
}

// PutSignInGrant records g, replacing a grant of the same key.
func (s *Store) PutSignInGrant(ctx context.Context, g *teamsops.SignInGrant) error {
	return s.write(ctx, "put sign-in grant", func(db tenantsql.DB, _ tenantsql.Note) error {
		return tenantsql.PutSignInGrant(ctx, db, g)
	})
}

// SignInGrant returns a grant.
func (s *Store) SignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	g, err := tenantsql.SignInGrant(ctx, shared{s.pool}, tenantID, kind, key)
	if err != nil {
		return nil, storeError("read sign-in grant", err)
	} else if g == nil {
		return nil, grantNotFound(kind)
	}
	return g, nil
}

// TakeSignInGrant deletes a grant and returns it. A second DELETE …
// RETURNING of the same row, on any replica, waits for the first one's
// row lock, then finds the row gone (READ COMMITTED).
func (s *Store) TakeSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
	var g *teamsops.SignInGrant
	err := s.write(ctx, "take sign-in grant", func(db tenantsql.DB, _ tenantsql.Note) error {
		var err error
		g, err = tenantsql.TakeSignInGrant(ctx, db, tenantID, kind, key)
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
func (s *Store) DeleteSignInGrant(ctx context.Context, tenantID string, kind teamsops.SignInGrantKind, key string) error {
	return s.write(ctx, "delete sign-in grant", func(db tenantsql.DB, _ tenantsql.Note) error {
		return tenantsql.DeleteSignInGrant(ctx, db, tenantID, kind, key)
	})
}

// PruneSignInGrants deletes the grants that expired before t, a batch
// per transaction, as PruneHistory does.
func (s *Store) PruneSignInGrants(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.inTx(ctx, "prune sign-in grants", func(tx pgx.Tx) error {
			var err error
			if n, err = tenantsql.PruneSignInGrants(ctx, shared{tx}, t, pruneBatch); err != nil {
				return storeError("prune sign-in grants", err)
			}
			return nil
		})
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// TenantByDomain finds the tenant of a user name's domain.
func (s *Store) TenantByDomain(ctx context.Context, domain string) (*teamsops.Tenant, error) {
	tenants, err := tenantsql.TenantsByDomain(ctx, shared{s.pool}, domain)
	if err != nil {
		return nil, storeError("find the tenant of a domain", err)
	} else if len(tenants) != 1 {
		return nil, domainNotFound(domain)
	}
	return tenants[0], nil
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

// domainNotFound is TenantByDomain's error, for no tenant and several alike.
func domainNotFound(domain string) error {
	return notFound("No single tenant has the domain '%s'.", teamsops.Clip(domain))
}
