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
	err := s.db.QueryRowContext(ctx, "SELECT display_name FROM tenants WHERE id = ?", id).Scan(&t.DisplayName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Tenant '%s' was not found.", id)
	} else if err != nil {
		return nil, storeError("read tenant", err)
	}
	return t, nil
}

// CreateTenant creates or updates t.
func (s *Store) CreateTenant(ctx context.Context, t *teamsops.Tenant) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO tenants (id, display_name) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name`, t.ID, t.DisplayName)
	if err != nil {
		return storeError("create tenant", err)
	}
	return nil
}

// CreateUser creates or updates u.
func (s *Store) CreateUser(ctx context.Context, u *teamsops.User) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (tenant_id, id, display_name, user_principal_name)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			display_name = excluded.display_name,
			user_principal_name = excluded.user_principal_name`,
		u.TenantID, u.ID, u.DisplayName, u.UserPrincipalName)
	if err != nil {
		return storeError("create user", err)
	}
	return nil
}

// CreateTeamsApp creates or updates a's entry in its tenant's catalog.
func (s *Store) CreateTeamsApp(ctx context.Context, a *teamsops.TeamsApp) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO teams_apps (tenant_id, id, display_name, client_app_id)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			display_name = excluded.display_name,
			client_app_id = excluded.client_app_id`,
		a.TenantID, a.ID, a.DisplayName, a.ClientAppID)
	if err != nil {
		return storeError("create Teams app", err)
	}
	return nil
}

// CreateAppInstallation creates or updates i. An app is installed at most
// once per chat or team; a second installation under another id is
// ECONFLICT.
func (s *Store) CreateAppInstallation(ctx context.Context, i *teamsops.AppInstallation) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO app_installations
		(tenant_id, id, resource_kind, resource_id, teams_app_id) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			resource_kind = excluded.resource_kind,
			resource_id = excluded.resource_id,
			teams_app_id = excluded.teams_app_id`,
		i.TenantID, i.ID, string(i.Resource.Kind), i.Resource.ID, i.TeamsAppID)
	if err != nil {
		return storeError("install Teams app", err)
	}
	return nil
}

// AppRegistration returns the app registration clientID of the tenant.
func (s *Store) AppRegistration(ctx context.Context, tenantID, clientID string) (*teamsops.AppRegistration, error) {
	a := &teamsops.AppRegistration{ClientID: clientID, TenantID: tenantID}
	var roles string
	err := s.db.QueryRowContext(ctx, `SELECT display_name, secret_hash, roles
		FROM app_registrations WHERE tenant_id = ? AND client_id = ?`, tenantID, clientID).
		Scan(&a.DisplayName, &a.SecretHash, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Application '%s' was not found.", clientID)
	} else if err != nil {
		return nil, storeError("read app registration", err)
	}
	if a.Roles, err = decodeRoles(roles); err != nil {
		return nil, fmt.Errorf("sqlite: roles of app %s: %w", clientID, err)
	}
	return a, nil
}

// CreateAppRegistration creates or updates a.
func (s *Store) CreateAppRegistration(ctx context.Context, a *teamsops.AppRegistration) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO app_registrations
		(tenant_id, client_id, display_name, secret_hash, roles) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, client_id) DO UPDATE SET
			display_name = excluded.display_name,
			secret_hash = excluded.secret_hash,
			roles = excluded.roles`,
		a.TenantID, a.ClientID, a.DisplayName, a.SecretHash, encodeRoles(a.Roles))
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
func (s *Store) CreatePermissionGrant(ctx context.Context, g *teamsops.PermissionGrant) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO permission_grants (tenant_id, id, resource_kind,
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

// encodeRoles keeps a role list as a JSON array, [] when empty.
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
