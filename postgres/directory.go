package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
)

// Tenant returns the tenant id.
func (s *Store) Tenant(ctx context.Context, id string) (*teamsops.Tenant, error) {
	t := &teamsops.Tenant{ID: id}
	err := s.pool.QueryRow(ctx, "SELECT display_name, verified_domain FROM tenants WHERE id = $1", id).
		Scan(&t.DisplayName, &t.VerifiedDomain)
	if noRows(err) {
		return nil, notFound("Tenant '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read tenant", err)
	}
	return t, nil
}

// CreateTenant creates or updates t.
func (c conn) CreateTenant(ctx context.Context, t *teamsops.Tenant) error {
	_, err := c.q.Exec(ctx, `INSERT INTO tenants (id, display_name, verified_domain) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
			verified_domain = excluded.verified_domain`, t.ID, t.DisplayName, t.VerifiedDomain)
	if err != nil {
		return storeError("create tenant", err)
	}
	return nil
}

// CreateUser creates or updates u.
func (c conn) CreateUser(ctx context.Context, u *teamsops.User) error {
	_, err := c.q.Exec(ctx, `INSERT INTO users
			(tenant_id, id, display_name, user_principal_name, mail, account_enabled, password_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			display_name = excluded.display_name,
			user_principal_name = excluded.user_principal_name,
			mail = excluded.mail,
			account_enabled = excluded.account_enabled,
			password_hash = excluded.password_hash`,
		u.TenantID, u.ID, u.DisplayName, u.UserPrincipalName, u.Mail, !u.AccountDisabled, u.PasswordHash)
	if err != nil {
		return storeError("create user", err)
	}
	return nil
}

// User returns the user of the tenant whose object id is idOrUPN or, as
// Entra compares them, whose user principal name equals it ignoring case.
// lower() under COLLATE "C" folds ASCII letters only, exactly as package
// sqlite's NOCASE does. An id wins over a name.
func (s *Store) User(ctx context.Context, tenantID, idOrUPN string) (*teamsops.User, error) {
	u := &teamsops.User{TenantID: tenantID}
	var enabled bool
	err := s.pool.QueryRow(ctx, `SELECT id, display_name, user_principal_name, mail, account_enabled,
			password_hash
		FROM users
		WHERE tenant_id = $1 AND (id = $2
			OR (lower(user_principal_name) = lower($2::text COLLATE "C") AND user_principal_name <> ''))
		ORDER BY id = $2 DESC LIMIT 1`, tenantID, idOrUPN).
		Scan(&u.ID, &u.DisplayName, &u.UserPrincipalName, &u.Mail, &enabled, &u.PasswordHash)
	u.AccountDisabled = !enabled
	if noRows(err) {
		return nil, notFound("User '%s' was not found.", idOrUPN)
	} else if err != nil {
		return nil, storeError("read user", err)
	}
	return u, nil
}

// AppRegistration returns the app registration clientID of the tenant.
func (c conn) AppRegistration(ctx context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error) {
	a := &teamsops.AppRegistration{ClientID: clientID, TenantID: tenantID}
	err := c.q.QueryRow(ctx, `SELECT display_name, secret_hashes, roles, delegated_scopes,
			certificates, redirect_uris, spa_redirect_uris, public_client, identifier_uris, exposed_scopes
		FROM app_registrations WHERE tenant_id = $1 AND client_id = $2`, tenantID, clientID).
		Scan(&a.DisplayName, &a.SecretHashes, &a.Roles, &a.DelegatedScopes,
			&a.Certificates, &a.RedirectURIs, &a.SPARedirectURIs, &a.PublicClient, &a.IdentifierURIs, &a.ExposedScopes)
	if noRows(err) {
		return nil, notFound("Application '%s' was not found.", clientID)
	} else if err != nil {
		return nil, storeError("read app registration", err)
	}
	for _, list := range []*[]string{&a.SecretHashes, &a.Roles, &a.DelegatedScopes,
		&a.Certificates, &a.RedirectURIs, &a.SPARedirectURIs, &a.IdentifierURIs, &a.ExposedScopes} {
		*list = noneIfEmpty(*list)
	}
	return a, nil
}

// CreateAppRegistration creates or updates a.
func (c conn) CreateAppRegistration(ctx context.Context, a *teamsops.AppRegistration) error {
	return c.atomic(ctx, "create app registration", func(q querier, note noter) error {
		// An app's roles are access facts of every resource of its tenant.
		note(accessChanged(a.TenantID, "", ""))
		return createAppRegistration(ctx, q, a)
	})
}

