package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/service"
)

// apply applies tenant files to a database, which a server may be using,
// in one transaction: "teamsops apply --db … FILE…".
func apply(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("apply", "usage: teamsops apply [flags] FILE...\n\n"+
		"Applies the tenant files to the database in one transaction, then prints\n"+
		"one line per file (unless --quiet):\n\n"+
		"  applied FILE to DB: tenant ID (NAME): KINDs N created, N changed, N deleted, N unchanged; …\n\n"+
		"DB is --db with any password hidden; a kind is listed if the file declares\n"+
		"it or the last apply did, and a count if it is not 0.\n\n"+
		"apply creates the database if it does not exist, as serve does (the default\n"+
		"is teamsops.db in the folder it runs in): it is how one prepares a database\n"+
		"for a server. A file's problems are printed one a line on stderr,\n"+
		"FILE:LINE:COLUMN: PATH: MESSAGE, each mistake once, and nothing is applied.\n\n"+
		"Exit status: 0 applied, 2 any error (nothing was applied).\n\nflags:\n", stderr)
	db := fs.String("db", "sqlite:teamsops.db", "database to apply the files to: sqlite:PATH or postgres://…")
	poolSize := fs.Int("db-pool-size", 2, "most PostgreSQL connections to open")
	printIDs := fs.Bool("print-ids", false, "print every entity the files declare with its id, those derived included")
	quiet := fs.Bool("quiet", false, "do not print what was applied (--print-ids still prints)")
	files, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("give the tenant files to apply")
	}
	tenants, err := readTenantFiles(files, stderr)
	if err != nil {
		return err
	}
	sums, err := server.Apply(ctx, *db, *poolSize, tenants)
	if err != nil {
		return err
	}
	if !*quiet {
		for i, sum := range sums {
			fmt.Fprintf(stdout, "applied %s to %s: %s\n", files[i], server.Redact(*db), summaryLine(sum))
		}
	}
	if *printIDs {
		return printDeclared(stdout, tenants)
	}
	return nil
}

// summaryLine says what an apply did to one tenant, kinds in writing
// order: "tenant ID (NAME): users 3 created; teams 1 changed, 2 unchanged".
func summaryLine(sum service.Summary) string {
	var kinds []string
	for _, kind := range teamsops.DeclaredKinds {
		c := sum.Kinds[kind]
		if c == nil {
			continue
		}
		var counts []string
		for _, n := range []struct {
			n    int
			what string
		}{{c.Created, "created"}, {c.Changed, "changed"}, {c.Deleted, "deleted"}, {c.Unchanged, "unchanged"}} {
			if n.n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n.n, n.what))
			}
		}
		kinds = append(kinds, string(kind)+"s "+strings.Join(counts, ", "))
	}
	what := strings.Join(kinds, "; ")
	if what == "" {
		what = "nothing declared"
	}
	return fmt.Sprintf("tenant %s (%s): %s", sum.TenantID, sum.DisplayName, what)
}

// printDeclared writes a table of what the tenants declare: kind, the
// name the file knows it by (from which a missing id was derived), id.
func printDeclared(w io.Writer, tenants []*teamsops.Declaration) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tNAME\tID")
	row := func(kind, name, id string) { fmt.Fprintf(tw, "%s\t%s\t%s\n", kind, name, id) }
	for _, d := range tenants {
		names := namesOf(d)
		row("tenant", d.Tenant.DisplayName, d.Tenant.ID)
		for _, u := range d.Users {
			row("user", u.UserPrincipalName, u.ID)
		}
		for _, a := range d.AppRegistrations {
			row("appRegistration", a.DisplayName, a.ClientID)
		}
		for _, r := range d.FaultRules {
			row("faultRule", names[r.ClientAppID]+" "+cmp.Or(string(r.OperationType), "every operation")+" "+r.Action, r.ID)
		}
		for _, a := range d.TeamsApps {
			row("teamsApp", a.DisplayName, a.ID)
		}
		for _, g := range d.Groups {
			row("group", g.MailNickname, g.ID)
		}
		for _, t := range d.Teams {
			row("team", t.DisplayName, t.ID)
		}
		for _, c := range d.Channels {
			row("channel", names[c.TeamID]+" / "+c.DisplayName, c.ID)
		}
		for _, c := range d.Chats {
			row("chat", names[c.ID], c.ID)
		}
		for _, i := range d.AppInstallations {
			row("appInstallation", names[i.TeamsAppID]+" in "+names[i.Resource.ID], i.ID)
		}
		for _, g := range d.PermissionGrants {
			row("permissionGrant", g.Permission+" on "+names[g.Resource.ID], g.ID)
		}
		for _, op := range d.Operations {
			row("operation", string(op.Type)+" of "+names[op.Resource.ID], op.ID)
		}
	}
	return tw.Flush()
}

// namesOf names the app registrations, teams, chats and Teams apps of d
// by id, as the file knows them: a chat by its topic or, without one, its
// members' aliases.
func namesOf(d *teamsops.Declaration) map[string]string {
	names := map[string]string{}
	alias := map[string]string{}
	for _, u := range d.Users {
		alias[u.ID], _, _ = strings.Cut(u.UserPrincipalName, "@")
	}
	for _, a := range d.AppRegistrations {
		names[a.ClientID] = a.DisplayName
	}
	for _, t := range d.Teams {
		names[t.ID] = t.DisplayName
	}
	for _, a := range d.TeamsApps {
		names[a.ID] = a.DisplayName
	}
	for _, c := range d.Chats {
		if c.Topic != "" {
			names[c.ID] = c.Topic
			continue
		}
		var members []string
		for _, m := range c.Members {
			members = append(members, alias[m.UserID])
		}
		names[c.ID] = c.ChatType + " " + strings.Join(members, "+")
	}
	return names
}
