// Package authz decides whether a principal may call an endpoint on a chat
// or team. Each endpoint's permission table is data (a Rule, copied from
// its Graph reference page); Check is the one function that applies them.
package authz

import (
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// Rule is the permission table of one Graph endpoint, from least to most
// privileged as the page lists them.
type Rule struct {
	// Delegated are the scopes a signed-in user's token may carry.
	Delegated []string
	// Application are the tenant-wide application permissions (roles).
	Application []string
	// ResourceSpecific are the resource-specific consent permissions
	// (marked * on Graph's pages) an app may hold on the resource itself.
	ResourceSpecific []string
	// Collection marks an endpoint that acts on a collection rather than
	// on one existing resource (POST /chats): only the token's permissions
	// count; there are no access facts, membership or RSC grants.
	Collection bool
	// Owner requires a delegated caller to be an owner of the team or
	// group, not only a member: changes that Teams lets owners make.
	Owner bool
	// TenantWide lets a delegated caller act on any resource of its
	// tenant, member or not, as directory reads do (Get group).
	TenantWide bool
	// SignedInUserOnly are the scopes of Delegated that reach the
	// signed-in user alone, as User.Read does on "Get user": with none of
	// Delegated's other scopes, the resource must be the caller itself.
	SignedInUserOnly []string
}

// Check reports whether p may call the endpoint governed by r on a resource
// whose access facts are a. It returns nil, or an *teamsops.Error:
//
//   - EFORBIDDEN for a personal Microsoft account, for a token that carries
//     none of the rule's permissions (the message names them), for a
//     delegated user who is not a member of the chat or team, and for one
//     whose scopes reach only the signed-in user when the resource is
//     another user;
//   - ENOTFOUND when the caller holds a permission but the resource does
//     not exist in the caller's tenant.
//
// An app without tenant-wide roles is checked against its RSC grants on
// the resource; a resource that does not exist has none, so such an app
// learns nothing about which resources exist. A Collection rule checks the
// token's scopes or roles only; a and ref are ignored.
func Check(p teamsops.Principal, r Rule, a teamsops.ResourceAccess, ref teamsops.ResourceRef) error {
	if p.PersonalAccount() {
		// Every permission table of these APIs says
		// "Delegated (personal Microsoft account): Not supported."
		return teamsops.Errorf(teamsops.EFORBIDDEN, "Personal Microsoft accounts are not supported for this API.")
	}
	if r.Collection {
		// Nothing exists yet to be a member of or to hold a grant on.
		a = teamsops.ResourceAccess{Exists: true, Member: true}
	}
	if p.Delegated() {
		return checkDelegated(p, r, a, ref)
	}
	return checkApplication(p, r, a, ref)
}

func checkDelegated(p teamsops.Principal, r Rule, a teamsops.ResourceAccess, ref teamsops.ResourceRef) error {
	if len(r.Delegated) == 0 {
		// The table says "Delegated (work or school account): Not supported."
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"This API does not support delegated permissions; call it with application permissions.")
	}
	if !anyOf(r.Delegated, p.HasScope) {
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"Missing scope permissions on the request. API requires one of '%s'. Scopes on the request '%s'.",
			strings.Join(r.Delegated, ", "), strings.Join(p.Scopes, ", "))
	}
	if !a.Exists {
		return notFound(ref)
	}
	switch {
	case !a.Self && len(r.SignedInUserOnly) > 0 && !anyOf(beyondSelf(r), p.HasScope):
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"Missing scope permissions on the request. Reading %s '%s' requires one of '%s'; '%s' reach only the signed-in user. Scopes on the request '%s'.",
			kindName(ref.Kind), ref.ID, strings.Join(beyondSelf(r), ", "), strings.Join(r.SignedInUserOnly, ", "), strings.Join(p.Scopes, ", "))
	case r.TenantWide:
	case !a.Member:
		// Delegated access to a chat or team requires the signed-in user
		// to be one of its members (PRODUCT.md, "Permissions").
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"The signed-in user '%s' is not a member of %s '%s'.", p.UserID, kindName(ref.Kind), ref.ID)
	case r.Owner && !a.Owner:
		return teamsops.Errorf(teamsops.EFORBIDDEN,
			"The signed-in user '%s' is not an owner of %s '%s'.", p.UserID, kindName(ref.Kind), ref.ID)
	}
	return nil
}

func checkApplication(p teamsops.Principal, r Rule, a teamsops.ResourceAccess, ref teamsops.ResourceRef) error {
	if anyOf(r.Application, p.HasRole) {
		if !a.Exists {
			return notFound(ref)
		}
		return nil
	}
	for _, g := range a.Grants {
		if slices.Contains(r.ResourceSpecific, g) {
			return nil
		}
	}
	required := append(append([]string{}, r.ResourceSpecific...), r.Application...)
	return teamsops.Errorf(teamsops.EFORBIDDEN,
		"Missing role permissions on the request. API requires one of '%s'. Roles on the request '%s'. Resource specific consent grants on the request '%s'.",
		strings.Join(required, ", "), strings.Join(p.Roles, ", "), strings.Join(a.Grants, ", "))
}

// beyondSelf are the delegated scopes of r that reach other resources than
// the signed-in user.
func beyondSelf(r Rule) []string {
	var out []string
	for _, s := range r.Delegated {
		if !slices.Contains(r.SignedInUserOnly, s) {
			out = append(out, s)
		}
	}
	return out
}

func notFound(ref teamsops.ResourceRef) error {
	if ref.Kind == teamsops.ResourceUser {
		// The directory's words for a missing object, id as requested.
		return teamsops.Errorf(teamsops.ENOTFOUND,
			"Resource '%s' does not exist or one of its queried reference-property objects are not present.", ref.ID)
	}
	return teamsops.Errorf(teamsops.ENOTFOUND, "No %s found with id '%s'.", kindName(ref.Kind), ref.ID)
}

func kindName(k teamsops.ResourceKind) string {
	switch k {
	case teamsops.ResourceTeam:
		return "team"
	case teamsops.ResourceGroup:
		return "group"
	case teamsops.ResourceUser:
		return "user"
	}
	return "chat"
}

func anyOf(perms []string, has func(string) bool) bool {
	for _, perm := range perms {
		if has(perm) {
			return true
		}
	}
	return false
}
