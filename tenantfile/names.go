package tenantfile

import (
	"errors"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// Names finds users or app registrations by the names a tenant file may
// refer to them with, so that other tools accept the same names.
type Names struct{ x *index }

// UserNames finds users by object id, user principal name, or the alias
// before its '@' when no other user shares it.
func UserNames(users []*teamsops.User) *Names {
	x := newIndex("user", "a user of this tenant")
	for _, u := range users {
		alias, _, _ := strings.Cut(u.UserPrincipalName, "@")
		x.add(u.ID, u.UserPrincipalName, alias)
	}
	return &Names{x}
}

// AppNames finds app registrations by client id or display name.
func AppNames(apps []*teamsops.AppRegistration) *Names {
	x := newIndex("app registration", "an app registration of this tenant")
	for _, a := range apps {
		x.add(a.ClientID, a.DisplayName)
	}
	return &Names{x}
}

// Resolve returns the id ref names; the error says why none, with the
// closest name when ref looks like a typo of one.
func (n *Names) Resolve(ref string) (string, error) {
	id, msg := n.x.resolve(ref)
	if msg != "" {
		return "", errors.New(msg)
	}
	return id, nil
}

// PermissionProblem says why perm is not a permission of kind
// ("application" or "delegated") that a tenant file may grant, with the
// closest known name when perm looks like a typo; "" if it is one.
func PermissionProblem(perm, kind string) string {
	known := permissions.Delegated
	if kind == "application" {
		known = permissions.Application
	}
	if slices.Contains(known, perm) {
		return ""
	}
	return unknownPermission(perm, known, kind)
}
