package service

import (
	"context"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// errMeNeedsUser is Graph's answer to /me with an application token, which
// names no signed-in user.
var errMeNeedsUser = invalid("/me request is only valid with delegated authentication flow.")

// listUser resolves whose list a request reads: the signed-in user for
// /me and /chats (user empty), or the user the path names. A delegated
// caller may read only its own lists: "this operation only works for the
// me user" (user-list-joinedteams.md), "the specified user (who is the
// signed-in user)" (beta/api/chat-list.md). The list's rule is checked
// first, against the kind of its items.
func (s *Service) listUser(ctx context.Context, p teamsops.Principal, kind teamsops.ResourceKind, rule authz.Rule, user string) (string, error) {
	if err := s.authorize(ctx, p, teamsops.ResourceRef{Kind: kind}, rule); err != nil {
		return "", err
	}
	if user == "" {
		if !p.Delegated() {
			return "", errMeNeedsUser
		}
		return p.UserID, nil
	}
	u, err := s.Store.User(ctx, p.TenantID, canonicalID(user))
	if err != nil {
		return "", err
	}
	if p.Delegated() && u.ID != p.UserID {
		return "", teamsops.Errorf(teamsops.EFORBIDDEN,
			"The signed-in user '%s' can only list its own chats and teams, not those of '%s'.", p.UserID, clip(user))
	}
	return u.ID, nil
}

// UserChats lists the chats a user is a member of ("List chats",
// api-reference/beta/api/chat-list.md) under authz.ChatsList: the
// signed-in user's for /me/chats and /chats (user empty), or user's.
// Application permissions serve /users/{id}/chats only.
func (s *Service) UserChats(ctx context.Context, p teamsops.Principal, user string) ([]*teamsops.Chat, error) {
	id, err := s.listUser(ctx, p, teamsops.ResourceChat, authz.ChatsList, user)
	if err != nil {
		return nil, err
	}
	return s.Store.UserChats(ctx, p.TenantID, id)
}

// JoinedTeams lists the teams a user is a direct member of ("List
// joinedTeams", api-reference/v1.0/api/user-list-joinedteams.md) under
// authz.JoinedTeamsList. "me alias is not supported with application
// permissions".
func (s *Service) JoinedTeams(ctx context.Context, p teamsops.Principal, user string) ([]*teamsops.Team, error) {
	id, err := s.listUser(ctx, p, teamsops.ResourceTeam, authz.JoinedTeamsList, user)
	if err != nil {
		return nil, err
	}
	return s.Store.UserTeams(ctx, p.TenantID, id)
}

// Teams lists every team of the caller's tenant ("List teams",
// api-reference/v1.0/api/teams-list.md) under authz.TeamsList.
func (s *Service) Teams(ctx context.Context, p teamsops.Principal) ([]*teamsops.Team, error) {
	if err := s.authorize(ctx, p, teamsops.ResourceRef{Kind: teamsops.ResourceTeam}, authz.TeamsList); err != nil {
		return nil, err
	}
	return s.Store.Teams(ctx, p.TenantID)
}

// ChatInstalledApp returns one app installation of a chat ("Get installed
// app in chat", chat-get-installedapps.md) under authz.ChatInstalledAppRead,
// with its catalog app when withApp is set.
func (s *Service) ChatInstalledApp(ctx context.Context, p teamsops.Principal, chatID, id string, withApp bool) (*InstalledApp, error) {
	if err := s.authorize(ctx, p, chatRef(chatID), authz.ChatInstalledAppRead); err != nil {
		return nil, err
	}
	installs, err := s.Store.AppInstallations(ctx, p.TenantID, chatRef(chatID))
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(installs, func(in *teamsops.AppInstallation) bool { return in.ID == id })
	if i < 0 {
		return nil, teamsops.Errorf(teamsops.ENOTFOUND, "No app installation found with id '%s' in chat '%s'.", clip(id), chatID)
	}
	out := &InstalledApp{AppInstallation: installs[i]}
	if withApp {
		out.App, err = s.Store.TeamsApp(ctx, p.TenantID, installs[i].TeamsAppID)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			err = nil // removed from the catalog since
		}
	}
	return out, err
}
