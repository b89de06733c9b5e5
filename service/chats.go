package service

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// InstalledApp is one app installation of a chat, with the catalog's app
// when the caller asked for it ($expand=teamsApp) and it still exists.
type InstalledApp struct {
	*teamsops.AppInstallation
	App *teamsops.TeamsApp
}

func chatRef(id string) teamsops.ResourceRef {
	return teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: id}
}

// Chat returns a chat with its members ("Get chat"). Errors: EFORBIDDEN or
// ENOTFOUND from authorization under authz.ChatRead.
func (s *Service) Chat(ctx context.Context, p teamsops.Principal, id string) (*teamsops.Chat, error) {
	if err := s.authorize(ctx, p, chatRef(id), authz.ChatRead); err != nil {
		return nil, err
	}
	return s.Store.Chat(ctx, p.TenantID, id)
}

// ChatMembers returns a chat for its members ("List members of a chat"),
// under authz.ChatMembersRead.
func (s *Service) ChatMembers(ctx context.Context, p teamsops.Principal, id string) (*teamsops.Chat, error) {
	if err := s.authorize(ctx, p, chatRef(id), authz.ChatMembersRead); err != nil {
		return nil, err
	}
	return s.Store.Chat(ctx, p.TenantID, id)
}

// ChatInstalledApps lists the apps installed in a chat ("List apps in
// chat"), under authz.ChatInstalledAppsRead; withApps also reads each
// installed app from the tenant's catalog.
func (s *Service) ChatInstalledApps(ctx context.Context, p teamsops.Principal, id string, withApps bool) ([]InstalledApp, error) {
	ref := chatRef(id)
	if err := s.authorize(ctx, p, ref, authz.ChatInstalledAppsRead); err != nil {
		return nil, err
	}
	installs, err := s.Store.AppInstallations(ctx, p.TenantID, ref)
	if err != nil {
		return nil, err
	}
	out := make([]InstalledApp, len(installs))
	apps := make(map[string]*teamsops.TeamsApp)
	for i, in := range installs {
		out[i].AppInstallation = in
		if !withApps {
			continue
		}
		app, seen := apps[in.TeamsAppID]
		if !seen {
			app, err = s.Store.TeamsApp(ctx, p.TenantID, in.TeamsAppID)
			if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
				app, err = nil, nil // removed from the catalog since
			} else if err != nil {
				return nil, err
			}
			apps[in.TeamsAppID] = app
		}
		out[i].App = app
	}
	return out, nil
}
