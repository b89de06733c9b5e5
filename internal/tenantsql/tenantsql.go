// Package tenantsql holds the SQL that the SQLite and PostgreSQL stores
// share for whole tenants: deleting what an edited tenant file no longer
// declares, deleting a tenant, the record of what its last applied file
// declared, and the settings of the installation. The two
// stores keep the same tables under the same names and both read $1, $2…
// placeholders, so these statements are written once; each store adapts
// its own handle to DB and wraps the calls in its transactions.
package tenantsql

import (
	"context"
	"slices"

	"github.com/teamsops/teamsops"
)

// DB runs statements with $1, $2… placeholders on one database handle or
// transaction of a store.
type DB interface {
	// Exec runs a statement.
	Exec(ctx context.Context, query string, args ...any) error
	// Query runs a query and calls row for each row, with the row's Scan.
	Query(ctx context.Context, query string, args []any, row func(scan func(dest ...any) error) error) error
	// TablesWith lists the tables of the store's schema that have a
	// column named column.
	TablesWith(ctx context.Context, column string) ([]string, error)
}

// Note records a change a write makes; the store reports it once the
// write commits (teamsops.Store.Watch).
type Note func(changes ...teamsops.Change)

func access(tenantID string, kind teamsops.ResourceKind, id string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeAccess, TenantID: tenantID, Resource: teamsops.ResourceRef{Kind: kind, ID: id}}
}

