package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
)

// TeamsApp returns the app id of the tenant's Teams app catalog.
func (c Conn) TeamsApp(ctx context.Context, tenantID, id string) (*teamsops.TeamsApp, error) {
	a := &teamsops.TeamsApp{ID: id, TenantID: tenantID}
	err := c.q.QueryRow(ctx, `SELECT external_id, display_name, client_app_id FROM teams_apps
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&a.ExternalID, &a.DisplayName, &a.ClientAppID)
	if NoRows(err) {
		return nil, notFound("Teams app '%s' was not found.", id)
	} else if err != nil {
		return nil, c.d.Error("read Teams app", err)
	}
	return a, nil
}

// CreateTeamsApp creates or updates a's entry in its tenant's catalog.
func (c Conn) CreateTeamsApp(ctx context.Context, a *teamsops.TeamsApp) error {
	_, err := c.q.Exec(ctx, `INSERT INTO teams_apps (tenant_id, id, external_id, display_name, client_app_id)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			external_id = excluded.external_id,
			display_name = excluded.display_name,
			client_app_id = excluded.client_app_id`,
		a.TenantID, a.ID, a.ExternalID, a.DisplayName, a.ClientAppID)
	if err != nil {
		return c.d.Error("create Teams app", err)
	}
	return nil
}

// CreateAppInstallation creates or updates i. An app is installed at most
// once per chat or team (the table's UNIQUE constraint): installing it
// again under the same id rewrites the same row, under another id it is
// ECONFLICT.
func (c Conn) CreateAppInstallation(ctx context.Context, i *teamsops.AppInstallation) error {
	_, err := c.q.Exec(ctx, `INSERT INTO app_installations
		(tenant_id, id, resource_kind, resource_id, teams_app_id) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (tenant_id, id) DO UPDATE SET
			resource_kind = excluded.resource_kind,
			resource_id = excluded.resource_id,
			teams_app_id = excluded.teams_app_id`,
		i.TenantID, i.ID, string(i.Resource.Kind), i.Resource.ID, i.TeamsAppID)
	if err != nil {
		return c.d.Error("install Teams app", err)
	}
	return nil
}

// installationsQueries list a resource's installations joined from the
// resource itself: no row means no such resource, one row of NULLs means
// no installations.
var installationsQueries = map[teamsops.ResourceKind]string{
	teamsops.ResourceChat: installationsQuery("chats"),
	teamsops.ResourceTeam: installationsQuery("teams"),
}

func installationsQuery(table string) string {
	return `SELECT i.id, i.teams_app_id
		FROM ` + table + ` r LEFT JOIN app_installations i
			ON i.tenant_id = r.tenant_id AND i.resource_kind = '` + table + `' AND i.resource_id = r.id
		WHERE r.tenant_id = $1 AND r.id = $2
		ORDER BY i.id`
}

// AppInstallations returns the apps installed in a chat or team, ordered
// by installation id.
func (c Conn) AppInstallations(ctx context.Context, tenantID string, ref teamsops.ResourceRef) ([]*teamsops.AppInstallation, error) {
	query, ok := installationsQueries[ref.Kind]
	if !ok {
		return nil, resourceNotFound(ref)
	}
	found := false
	installs := []*teamsops.AppInstallation{}
	err := c.q.Query(ctx, query, []any{tenantID, ref.ID}, func(row Row) error {
		found = true
		var id, app *string
		if err := row.Scan(&id, &app); err != nil || id == nil {
			return err
		}
		installs = append(installs, &teamsops.AppInstallation{
			ID: *id, TenantID: tenantID, Resource: ref, TeamsAppID: deref(app)})
		return nil
	})
	if err != nil {
		return nil, c.d.Error("list app installations", err)
	}
	if !found {
		return nil, resourceNotFound(ref)
	}
	return installs, nil
}
