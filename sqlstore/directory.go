package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
)

// Tenant returns the tenant id.
func (c Conn) Tenant(ctx context.Context, id string) (*teamsops.Tenant, error) {
	t := &teamsops.Tenant{ID: id}
	err := c.q.QueryRow(ctx, "SELECT display_name, verified_domain FROM tenants WHERE id = $1", id).
		Scan(&t.DisplayName, &t.VerifiedDomain)
	if NoRows(err) {
		return nil, notFound("Tenant '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read tenant", err)
	}
	return t, nil
}

// CreateTenant creates or updates t.
func (c Conn) CreateTenant(ctx context.Context, t *teamsops.Tenant) error {
	_, err := c.q.Exec(ctx, `INSERT INTO tenants (id, display_name, verified_domain) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name,
			verified_domain = excluded.verified_domain`, t.ID, t.DisplayName, t.VerifiedDomain)
	if err != nil {
		return c.d.Error("create tenant", err)
	}
	return nil
}

// CreateUser creates or updates u.
func (c Conn) CreateUser(ctx context.Context, u *teamsops.User) error {
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
		return c.d.Error("create user", err)
	}
	return nil
}

// User returns the user of the tenant whose object id is idOrUPN or, as
// Entra compares them, whose user principal name equals it ignoring case.
// An id wins over a name. The name is compared as both databases' unique
// index on lower(user_principal_name) compares it, ASCII letters only
// (foldASCII); the subquery lets SQLite use that index, which its OR
// optimization does not do for an index on an expression.
func (c Conn) User(ctx context.Context, tenantID, idOrUPN string) (*teamsops.User, error) {
	u := &teamsops.User{TenantID: tenantID}
	var enabled bool
	err := c.q.QueryRow(ctx, `SELECT id, display_name, user_principal_name, mail, account_enabled,
			password_hash
		FROM users
		WHERE tenant_id = $1 AND id IN ($2, (SELECT id FROM users
			WHERE tenant_id = $1 AND lower(user_principal_name) = $3 AND user_principal_name <> ''))
		ORDER BY id = $2 DESC LIMIT 1`, tenantID, idOrUPN, foldASCII(idOrUPN)).
		Scan(&u.ID, &u.DisplayName, &u.UserPrincipalName, &u.Mail, &enabled, &u.PasswordHash)
	u.AccountDisabled = !enabled
	if NoRows(err) {
		return nil, notFound("User '%s' was not found.", idOrUPN)
	} else if err != nil {
		return nil, c.d.Error("read user", err)
	}
	return u, nil
}

// foldASCII folds the ASCII letters of s to lower case, and only them, as
// lower() does in SQLite (built without ICU) and on PostgreSQL's COLLATE
// "C" columns, so that a value folded here compares with lower(column)
// alike on both.
func foldASCII(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if 'A' <= ch && ch <= 'Z' {
			b[i] = ch + 'a' - 'A'
		}
	}
	return string(b)
}

// AppRegistration returns the app registration clientID of the tenant.
func (c Conn) AppRegistration(ctx context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error) {
	a := &teamsops.AppRegistration{ClientID: clientID, TenantID: tenantID}
	err := c.q.QueryRow(ctx, `SELECT display_name, secret_hashes, roles, delegated_scopes,
			certificates, redirect_uris, spa_redirect_uris, public_client, identifier_uris, exposed_scopes
		FROM app_registrations WHERE tenant_id = $1 AND client_id = $2`, tenantID, clientID).
		Scan(&a.DisplayName, c.d.List(&a.SecretHashes), c.d.List(&a.Roles), c.d.List(&a.DelegatedScopes),
			c.d.List(&a.Certificates), c.d.List(&a.RedirectURIs), c.d.List(&a.SPARedirectURIs), &a.PublicClient,
			c.d.List(&a.IdentifierURIs), c.d.List(&a.ExposedScopes))
	if NoRows(err) {
		return nil, notFound("Application '%s' was not found.", clientID)
	} else if err != nil {
		return nil, c.d.Error("read app registration", err)
	}
	return a, nil
}

// CreateAppRegistration creates or updates a.
func (c Conn) CreateAppRegistration(ctx context.Context, a *teamsops.AppRegistration) error {
	return c.write(ctx, "create app registration", func(q Querier, note Note) error {
		// An app's roles are access facts of every resource of its tenant.
		note(accessChange(a.TenantID, "", ""))
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
			a.TenantID, a.ClientID, a.DisplayName, c.d.ListValue(a.SecretHashes), c.d.ListValue(a.Roles),
			c.d.ListValue(a.DelegatedScopes), c.d.ListValue(a.Certificates), c.d.ListValue(a.RedirectURIs),
			c.d.ListValue(a.SPARedirectURIs), a.PublicClient, c.d.ListValue(a.IdentifierURIs),
			c.d.ListValue(a.ExposedScopes))
		return err
	})
}

// accessChange is the change to a chat's, team's or group's access facts
// (or, with no resource, to those of every resource of the tenant).
func accessChange(tenantID string, kind teamsops.ResourceKind, id string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenantID, Resource: teamsops.ResourceRef{Kind: kind, ID: id}}
}

// resourceNotFound names a missing chat or team as Graph does.
func resourceNotFound(ref teamsops.ResourceRef) error {
	if ref.Kind == teamsops.ResourceTeam {
		return notFound("Team '%s' was not found.", ref.ID)
	}
	return notFound("Chat '%s' was not found.", ref.ID)
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
func (c Conn) PermissionGrants(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.PermissionGrant, error) {
	query, ok := grantsQueries[ref.Kind]
	if !ok {
		return nil, resourceNotFound(ref)
	}
	found := false
	grants := []*teamsops.PermissionGrant{}
	err := c.q.Query(ctx, query, []any{tenantID, ref.ID}, func(row Row) error {
		found = true
		var id, app, client, typ, perm *string
		if err := row.Scan(&id, &app, &client, &typ, &perm); err != nil || id == nil {
			return err
		}
		grants = append(grants, &teamsops.PermissionGrant{
			ID: *id, TenantID: tenantID, Resource: ref, ClientAppID: deref(app),
			ClientID: deref(client), PermissionType: deref(typ), Permission: deref(perm),
		})
		return nil
	})
	if err != nil {
		return nil, c.d.Error("list permission grants", err)
	}
	if !found {
		return nil, resourceNotFound(ref)
	}
	return grants, nil
}

// CreatePermissionGrant creates or updates g.
func (c Conn) CreatePermissionGrant(ctx context.Context, g *teamsops.PermissionGrant) error {
	return c.write(ctx, "create permission grant", func(q Querier, note Note) error {
		// A grant that moves to another resource changes the old one's
		// access too.
		var old teamsops.ResourceRef
		err := q.QueryRow(ctx, `SELECT resource_kind, resource_id FROM permission_grants
			WHERE tenant_id = $1 AND id = $2`, g.TenantID, g.ID).Scan(&old.Kind, &old.ID)
		if err == nil && old != g.Resource {
			note(accessChange(g.TenantID, old.Kind, old.ID))
		} else if err != nil && !NoRows(err) {
			return err
		}
		note(accessChange(g.TenantID, g.Resource.Kind, g.Resource.ID))
		_, err = q.Exec(ctx, `INSERT INTO permission_grants (tenant_id, id, resource_kind,
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
		return err
	})
}
