package service

import (
	"context"
	"encoding/json"

	"github.com/teamsops/teamsops"
)

// Effects returns what each operation type does when it runs, for the
// engine (engine.Config.Effects takes the same functions). An effect runs
// inside the engine's transaction and must be idempotent: an attempt may
// be retried after it wrote, so writing twice must change nothing.
func Effects() map[teamsops.OperationType]func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	return map[teamsops.OperationType]func(context.Context, teamsops.Tx, *teamsops.Operation) error{
		teamsops.OperationTypeCreateChat:       installChatApps,
		teamsops.OperationTypeCreateTeam:       provisionTeam,
		teamsops.OperationTypeCloneTeam:        cloneTeam,
		teamsops.OperationTypeTeamifyGroup:     teamifyGroup,
		teamsops.OperationTypeArchiveTeam:      setTeamArchived(true),
		teamsops.OperationTypeUnarchiveTeam:    setTeamArchived(false),
		teamsops.OperationTypeArchiveChannel:   setChannelArchived(true),
		teamsops.OperationTypeUnarchiveChannel: setChannelArchived(false),
		teamsops.OperationTypeCreateChannel:    createSharedChannel,
	}
}

// installChatApps is the effect of createChat: it installs the apps named
// in the operation's values ({"appIds":[…]}) in its target chat, and
// nothing else; the chat and its members were created with the operation.
// Installation ids are deterministic (InstallationID), so a retried
// attempt installs nothing twice.
func installChatApps(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var v createChatValues
	if err := json.Unmarshal([]byte(op.Values), &v); err != nil {
		return teamsops.Errorf(teamsops.EINVALID, "The operation's values are not valid: %v", err)
	}
	chatID := op.TargetResourceID
	if chatID == "" {
		chatID = op.Resource.ID
	}
	for _, app := range v.AppIDs {
		err := tx.CreateAppInstallation(ctx, &teamsops.AppInstallation{
			ID: InstallationID(chatID, app), TenantID: op.TenantID, Resource: chatRef(chatID), TeamsAppID: app,
		})
		if err != nil {
			return err
		}
	}
	return nil
}