// exec runs statements in order, each with the same arguments.
func exec(ctx context.Context, db DB, args []any, statements ...string) error {
	for _, s := range statements {
		if err := db.Exec(ctx, s, args...); err != nil {
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
func DeleteUser(ctx context.Context, db DB, note Note, tenantID, id string) error {
	note(access(tenantID, "", ""))
	var stmts []string
	for _, t := range memberTables {
		stmts = append(stmts, `DELETE FROM `+t+` WHERE tenant_id = $1 AND user_id = $2`)
	}
	stmts = append(stmts, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`)
	return exec(ctx, db, []any{tenantID, id}, stmts...)
}

// DeleteAppRegistration deletes an app registration, its RSC grants and
// its fault rules (which would apply again to an app of the same client
// id declared later).
func DeleteAppRegistration(ctx context.Context, db DB, note Note, tenantID, clientID string) error {
	note(access(tenantID, "", ""))
	return exec(ctx, db, []any{tenantID, clientID},
		`DELETE FROM permission_grants WHERE tenant_id = $1 AND client_app_id = $2`,
		`DELETE FROM fault_rules WHERE tenant_id = $1 AND client_app_id = $2`,
		`DELETE FROM app_registrations WHERE tenant_id = $1 AND client_id = $2`)
}

// DeleteTeamsApp deletes an app of the catalog and its installations.
func DeleteTeamsApp(ctx context.Context, db DB, tenantID, id string) error {
	return exec(ctx, db, []any{tenantID, id},
		`DELETE FROM app_installations WHERE tenant_id = $1 AND teams_app_id = $2`,
		`DELETE FROM teams_apps WHERE tenant_id = $1 AND id = $2`)
}

// DeleteGroup deletes a group and its members (not a team of its id).
func DeleteGroup(ctx context.Context, db DB, note Note, tenantID, id string) error {
	note(access(tenantID, teamsops.ResourceGroup, id), access(tenantID, teamsops.ResourceTeam, id))
	return exec(ctx, db, []any{tenantID, id},
		`DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2`,
		`DELETE FROM directory_groups WHERE tenant_id = $1 AND id = $2`)
}

// DeleteTeam deletes a team with its members, channels, installed apps
// and RSC grants; its group and its operations stay.
func DeleteTeam(ctx context.Context, db DB, note Note, tenantID, id string) error {
	note(access(tenantID, teamsops.ResourceTeam, id))
	return exec(ctx, db, []any{tenantID, id},
		`DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2`,
		`DELETE FROM channels WHERE tenant_id = $1 AND team_id = $2`,
		`DELETE FROM app_installations WHERE tenant_id = $1 AND resource_kind = 'teams' AND resource_id = $2`,
		`DELETE FROM permission_grants WHERE tenant_id = $1 AND resource_kind = 'teams' AND resource_id = $2`,
		`DELETE FROM teams WHERE tenant_id = $1 AND id = $2`)
}

// DeleteChannel deletes a channel of a team.
func DeleteChannel(ctx context.Context, db DB, tenantID, teamID, id string) error {
	return db.Exec(ctx, `DELETE FROM channels WHERE tenant_id = $1 AND team_id = $2 AND id = $3`, tenantID, teamID, id)
}

// DeleteChat deletes a chat with its members, installed apps and RSC
// grants; its operations stay.
func DeleteChat(ctx context.Context, db DB, note Note, tenantID, id string) error {
	note(access(tenantID, teamsops.ResourceChat, id))
	return exec(ctx, db, []any{tenantID, id},
		`DELETE FROM chat_members WHERE tenant_id = $1 AND chat_id = $2`,
		`DELETE FROM app_installations WHERE tenant_id = $1 AND resource_kind = 'chats' AND resource_id = $2`,
		`DELETE FROM permission_grants WHERE tenant_id = $1 AND resource_kind = 'chats' AND resource_id = $2`,
		`DELETE FROM chats WHERE tenant_id = $1 AND id = $2`)
}

// DeleteAppInstallation deletes one installation of a Teams app.
func DeleteAppInstallation(ctx context.Context, db DB, tenantID, id string) error {
	return db.Exec(ctx, `DELETE FROM app_installations WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

// DeletePermissionGrant deletes one RSC grant.
func DeletePermissionGrant(ctx context.Context, db DB, note Note, tenantID, id string) error {
	var grant []teamsops.Change
	err := db.Query(ctx, `SELECT resource_kind, resource_id FROM permission_grants WHERE tenant_id = $1 AND id = $2`,
		[]any{tenantID, id}, func(scan func(...any) error) error {
			var kind, resource string
			err := scan(&kind, &resource)
			grant = append(grant, access(tenantID, teamsops.ResourceKind(kind), resource))
			return err
		})
	if err != nil {
		return err
	}
	note(grant...)
	return db.Exec(ctx, `DELETE FROM permission_grants WHERE tenant_id = $1 AND id = $2`, tenantID, id)
}

// DeleteOperation deletes one operation and its history (not its job, which the engine
// keeps: see engine.Runner.DeleteTenantJobs).
func DeleteOperation(ctx context.Context, db DB, note Note, tenantID, id string) error {
	var deleted []teamsops.Change
	err := db.Query(ctx, `SELECT resource_kind, resource_id FROM operations WHERE tenant_id = $1 AND id = $2`,
		[]any{tenantID, id}, func(scan func(...any) error) error {
			c := teamsops.Change{Kind: teamsops.ChangeOperation, TenantID: tenantID, OperationID: id}
			err := scan(&c.Resource.Kind, &c.Resource.ID)
			deleted = append(deleted, c)
			return err
		})
	if err != nil {
		return err
	}
	note(deleted...)
	return exec(ctx, db, []any{tenantID, id},
		`DELETE FROM operation_history WHERE tenant_id = $1 AND operation_id = $2`,
		`DELETE FROM operations WHERE tenant_id = $1 AND id = $2`)
}

// tenantTables are the tables with a tenant_id, children before their
// parents, so that deleting in this order breaks no foreign key.
// DeleteTenant also finds, in the schema, the tables this list lacks.
var tenantTables = []string{
	"declared_entities", "operation_history", "operations", "permission_grants", "app_installations", "channels",
	"chat_members", "chats", "team_members", "teams", "group_members", "directory_groups",
	"teams_apps", "app_registrations", "users", "sign_in_grants",
}

// DeleteTenant deletes every row of the tenant: first from the tables of
// tenantTables in order, then from any other table with a tenant_id
// column (a table added later, or a back end's own, such as SQLite's
// change log), and last the tenant itself.
func DeleteTenant(ctx context.Context, db DB, note Note, tenantID string) error {
	note(teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: tenantID})
	tables, err := db.TablesWith(ctx, "tenant_id")
	if err != nil {
		return err
	}
	order := slices.Clone(tenantTables)
	for _, t := range tables {
		if !slices.Contains(order, t) {
			order = append(order, t)
		}
	}
	for _, t := range order {
		if !slices.Contains(tables, t) {
			continue // not in this schema
		}
		if err := db.Exec(ctx, `DELETE FROM `+quoteIdent(t)+` WHERE tenant_id = $1`, tenantID); err != nil {
			return err
		}
	}
	return db.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, tenantID)
}

// quoteIdent quotes a table name read from the schema.
func quoteIdent(name string) string {
	out := []byte{'"'}
	for i := 0; i < len(name); i++ {
		if name[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, name[i])
	}
	return string(append(out, '"'))
}

// Declared returns what the last tenant file applied to the tenant
// declared, in the order of teamsops.DeclaredKinds, then by id.
func Declared(ctx context.Context, db DB, tenantID string) ([]teamsops.Declared, error) {
	var out []teamsops.Declared
	err := db.Query(ctx, `SELECT kind, parent_kind, parent_id, id, digest FROM declared_entities
		WHERE tenant_id = $1 ORDER BY kind, parent_id, id`, []any{tenantID}, func(scan func(...any) error) error {
		var d teamsops.Declared
		if err := scan(&d.Kind, &d.Parent.Kind, &d.Parent.ID, &d.ID, &d.Digest); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	slices.SortStableFunc(out, func(a, b teamsops.Declared) int {
		return slices.Index(teamsops.DeclaredKinds, a.Kind) - slices.Index(teamsops.DeclaredKinds, b.Kind)
	})
	return out, err
}

// SetDeclared records that the tenant file applied to the tenant
// declared exactly entities. It upserts each and deletes only what is no
// longer declared, rather than rewriting the record, so that replicas
// applying the same file at once on PostgreSQL wait for each other
// instead of colliding on the record's keys.
func SetDeclared(ctx context.Context, db DB, note Note, tenantID string, entities []teamsops.Declared) error {
	note(teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: tenantID})
	before, err := Declared(ctx, db, tenantID)
	if err != nil {
		return err
	}
	type key struct {
		kind       teamsops.DeclaredKind
		parent, id string
	}
	now := map[key]bool{}
	for _, d := range entities {
		now[key{d.Kind, d.Parent.ID, d.ID}] = true
		err := db.Exec(ctx, `INSERT INTO declared_entities (tenant_id, kind, parent_kind, parent_id, id, digest)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (tenant_id, kind, parent_id, id) DO UPDATE SET
				parent_kind = excluded.parent_kind, digest = excluded.digest`,
			tenantID, string(d.Kind), string(d.Parent.Kind), d.Parent.ID, d.ID, d.Digest)
		if err != nil {
			return err
		}
	}
	for _, d := range before {
		if !now[key{d.Kind, d.Parent.ID, d.ID}] {
			err := db.Exec(ctx, `DELETE FROM declared_entities
				WHERE tenant_id = $1 AND kind = $2 AND parent_id = $3 AND id = $4`, tenantID, string(d.Kind), d.Parent.ID, d.ID)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// publicURL names the setting that holds the public URL of the server
// that last started on the database.
const publicURL = "public_url"

// PublicURL returns the public URL the last server started on this
// database recorded, or "" if none did.
func PublicURL(ctx context.Context, db DB) (string, error) {
	var url string
	err := db.Query(ctx, `SELECT value FROM instance_settings WHERE name = $1`, []any{publicURL},
		func(scan func(...any) error) error { return scan(&url) })
	return url, err
}

// SetPublicURL records the public URL of the server starting on this
// database, for "teamsops token".
func SetPublicURL(ctx context.Context, db DB, url string) error {
	return db.Exec(ctx, `INSERT INTO instance_settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, publicURL, url)
}
