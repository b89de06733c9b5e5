package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
)

// The effects of the team operations. Each runs in the engine's
// transaction when an attempt succeeds, and writes only under
// deterministic ids (the operation's target, ChannelID, InstallationID),
// so running it again after a committed success changes nothing.

func decodeValues(op *teamsops.Operation, v any) error {
	if op.Values == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(op.Values), v); err != nil {
		return teamsops.Errorf(teamsops.EINVALID, "The operation's values are not valid: %v", err)
	}
	return nil
}

// provisionTeam is the effect of createTeam: the team of the group written
// at the request, with the group's members, its General channel, the
// requested channels (in order, after General) and apps.
func provisionTeam(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var v teamValues
	if err := decodeValues(op, &v); err != nil {
		return err
	}
	group, err := tx.Group(ctx, op.TenantID, op.TargetResourceID)
	if err != nil {
		return err
	}
	team := &teamsops.Team{
		ID: group.ID, TenantID: op.TenantID, DisplayName: v.DisplayName, Description: v.Description,
		Visibility: v.Visibility, Settings: string(v.Settings), CreatedDateTime: op.CreatedDateTime, Members: group.Members,
	}
	return writeTeam(ctx, tx, team, v.Channels, v.AppIDs)
}

// writeTeam writes team, its General channel and then channels, each
// created 100ns (Graph's precision) after the one before, and installs
// apps.
func writeTeam(ctx context.Context, tx teamsops.Tx, team *teamsops.Team, channels []channelValues, apps []string) error {
	if err := tx.CreateTeam(ctx, team); err != nil {
		return err
	}
	general := channelValues{DisplayName: generalChannel, Description: team.Description, MembershipType: MembershipStandard}
	for i, c := range append([]channelValues{general}, channels...) {
		id := GeneralChannelID(team.ID)
		if i > 0 {
			id = ChannelID(team.ID, c.DisplayName)
		}
		err := tx.CreateChannel(ctx, &teamsops.Channel{
			ID: id, TenantID: team.TenantID, TeamID: team.ID, DisplayName: c.DisplayName, Description: c.Description,
			MembershipType: cmpOr(c.MembershipType, MembershipStandard), IsFavoriteByDefault: c.IsFavoriteByDefault,
			CreatedDateTime: team.CreatedDateTime.Add(time.Duration(i) * 100),
		})
		if err != nil {
			return err
		}
	}
	for _, app := range apps {
		err := tx.CreateAppInstallation(ctx, &teamsops.AppInstallation{
			ID: InstallationID(team.ID, app), TenantID: team.TenantID, Resource: teamRef(team.ID), TeamsAppID: app,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// cloneTeam is the effect of cloneTeam: the new team of the group written
// at the request, with exactly the parts asked for. Its General channel
// is its own; the source's other channels are copied (not archived,
// without messages), apps installed again, settings copied.
func cloneTeam(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var v teamValues
	if err := decodeValues(op, &v); err != nil {
		return err
	}
	source, err := tx.Team(ctx, op.TenantID, v.SourceTeamID)
	if err != nil {
		return err
	}
	group, err := tx.Group(ctx, op.TenantID, op.TargetResourceID)
	if err != nil {
		return err
	}
	parts := strings.Split(v.PartsToClone, ",")
	team := &teamsops.Team{
		ID: group.ID, TenantID: op.TenantID, DisplayName: v.DisplayName, Description: v.Description,
		Visibility: v.Visibility, CreatedDateTime: op.CreatedDateTime, Members: group.Members,
	}
	if slices.Contains(parts, "settings") {
		team.Settings = source.Settings
	}
	var channels []channelValues
	if slices.Contains(parts, "channels") {
		sourceChannels, err := tx.Channels(ctx, op.TenantID, source.ID)
		if err != nil {
			return err
		}
		for _, c := range sourceChannels {
			if c.ID != GeneralChannelID(source.ID) && !strings.EqualFold(c.DisplayName, generalChannel) {
				channels = append(channels, channelValues{c.DisplayName, c.Description, c.MembershipType, c.IsFavoriteByDefault})
			}
		}
	}
	var apps []string
	if slices.Contains(parts, "apps") {
		installs, err := tx.AppInstallations(ctx, op.TenantID, teamRef(source.ID))
		if err != nil {
			return err
		}
		for _, in := range installs {
			apps = append(apps, in.TeamsAppID)
		}
	}
	return writeTeam(ctx, tx, team, channels, apps)
}

// teamifyGroup is the effect of teamifyGroup: a team on the group, which
// "will always inherit from the group's display name, visibility,
// specialization, and members" (team-post.md, example 4). A team written
// since — by an earlier success — is left as it is.
func teamifyGroup(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var v teamValues
	if err := decodeValues(op, &v); err != nil {
		return err
	}
	if _, err := tx.Team(ctx, op.TenantID, op.TargetResourceID); err == nil {
		return nil
	} else if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return err
	}
	group, err := tx.Group(ctx, op.TenantID, op.TargetResourceID)
	if err != nil {
		return err
	}
	visibility := teamsops.VisibilityPrivate
	if strings.EqualFold(group.Visibility, teamsops.VisibilityPublic) {
		visibility = teamsops.VisibilityPublic
	}
	team := &teamsops.Team{
		ID: group.ID, TenantID: op.TenantID, DisplayName: group.DisplayName, Description: group.Description,
		Visibility: visibility, Settings: string(v.Settings), CreatedDateTime: op.CreatedDateTime, Members: group.Members,
	}
	return writeTeam(ctx, tx, team, nil, nil)
}

// setTeamArchived returns the effect of archiveTeam (archived true) or
// unarchiveTeam: the team's isArchived, and nothing else.
func setTeamArchived(archived bool) func(context.Context, teamsops.Tx, *teamsops.Operation) error {
	return func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
		team, err := tx.Team(ctx, op.TenantID, op.Resource.ID)
		if err != nil {
			return err
		}
		if team.IsArchived == archived {
			return nil
		}
		team.IsArchived = archived
		return tx.CreateTeam(ctx, team)
	}
}

// setChannelArchived returns the effect of archiveChannel or
// unarchiveChannel. The team must still be active: a team archived since
// the request fails the operation as the request would have been refused.
func setChannelArchived(archived bool) func(context.Context, teamsops.Tx, *teamsops.Operation) error {
	return func(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
		team, err := tx.Team(ctx, op.TenantID, op.Resource.ID)
		if err != nil {
			return err
		}
		ch, err := tx.Channel(ctx, op.TenantID, team.ID, op.TargetResourceID)
		if err != nil || ch.IsArchived == archived {
			return err
		}
		if team.IsArchived {
			return teamInactive("archived or unarchived", ch.ID)
		}
		ch.IsArchived = archived
		return tx.CreateChannel(ctx, ch)
	}
}

// createSharedChannel is the effect of createChannel: the shared channel
// named by the operation's target, unless a success wrote it already.
func createSharedChannel(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation) error {
	var v channelValues
	if err := decodeValues(op, &v); err != nil {
		return err
	}
	if v.DisplayName == "" {
		return teamsops.Errorf(teamsops.EINVALID, "The operation's values name no channel.")
	}
	if _, err := tx.Channel(ctx, op.TenantID, op.Resource.ID, op.TargetResourceID); err == nil {
		return nil
	}
	if err := checkChannelWritable(ctx, tx, op.TenantID, op.Resource.ID, v.DisplayName); err != nil {
		return err
	}
	return tx.CreateChannel(ctx, &teamsops.Channel{
		ID: op.TargetResourceID, TenantID: op.TenantID, TeamID: op.Resource.ID, DisplayName: v.DisplayName,
		Description: v.Description, MembershipType: v.MembershipType, CreatedDateTime: op.CreatedDateTime,
	})
}
