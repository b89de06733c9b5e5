// Package tenantfile reads and writes tenant files: one tenant of
// teamsops — its users, app registrations with their secrets and
// permissions, fault rules, Teams apps, resource-specific grants, groups,
// teams, channels, chats and operations — declared in YAML or JSON (JSON
// is YAML, so one parser reads both, keeping the line and column of every
// value). DecodeFaultRule reads one fault rule alone, as the admin API
// receives it.
//
// Decode checks a file as a whole and reports every problem at once, each
// with its file, line, column and field path; only a file without any
// yields a teamsops.Declaration, with every id filled in. Ids Graph
// generates may be left out: they are derived from the tenant and the
// entity's name, so a file without ids names the same entities on every
// machine. The package only translates; applying a Declaration is the
// service's.
package tenantfile

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// MaxSize bounds a tenant file: ample for thousands of entities.
const MaxSize = 8 << 20

// Decode reads the tenant file data; name names it in errors. It returns
// the tenant the file declares, or Errors listing every problem found.
func Decode(name string, data []byte) (*teamsops.Declaration, error) {
	if len(data) > MaxSize {
		return nil, Errors{{File: name, Pos: Pos{1, 1}, Message: fmt.Sprintf("the file is larger than %d bytes", MaxSize)}}
	}
	root, perr := parse(data)
	if perr != nil {
		perr.File = name
		return nil, Errors{perr}
	}
	errs := newErrorList(name)
	var doc document
	(&decoder{errs: errs}).decode(root, refValue(&doc), "")
	p := newPlanner(errs)
	p.run(&doc)
	if len(errs.errs) > 0 {
		return nil, errs.sorted()
	}
	return p.d, nil
}

// ReadFiles decodes tenant files. Each file declares one tenant, and no
// two files the same one. It returns every problem of every file, or the
// declarations in the order of paths.
func ReadFiles(paths ...string) ([]*teamsops.Declaration, error) {
	var all Errors
	var out []*teamsops.Declaration
	declaredBy := map[string]string{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			all = append(all, &Error{File: path, Pos: Pos{1, 1}, Message: err.Error()})
			continue
		}
		d, err := Decode(filepath.Base(path), data)
		if es, ok := err.(Errors); ok {
			for _, e := range es {
				e.File = path
			}
			all = append(all, es...)
			continue
		}
		if first, ok := declaredBy[d.Tenant.ID]; ok {
			all = append(all, &Error{File: path, Pos: Pos{1, 1}, Path: "tenant.id",
				Message: fmt.Sprintf("tenant %s is declared by %s too: one file declares one tenant", d.Tenant.ID, first)})
			continue
		}
		declaredBy[d.Tenant.ID] = path
		out = append(out, d)
	}
	if len(all) > 0 {
		return nil, all
	}
	return out, nil
}

// permissions are what tenant files may grant: every permission name that
// teamsops' permission tables know (authz.Known), and signInScopes.
var permissions = withSignInScopes(authz.Known())

// signInScopes are delegated permissions of Graph that no endpoint of
// teamsops needs, but that apps signing users in ask for: MSAL's samples
// and Microsoft's CLIs request User.Read, and a token must be able to
// carry what such an app asks for.
var signInScopes = []string{"User.Read", "User.ReadBasic.All", "User.Read.All"}

func withSignInScopes(k authz.Rule) authz.Rule {
	k.Delegated = append(k.Delegated, signInScopes...)
	slices.Sort(k.Delegated)
	k.Delegated = slices.Compact(k.Delegated)
	return k
}