func createAppRegistration(ctx context.Context, q querier, a *teamsops.AppRegistration) error {
	_, err := q.Exec(ctx, `INSERT INTO app_registrations
		(tenant_id, client_id, display_name, secret_hashes, roles, delegated_scopes,
			certificates, redirect_uris, spa_redirect_uris, public_client, identifier_uris, exposed_scopes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (tenant_id, client_id) DO UPDATE SET
			display_name = excluded.display_name,
			secret_hashes = excluded.secret_hashes,
			roles = excluded.roles,
			delegated_scopes = excluded.delegated_scopes,
			certificates = excluded.certificates,
			redirect_uris = excluded.redirect_uris,
			spa_redirect_uris = excluded.spa_redirect_uris,
			public_client = excluded.public_client,
			identifier_uris = excluded.identifier_uris,
			exposed_scopes = excluded.exposed_scopes`,
		a.TenantID, a.ClientID, a.DisplayName, textArray(a.SecretHashes), textArray(a.Roles), textArray(a.DelegatedScopes),
		textArray(a.Certificates), textArray(a.RedirectURIs), textArray(a.SPARedirectURIs), a.PublicClient,
		textArray(a.IdentifierURIs), textArray(a.ExposedScopes))
	if err != nil {
		return storeError("create app registration", err)
	}
	return nil
}

// grantsQueries list a resource's grants joined from the resource itself:
// no row means no such resource, one row of NULLs means no grants.
var grantsQueries = map[teamsops.ResourceKind]string{
	teamsops.ResourceChat: grantsQuery("chats"),
	teamsops.ResourceTeam: grantsQuery("teams"),
}

func grantsQuery(table string) string {
	return `SELECT g.id, g.client_app_id, g.client_id, g.permission_type, g.permission
		FROM ` + table + ` r LEFT JOIN permission_grants g
			ON g.tenant_id = r.tenant_id AND g.resource_kind = '` + table + `' AND g.resource_id = r.id
		WHERE r.tenant_id = $1 AND r.id = $2
		ORDER BY g.id`
}

// PermissionGrants returns the RSC grants on a chat or team, ordered by id.
func (s *Store) PermissionGrants(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.PermissionGrant, error) {
	query, ok := grantsQueries[ref.Kind]
	if !ok {
		return nil, resourceNotFound(ref)
	}
	rows, err := s.pool.Query(ctx, query, tenantID, ref.ID)
	if err != nil {
		return nil, storeError("list permission grants", err)
	}
	found := false
	grants := []*teamsops.PermissionGrant{}
	var id, app, client, typ, perm *string
	_, err = pgx.ForEachRow(rows, []any{&id, &app, &client, &typ, &perm}, func() error {
		found = true
		if id != nil {
			grants = append(grants, &teamsops.PermissionGrant{
				ID: *id, TenantID: tenantID, Resource: ref, ClientAppID: *app,
				ClientID: *client, PermissionType: *typ, Permission: *perm,
			})
		}
		return nil
	})
	if err != nil {
		return nil, storeError("list permission grants", err)
	}
	if !found {
		return nil, resourceNotFound(ref)
	}
	return grants, nil
}

// CreatePermissionGrant creates or updates g.
func (c conn) CreatePermissionGrant(ctx context.Context, g *teamsops.PermissionGrant) error {
	return c.atomic(ctx, "create permission grant", func(q querier, note noter) error {
		// A grant that moves to another resource changes the old one's
		// access too.
		var old teamsops.ResourceRef
		err := q.QueryRow(ctx, `SELECT resource_kind, resource_id FROM permission_grants
			WHERE tenant_id = $1 AND id = $2`, g.TenantID, g.ID).Scan(&old.Kind, &old.ID)
		if err == nil && old != g.Resource {
			note(accessChanged(g.TenantID, old.Kind, old.ID))
		} else if err != nil && !noRows(err) {
			return storeError("create permission grant", err)
		}
		note(accessChanged(g.TenantID, g.Resource.Kind, g.Resource.ID))
		return createPermissionGrant(ctx, q, g)
	})
}

func createPermissionGrant(ctx context.Context, q querier, g *teamsops.PermissionGrant) error {
	_, err := q.Exec(ctx, `INSERT INTO permission_grants (tenant_id, id, resource_kind,
			resource_id, client_app_id, client_id, permission_type, permission)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			resource_kind = excluded.resource_kind,
			resource_id = excluded.resource_id,
			client_app_id = excluded.client_app_id,
			client_id = excluded.client_id,
			permission_type = excluded.permission_type,
			permission = excluded.permission`,
		g.TenantID, g.ID, string(g.Resource.Kind), g.Resource.ID, g.ClientAppID, g.ClientID,
		g.PermissionType, g.Permission)
	if err != nil {
		return storeError("create permission grant", err)
	}
	return nil
}

// resourceNotFound names a missing chat or team as Graph does.
func resourceNotFound(ref teamsops.ResourceRef) error {
	if ref.Kind == teamsops.ResourceTeam {
		return notFound("Team '%s' was not found.", ref.ID)
	}
	return notFound("Chat '%s' was not found.", ref.ID)
}
