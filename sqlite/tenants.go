package sqlite

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/tenantsql"
)

// The deletes, the record of declared entities and the instance settings
// run package tenantsql's statements, which the PostgreSQL store shares.

// shared adapts a querier to tenantsql.DB.
type shared struct{ q querier }

func (s shared) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.q.ExecContext(ctx, query, args...)
	return err
}

func (s shared) Query(ctx context.Context, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s shared) TablesWith(ctx context.Context, column string) ([]string, error) {
	var tables []string
	err := s.Query(ctx, `SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND c.name = $1 ORDER BY m.name`, []any{column},
		func(scan func(...any) error) error {
			var t string
			err := scan(&t)
			tables = append(tables, t)
			return err
		})
	return tables, err
}

// write runs one of tenantsql's writes in c's transaction.
func (c conn) write(ctx context.Context, what string, fn func(db tenantsql.DB, note tenantsql.Note) error) error {
	return c.atomic(ctx, what, func(q querier, note noter) error {
		if err := fn(shared{q}, tenantsql.Note(note)); err != nil {
			return storeError(what, err)
		}
		return nil
	})
}

// DeleteUser deletes a user and its memberships.
func (c conn) DeleteUser(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete user", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteUser(ctx, db, note, tenantID, id)
	})
}

// DeleteAppRegistration deletes an app registration and its RSC grants.
func (c conn) DeleteAppRegistration(ctx context.Context, tenantID, clientID string) error {
	return c.write(ctx, "delete app registration", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteAppRegistration(ctx, db, note, tenantID, clientID)
	})
}

// DeleteTeamsApp deletes an app of the catalog and its installations.
func (c conn) DeleteTeamsApp(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete Teams app", func(db tenantsql.DB, _ tenantsql.Note) error {
		return tenantsql.DeleteTeamsApp(ctx, db, tenantID, id)
	})
}

// DeleteGroup deletes a group and its members.
func (c conn) DeleteGroup(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete group", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteGroup(ctx, db, note, tenantID, id)
	})
}

// DeleteTeam deletes a team and what belongs to it, but its group and
// its operations.
func (c conn) DeleteTeam(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete team", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteTeam(ctx, db, note, tenantID, id)
	})
}

// DeleteChannel deletes a channel of a team.
func (c conn) DeleteChannel(ctx context.Context, tenantID, teamID, id string) error {
	return c.write(ctx, "delete channel", func(db tenantsql.DB, _ tenantsql.Note) error {
		return tenantsql.DeleteChannel(ctx, db, tenantID, teamID, id)
	})
}

// DeleteChat deletes a chat and what belongs to it, but its operations.
func (c conn) DeleteChat(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete chat", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteChat(ctx, db, note, tenantID, id)
	})
}

// DeleteAppInstallation deletes one installation of a Teams app.
func (c conn) DeleteAppInstallation(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete app installation", func(db tenantsql.DB, _ tenantsql.Note) error {
		return tenantsql.DeleteAppInstallation(ctx, db, tenantID, id)
	})
}

// DeletePermissionGrant deletes one RSC grant.
func (c conn) DeletePermissionGrant(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete permission grant", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeletePermissionGrant(ctx, db, note, tenantID, id)
	})
}

// DeleteOperation deletes one operation.
func (c conn) DeleteOperation(ctx context.Context, tenantID, id string) error {
	return c.write(ctx, "delete operation", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteOperation(ctx, db, note, tenantID, id)
	})
}

// SetDeclared records what the tenant file applied to the tenant declared.
func (c conn) SetDeclared(ctx context.Context, tenantID string, entities []teamsops.Declared) error {
	return c.write(ctx, "record declared entities", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.SetDeclared(ctx, db, note, tenantID, entities)
	})
}

// Declared returns what the tenant file last applied to the tenant declared.
func (c conn) Declared(ctx context.Context, tenantID string) ([]teamsops.Declared, error) {
	d, err := tenantsql.Declared(ctx, shared{c.q}, tenantID)
	if err != nil {
		return nil, storeError("read declared entities", err)
	}
	return d, nil
}

// DeleteTenant deletes the tenant and every row of it. The changes this
// transaction logs of it are logged without its id (forgotten).
func (t *Tx) DeleteTenant(ctx context.Context, tenantID string) error {
	err := t.write(ctx, "delete tenant", func(db tenantsql.DB, note tenantsql.Note) error {
		return tenantsql.DeleteTenant(ctx, db, note, tenantID)
	})
	if err != nil {
		return err
	}
	if t.forgotten == nil {
		t.forgotten = map[string]bool{}
	}
	t.forgotten[tenantID] = true
	return nil
}

// PublicURL returns the public URL the last server started here recorded.
func (s *Store) PublicURL(ctx context.Context) (string, error) {
	url, err := tenantsql.PublicURL(ctx, shared{s.db})
	if err != nil {
		return "", storeError("read public URL", err)
	}
	return url, nil
}

// SetPublicURL records the public URL of a server starting here.
func (s *Store) SetPublicURL(ctx context.Context, url string) error {
	if err := tenantsql.SetPublicURL(ctx, shared{s.db}, url); err != nil {
		return storeError("record public URL", err)
	}
	return nil
}
