package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// RSCPermission is one resource-specific permission of an app's
// consentedPermissionSet (teamsAppPermissionSet).
type RSCPermission struct {
	Value string // permissionValue, e.g. ChatMember.Read.Chat
	Type  string // permissionType: "Application" or "Delegated"
}

// validate checks one consented permission.
func (r RSCPermission) validate() error {
	if r.Value == "" || !clean(r.Value) || len(r.Value) > 256 {
		return invalid("A resourceSpecificPermissions entry names no permissionValue.")
	}
	if r.Type != "Application" && r.Type != "Delegated" {
		return invalid("The permissionType '%s' is not valid; use 'Application' or 'Delegated'.", clip(r.Type))
	}
	return nil
}

// InstallChatApp installs a Teams app of the tenant's catalog in an
// existing chat ("Add app to chat", api-reference/v1.0/api/chat-post-installedapps.md)
// under authz.ChatAppInstall. It is synchronous: the page answers 201 with
// no operation. With only a Self permission a caller installs its own app
// (the Teams app whose bot is the calling app). The consented
// resource-specific permissions become grants of the app's Entra app on
// the chat, as "List permission grants" then shows them. An app already
// installed in the chat is ECONFLICT.
func (s *Service) InstallChatApp(ctx context.Context, p teamsops.Principal, chatID, appID string, consented []RSCPermission) (*teamsops.AppInstallation, error) {
	if err := s.authorize(ctx, p, chatRef(chatID), authz.ChatAppInstall); err != nil {
		return nil, err
	}
	for _, c := range consented {
		if err := c.validate(); err != nil {
			return nil, err
		}
	}
	apps, err := s.resolveApps(ctx, p.TenantID, []string{appID})
	if err != nil {
		return nil, err
	}
	app, err := s.Store.TeamsApp(ctx, p.TenantID, apps[0])
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(authz.ChatAppInstallAny, func(perm string) bool { return p.HasScope(perm) || p.HasRole(perm) }) &&
		app.ClientAppID != p.AppID {
		return nil, teamsops.Errorf(teamsops.EFORBIDDEN,
			"The caller's permissions install only its own app; the Teams app '%s' belongs to another app.", app.ID)
	}
	in := &teamsops.AppInstallation{ID: InstallationID(chatID, app.ID), TenantID: p.TenantID, Resource: chatRef(chatID), TeamsAppID: app.ID}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		installs, err := tx.AppInstallations(ctx, p.TenantID, chatRef(chatID))
		if err != nil {
			return err
		}
		if slices.ContainsFunc(installs, func(i *teamsops.AppInstallation) bool { return i.TeamsAppID == app.ID }) {
			return teamsops.Errorf(teamsops.ECONFLICT, "The app '%s' is already installed in chat '%s'.", app.ID, chatID)
		}
		if err := tx.CreateAppInstallation(ctx, in); err != nil {
			return err
		}
		for _, c := range consented {
			if app.ClientAppID == "" {
				break // an app without an Entra app holds no grants
			}
			if err := tx.CreatePermissionGrant(ctx, grantOf(in, app, c)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// grantOf is the grant a consented permission gives the app on the chat,
// under an id derived from both, so that consenting again changes nothing.
func grantOf(in *teamsops.AppInstallation, app *teamsops.TeamsApp, c RSCPermission) *teamsops.PermissionGrant {
	sum := sha256.Sum256([]byte(in.Resource.ID + "\x00" + app.ClientAppID + "\x00" + c.Type + "\x00" + c.Value))
	return &teamsops.PermissionGrant{
		ID: hex.EncodeToString(sum[:16]), TenantID: in.TenantID, Resource: in.Resource, ClientAppID: app.ClientAppID,
		ClientID: app.ClientAppID, PermissionType: c.Type, Permission: c.Value,
	}
}
