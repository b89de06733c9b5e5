package sqlstore

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/teamsops/teamsops"
)

// accessSource is a table of resources and the table of their members.
type accessSource struct{ table, members, key string }

var (
	chatSource  = accessSource{"chats", "chat_members", "chat_id"}
	teamSource  = accessSource{"teams", "team_members", "team_id"}
	groupSource = accessSource{"directory_groups", "group_members", "group_id"}
)

// accessSources are where Access reads each resource kind's facts: a
// team's also come from its group (teamsops.Store.Access).
var accessSources = map[teamsops.ResourceKind][]accessSource{
	teamsops.ResourceChat:  {chatSource},
	teamsops.ResourceTeam:  {teamSource, groupSource},
	teamsops.ResourceGroup: {groupSource},
}

// accessQuery answers Access for sources in one statement, ORing the
// facts of each. Parameters: $1 tenant, $2 resource id, $3 user id,
// $4 resource kind, $5 client app id. An empty user or app matches
// nothing.
func accessQuery(d Dialect, sources []accessSource) string {
	var exists, member, owner []string
	for _, s := range sources {
		exists = append(exists, `EXISTS (SELECT 1 FROM `+s.table+` WHERE tenant_id = $1 AND id = $2)`)
		member = append(member, `EXISTS (SELECT 1 FROM `+s.members+`
			WHERE tenant_id = $1 AND `+s.key+` = $2 AND user_id = $3)`)
		owner = append(owner, `EXISTS (SELECT 1 FROM `+s.members+`
			WHERE tenant_id = $1 AND `+s.key+` = $2 AND user_id = $3 AND `+d.ListHas("roles", "'owner'")+`)`)
	}
	return `SELECT
		(` + strings.Join(exists, " OR ") + `),
		$3 <> '' AND (` + strings.Join(member, " OR ") + `),
		$3 <> '' AND (` + strings.Join(owner, " OR ") + `),
		` + d.ListOf("permission", `FROM permission_grants
			WHERE $5 <> '' AND tenant_id = $1 AND resource_kind = $4 AND resource_id = $2
				AND client_app_id = $5 AND permission_type = 'Application'`)
}

// opAccessQuery reads the facts of accessQuery ($1–$5) and, in the same
// statement, the operation $6 of the resource: one round trip on
// PostgreSQL for a GET of an operation, one statement on SQLite. The
// operation's columns that are not nullable read as zero values when it
// does not exist.
func opAccessQuery(d Dialect, sources []accessSource) string {
	cols := strings.Split(operationColumns, ",")
	for i, c := range cols {
		c = "o." + strings.TrimSpace(c)
		switch i {
		case 6, 7, 8: // created_at, last_action_at, attempts_count
			cols[i] = "coalesce(" + c + ", 0)"
		case 9, 10, 11, 12, 13: // nullable text
			cols[i] = c
		default:
			cols[i] = "coalesce(" + c + ", '')"
		}
	}
	return `SELECT a.*, o.id IS NOT NULL, ` + strings.Join(cols, ", ") + `
		FROM (` + accessQuery(d, sources) + `) a
		LEFT JOIN operations o ON o.tenant_id = $1 AND o.resource_kind = $4 AND o.resource_id = $2 AND o.id = $6`
}

// accessQueries are the statements of Access and OperationWithAccess for
// one dialect, built once per resource kind.
type accessQueries struct {
	access, withOperation map[teamsops.ResourceKind]string
}

// builtAccessQueries holds the accessQueries of each Dialect (a
// comparable value), built at its first use.
var builtAccessQueries sync.Map

// accessQueriesOf returns d's accessQueries.
func accessQueriesOf(d Dialect) *accessQueries {
	if qs, ok := builtAccessQueries.Load(d); ok {
		return qs.(*accessQueries)
	}
	qs, _ := builtAccessQueries.LoadOrStore(d, newAccessQueries(d))
	return qs.(*accessQueries)
}

func newAccessQueries(d Dialect) *accessQueries {
	qs := &accessQueries{access: map[teamsops.ResourceKind]string{}, withOperation: map[teamsops.ResourceKind]string{}}
	for kind, sources := range accessSources {
		qs.access[kind] = accessQuery(d, sources)
		qs.withOperation[kind] = opAccessQuery(d, sources)
	}
	return qs
}

// Access reports whether the chat or team exists in the tenant, whether
// userID is a member or owner of it, and the application RSC permissions
// clientAppID holds on it, sorted.
func (c Conn) Access(ctx context.Context, tenantID string, ref teamsops.ResourceRef, userID, clientAppID string) (teamsops.ResourceAccess, error) {
	var a teamsops.ResourceAccess
	query, ok := accessQueriesOf(c.d).access[ref.Kind]
	if !ok {
		return a, nil // no such kind, so no such resource
	}
	err := c.q.QueryRow(ctx, query, tenantID, ref.ID, userID, string(ref.Kind), clientAppID).
		Scan(&a.Exists, &a.Member, &a.Owner, c.d.List(&a.Grants))
	if err != nil {
		return teamsops.ResourceAccess{}, c.d.Error("read access", err)
	}
	if !a.Exists {
		return teamsops.ResourceAccess{}, nil // grants may outlive their resource
	}
	slices.Sort(a.Grants)
	return a, nil
}

// OperationWithAccess reads the access facts and the operation in one
// statement.
func (c Conn) OperationWithAccess(ctx context.Context, tenantID string, ref teamsops.ResourceRef, id, userID, clientAppID string) (teamsops.ResourceAccess, *teamsops.Operation, error) {
	var a teamsops.ResourceAccess
	query, ok := accessQueriesOf(c.d).withOperation[ref.Kind]
	if !ok {
		return a, nil, nil // no such kind, so no such resource
	}
	var (
		found bool
		s     operationScan
	)
	dest := append([]any{&a.Exists, &a.Member, &a.Owner, c.d.List(&a.Grants), &found}, s.dest()...)
	err := c.q.QueryRow(ctx, query, tenantID, ref.ID, userID, string(ref.Kind), clientAppID, id).Scan(dest...)
	if err != nil {
		return teamsops.ResourceAccess{}, nil, c.d.Error("read operation and access", err)
	}
	if !a.Exists {
		return teamsops.ResourceAccess{}, nil, nil // grants may outlive their resource
	}
	slices.Sort(a.Grants)
	if !found {
		return a, nil, nil
	}
	return a, s.operation(), nil
}
