package sqlstore

import (
	"context"

	"github.com/teamsops/teamsops"
)

// The deletes remove what an edited tenant file no longer declares.

// execAll runs statements in order, each with the same arguments.
func execAll(ctx context.Context, q Querier, args []any, statements ...string) error {
	for _, s := range statements {
		if _, err := q.Exec(ctx, s, args...); err != nil {
			return err
		}
	}
	return nil
}

// memberTables are the tables of memberships: a deleted user leaves them.
var memberTables = []string{"chat_members", "team_members", "group_members"}

// DeleteUser deletes a user and its memberships in chats, teams and
// groups, as deleting an account in Entra does. Every resource's access
// may change.
func (c Conn) DeleteUser(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete user", func(q Querier, note Note) error {
		note(accessChange(tenantID, "", ""))
		var stmts []string
		for _, t := range memberTables {
			stmts = append(stmts, `DELETE FROM `+t+` WHERE tenant_id = $1 AND user_id = $2`)
		}
		stmts = append(stmts, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`)
		return execAll(ctx, q, []any{tenantID, id}, stmts...)
	})
}

// DeleteAppRegistration deletes an app registration, its RSC grants and
// its fault rules (which would apply again to an app of the same client
// id declared later).
func (c Conn) DeleteAppRegistration(ctx context.Context, tenantID, clientID string) error {
	return c.write(ctx, "delete app registration", func(q Querier, note Note) error {
		note(accessChange(tenantID, "", ""))
		return execAll(ctx, q, []any{tenantID, clientID},
			`DELETE FROM permission_grants WHERE tenant_id = $1 AND client_app_id = $2`,
			`DELETE FROM fault_rules WHERE tenant_id = $1 AND client_app_id = $2`,
			`DELETE FROM app_registrations WHERE tenant_id = $1 AND client_id = $2`)
	})
}

// DeleteTeamsApp deletes an app of the catalog and its installations.
func (c Conn) DeleteTeamsApp(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete Teams app", func(q Querier, _ Note) error {
		return execAll(ctx, q, []any{tenantID, id},
			`DELETE FROM app_installations WHERE tenant_id = $1 AND teams_app_id = $2`,
			`DELETE FROM teams_apps WHERE tenant_id = $1 AND id = $2`)
	})
}

// DeleteGroup deletes a group and its members (not a team of its id).
func (c Conn) DeleteGroup(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete group", func(q Querier, note Note) error {
		note(accessChange(tenantID, teamsops.ResourceGroup, id), accessChange(tenantID, teamsops.ResourceTeam, id))
		return execAll(ctx, q, []any{tenantID, id},
			`DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2`,
			`DELETE FROM directory_groups WHERE tenant_id = $1 AND id = $2`)
	})
}

// DeleteTeam deletes a team with its members, channels, installed apps
// and RSC grants; its group and its operations stay.
func (c Conn) DeleteTeam(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete team", func(q Querier, note Note) error {
		note(accessChange(tenantID, teamsops.ResourceTeam, id))
		return execAll(ctx, q, []any{tenantID, id},
			`DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2`,
			`DELETE FROM channels WHERE tenant_id = $1 AND team_id = $2`,
			`DELETE FROM app_installations WHERE tenant_id = $1 AND resource_kind = 'teams' AND resource_id = $2`,
			`DELETE FROM permission_grants WHERE tenant_id = $1 AND resource_kind = 'teams' AND resource_id = $2`,
			`DELETE FROM teams WHERE tenant_id = $1 AND id = $2`)
	})
}

// DeleteChannel deletes a channel of a team.
func (c Conn) DeleteChannel(ctx context.Context, tenantID, teamID, id string) error {
	return c.write(ctx, "delete channel", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `DELETE FROM channels WHERE tenant_id = $1 AND team_id = $2 AND id = $3`, tenantID, teamID, id)
		return err
	})
}

// DeleteChat deletes a chat with its members, installed apps and RSC
// grants; its operations stay.
func (c Conn) DeleteChat(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete chat", func(q Querier, note Note) error {
		note(accessChange(tenantID, teamsops.ResourceChat, id))
		return execAll(ctx, q, []any{tenantID, id},
			`DELETE FROM chat_members WHERE tenant_id = $1 AND chat_id = $2`,
			`DELETE FROM app_installations WHERE tenant_id = $1 AND resource_kind = 'chats' AND resource_id = $2`,
			`DELETE FROM permission_grants WHERE tenant_id = $1 AND resource_kind = 'chats' AND resource_id = $2`,
			`DELETE FROM chats WHERE tenant_id = $1 AND id = $2`)
	})
}

// DeleteAppInstallation deletes one installation of a Teams app.
func (c Conn) DeleteAppInstallation(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete app installation", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `DELETE FROM app_installations WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		return err
	})
}

// DeletePermissionGrant deletes one RSC grant.
func (c Conn) DeletePermissionGrant(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete permission grant", func(q Querier, note Note) error {
		var grant []teamsops.Change
		err := q.Query(ctx, `SELECT resource_kind, resource_id FROM permission_grants WHERE tenant_id = $1 AND id = $2`,
			[]any{tenantID, id}, func(row Row) error {
				var kind, resource string
				err := row.Scan(&kind, &resource)
				grant = append(grant, accessChange(tenantID, teamsops.ResourceKind(kind), resource))
				return err
			})
		if err != nil {
			return err
		}
		note(grant...)
		_, err = q.Exec(ctx, `DELETE FROM permission_grants WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		return err
	})
}

// DeleteOperation deletes one operation and its history (not its job,
// which the engine keeps: see engine.Runner.DeleteTenantJobs).
func (c Conn) DeleteOperation(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete operation", func(q Querier, note Note) error {
		var deleted []teamsops.Change
		err := q.Query(ctx, `SELECT resource_kind, resource_id FROM operations WHERE tenant_id = $1 AND id = $2`,
			[]any{tenantID, id}, func(row Row) error {
				ch := teamsops.Change{Kind: teamsops.ChangeOperation, TenantID: tenantID, OperationID: id}
				err := row.Scan(&ch.Resource.Kind, &ch.Resource.ID)
				deleted = append(deleted, ch)
				return err
			})
		if err != nil {
			return err
		}
		note(deleted...)
		return execAll(ctx, q, []any{tenantID, id},
			`DELETE FROM operation_history WHERE tenant_id = $1 AND operation_id = $2`,
			`DELETE FROM operations WHERE tenant_id = $1 AND id = $2`)
	})
}
