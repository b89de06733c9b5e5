package teamsops

import "slices"

// Principal is the caller of a request, as its validated access token
// describes it. A delegated caller has a UserID and Scopes; an
// application caller has Roles and no UserID.
type Principal struct {
	TenantID string
	UserID   string   // "oid" of a delegated token
	AppID    string   // "appid" or "azp": the calling app's client id
	Scopes   []string // "scp" of a delegated token
	Roles    []string // "roles" of an application token
}

// Delegated reports whether the principal acts on behalf of a user.
func (p Principal) Delegated() bool { return p.UserID != "" }

// PersonalAccount reports whether the token was issued to a personal
// Microsoft account.
func (p Principal) PersonalAccount() bool { return p.TenantID == ConsumerTenantID }

// HasScope reports whether a delegated principal holds scope.
func (p Principal) HasScope(scope string) bool { return slices.Contains(p.Scopes, scope) }

// HasRole reports whether an application principal holds role.
func (p Principal) HasRole(role string) bool { return slices.Contains(p.Roles, role) }
