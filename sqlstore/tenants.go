package sqlstore

import (
	"context"
	"slices"

	"github.com/teamsops/teamsops"
)

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
// change log), and last the tenant itself. It is teamsops.Tx's: the
// engine deletes the tenant's jobs in the same transaction.
func (c Conn) DeleteTenant(ctx context.Context, tenantID string) error {
	return c.write(ctx, "delete tenant", func(q Querier, note Note) error {
		note(teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: tenantID})
		tables, err := c.d.TablesWith(ctx, q, "tenant_id")
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
			if _, err := q.Exec(ctx, `DELETE FROM `+quoteIdent(t)+` WHERE tenant_id = $1`, tenantID); err != nil {
				return err
			}
		}
		_, err = q.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, tenantID)
		return err
	})
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
func (c Conn) Declared(ctx context.Context, tenantID string) ([]teamsops.Declared, error) {
	d, err := declared(ctx, c.q, tenantID)
	if err != nil {
		return nil, c.d.Error("read declared entities", err)
	}
	return d, nil
}

func declared(ctx context.Context, q Querier, tenantID string) ([]teamsops.Declared, error) {
	var out []teamsops.Declared
	err := q.Query(ctx, `SELECT kind, parent_kind, parent_id, id, digest FROM declared_entities
		WHERE tenant_id = $1 ORDER BY kind, parent_id, id`, []any{tenantID}, func(row Row) error {
		var d teamsops.Declared
		if err := row.Scan(&d.Kind, &d.Parent.Kind, &d.Parent.ID, &d.ID, &d.Digest); err != nil {
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
func (c Conn) SetDeclared(ctx context.Context, tenantID string, entities []teamsops.Declared) error {
	return c.write(ctx, "record declared entities", func(q Querier, note Note) error {
		note(teamsops.Change{Kind: teamsops.ChangeTenant, TenantID: tenantID})
		before, err := declared(ctx, q, tenantID)
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
			_, err := q.Exec(ctx, `INSERT INTO declared_entities (tenant_id, kind, parent_kind, parent_id, id, digest)
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
				_, err := q.Exec(ctx, `DELETE FROM declared_entities
					WHERE tenant_id = $1 AND kind = $2 AND parent_id = $3 AND id = $4`, tenantID, string(d.Kind), d.Parent.ID, d.ID)
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// publicURL names the setting that holds the public URL of the server
// that last started on the database.
const publicURL = "public_url"

// PublicURL returns the public URL the last server started on this
// database recorded, or "" if none did.
func (c Conn) PublicURL(ctx context.Context) (string, error) {
	var url string
	err := c.q.QueryRow(ctx, `SELECT value FROM instance_settings WHERE name = $1`, publicURL).Scan(&url)
	if err != nil && !NoRows(err) {
		return "", c.d.Error("read public URL", err)
	}
	return url, nil
}

// SetPublicURL records the public URL of the server starting on this
// database, for "teamsops token".
func (c Conn) SetPublicURL(ctx context.Context, url string) error {
	_, err := c.q.Exec(ctx, `INSERT INTO instance_settings (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, publicURL, url)
	if err != nil {
		return c.d.Error("record public URL", err)
	}
	return nil
}
