package service

import (
	"context"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// User returns a user of the caller's tenant ("Get user",
// api-reference/v1.0/api/user-get.md) under authz.UserRead: the signed-in
// user for /me (user empty), else the user the path names by object id
// or, ignoring case, by user principal name. A disabled account is read
// like any other.
//
// Errors: EINVALID for /me with an application token, which names no
// signed-in user; EFORBIDDEN from authorization; ENOTFOUND for a user the
// tenant does not hold, another tenant's included.
func (s *Service) User(ctx context.Context, p teamsops.Principal, user string) (*teamsops.User, error) {
	ref := teamsops.ResourceRef{Kind: teamsops.ResourceUser, ID: clip(user)}
	if p.PersonalAccount() {
		return nil, authz.Check(p, authz.UserRead, teamsops.ResourceAccess{}, ref)
	}
	if user == "" {
		// "Application permissions are not supported when using the /me
		// endpoint": Graph refuses it before looking at permissions.
		if !p.Delegated() {
			return nil, errMeNeedsUser
		}
		user, ref.ID = p.UserID, p.UserID
	}
	u, err := s.Store.User(ctx, p.TenantID, canonicalID(user))
	if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return nil, err
	}
	// Object ids are GUIDs: a token may spell one in either case.
	access := teamsops.ResourceAccess{Exists: u != nil, Self: u != nil && p.Delegated() && strings.EqualFold(u.ID, p.UserID)}
	if err := authz.Check(p, authz.UserRead, access, ref); err != nil {
		return nil, err
	}
	return u, nil
}
