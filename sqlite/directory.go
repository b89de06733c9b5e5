package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/teamsops/teamsops"
)

// Tenant returns the tenant id.
func (s *Store) Tenant(ctx context.Context, id string) (*teamsops.Tenant, error) {
	t := &teamsops.Tenant{ID: id}
	err := s.db.QueryRowContext(ctx, "SELECT display_name, verified_domain FROM tenants WHERE id = ?", id).
		Scan(&t.DisplayName, &t.VerifiedDomain)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Tenant '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read tenant", err)
	}
	return t, nil
}

// CreateTenant creates or updates t.
func (c conn) CreateTenant(ctx context.Context, t *teamsops.Tenant) error {
	_, err := c.q.ExecContext(ctx, `INSERT INTO tenants (id, display_name, verified_domain) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
			verified_domain = excluded.verified_domain`, t.ID, t.DisplayName, t.VerifiedDomain)
	if err != nil {
		return storeError("create tenant", err)
	}
	return nil
}

// CreateUser creates or updates u.
func (c conn) CreateUser(ctx context.Context, u *teamsops.User) error {
	_, err := c.q.ExecContext(ctx, `INSERT INTO users
			(tenant_id, id, display_name, user_principal_name, mail, account_enabled, password_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?)
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
// Entra compares them, whose user principal name equals it ignoring case
// (SQLite's NOCASE folds ASCII letters only). An id wins over a name.
func (s *Store) User(ctx context.Context, tenantID, idOrUPN string) (*teamsops.User, error) {
	u := &teamsops.User{TenantID: tenantID}
	var enabled bool
	err := s.db.QueryRowContext(ctx, `SELECT id, display_name, user_principal_name, mail, account_enabled,
			password_hash
		FROM users
		WHERE tenant_id = ?1 AND (id = ?2 OR (user_principal_name = ?2 COLLATE NOCASE AND user_principal_name <> ''))
		ORDER BY id = ?2 DESC LIMIT 1`, tenantID, idOrUPN).
		Scan(&u.ID, &u.DisplayName, &u.UserPrincipalName, &u.Mail, &enabled, &u.PasswordHash)
	u.AccountDisabled = !enabled
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User '%s' was not found.", idOrUPN)
	} else if err != nil {
		return nil, storeError("read user", err)
	}
	return u, nil
}

// AppRegistration returns the app registration clientID of the tenant.
func (c conn) AppRegistration(ctx context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error) {
	a := &teamsops.AppRegistration{ClientID: clientID, TenantID: tenantID}
	var hashes, roles, scopes, certs, redirects, spaRedirects, identifiers, exposed string
	err := c.q.QueryRowContext(ctx, `SELECT display_name, secret_hashes, roles, delegated_scopes,
			certificates, redirect_uris, spa_redirect_uris, public_client, identifier_uris, exposed_scopes
		FROM app_registrations WHERE tenant_id = ? AND client_id = ?`, tenantID, clientID).
		Scan(&a.DisplayName, &hashes, &roles, &scopes,
			&certs, &redirects, &spaRedirects, &a.PublicClient, &identifiers, &exposed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Application '%s' was not found.", clientID)
	} else if err != nil {
		return nil, storeError("read app registration", err)
	}
	for _, list := range []struct {
		json string
		into *[]string
	}{
		{hashes, &a.SecretHashes}, {roles, &a.Roles}, {scopes, &a.DelegatedScopes},
		{certs, &a.Certificates}, {redirects, &a.RedirectURIs}, {spaRedirects, &a.SPARedirectURIs},
		{identifiers, &a.IdentifierURIs}, {exposed, &a.ExposedScopes},
	} {
		if *list.into, err = decodeRoles(list.json); err != nil {
			return nil, fmt.Errorf("sqlite: app %s: %w", clientID, err)
		}
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
	_, err := q.ExecContext(ctx, `INSERT INTO app_registrations
		(tenant_id, client_id, display_name, secret_hashes, roles, delegated_scopes,
			certificates, redirect_uris, spa_redirect_uris, public_client, identifier_uris, exposed_scopes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
		a.TenantID, a.ClientID, a.DisplayName, encodeRoles(a.SecretHashes), encodeRoles(a.Roles), encodeRoles(a.DelegatedScopes),
		encodeRoles(a.Certificates), encodeRoles(a.RedirectURIs), encodeRoles(a.SPARedirectURIs), a.PublicClient,
		encodeRoles(a.IdentifierURIs), encodeRoles(a.ExposedScopes))
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
		WHERE r.tenant_id = ? AND r.id = ?
		ORDER BY g.id`
}

// PermissionGrants returns the RSC grants on a chat or team, ordered by id.
func (s *Store) PermissionGrants(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.PermissionGrant, error) {
	query, ok := grantsQueries[ref.Kind]
	if !ok {
		return nil, resourceNotFound(ref)
	}
	rows, err := s.db.QueryContext(ctx, query, tenantID, ref.ID)
	if err != nil {
		return nil, storeError("list permission grants", err)
	}
	defer rows.Close()
	found := false
	grants := []*teamsops.PermissionGrant{}
	for rows.Next() {
		found = true
		var id, app, client, typ, perm sql.NullString
		if err := rows.Scan(&id, &app, &client, &typ, &perm); err != nil {
			return nil, storeError("list permission grants", err)
		}
		if !id.Valid {
			continue
		}
		grants = append(grants, &teamsops.PermissionGrant{
			ID: id.String, TenantID: tenantID, Resource: ref, ClientAppID: app.String,
			ClientID: client.String, PermissionType: typ.String, Permission: perm.String,
		})
	}
	if err := rows.Err(); err != nil {
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
		err := q.QueryRowContext(ctx, `SELECT resource_kind, resource_id FROM permission_grants
			WHERE tenant_id = ? AND id = ?`, g.TenantID, g.ID).Scan(&old.Kind, &old.ID)
		if err == nil && old != g.Resource {
			note(accessChanged(g.TenantID, old.Kind, old.ID))
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return storeError("create permission grant", err)
		}
		note(accessChanged(g.TenantID, g.Resource.Kind, g.Resource.ID))
		return createPermissionGrant(ctx, q, g)
	})
}

func createPermissionGrant(ctx context.Context, q querier, g *teamsops.PermissionGrant) error {
	_, err := q.ExecContext(ctx, `INSERT INTO permission_grants (tenant_id, id, resource_kind,
			resource_id, client_app_id, client_id, permission_type, permission)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
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

// encodeRoles keeps a list of roles (or scopes, or hashes) as a JSON
// array, [] when empty.
func encodeRoles(roles []string) string {
	if len(roles) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(roles) // a []string always marshals
	return string(b)
}

// decodeRoles reads encodeRoles' JSON; an empty list is nil.
func decodeRoles(s string) ([]string, error) {
	var roles []string
	if err := json.Unmarshal([]byte(s), &roles); err != nil {
		return nil, err
	}
	if len(roles) == 0 {
		return nil, nil
	}
	return roles, nil
}
