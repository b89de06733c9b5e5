package service

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// archiveValues is the "values" of archiveTeam, unarchiveTeam,
// archiveChannel and unarchiveChannel; createChannel's are channelValues.
type archiveValues struct {
	ShouldSetSpoSiteReadOnlyForMembers bool   `json:"shouldSetSpoSiteReadOnlyForMembers,omitempty"`
	ChannelID                          string `json:"channelId,omitempty"`
}

// ArchiveTeam starts "Archive team" (api-reference/v1.0/api/team-archive.md)
// under authz.TeamArchive: an archiveTeam operation on the team, whose
// isArchived becomes true when it succeeds ("A team is archived once the
// async operation completes successfully"). Graph's pages give no answer
// for archiving an archived team; it is ECONFLICT (409 Conflict: "The
// current state conflicts with what the request expects", Graph's error
// responses page). spoReadOnly is recorded; there is no SharePoint site
// here to make read-only.
func (s *Service) ArchiveTeam(ctx context.Context, p teamsops.Principal, id string, spoReadOnly bool, fault *teamsops.Fault) (*TeamStart, error) {
	return s.setTeamArchived(ctx, p, id, true, archiveValues{ShouldSetSpoSiteReadOnlyForMembers: spoReadOnly}, fault)
}

// UnarchiveTeam starts "Unarchive team" (api-reference/v1.0/api/team-unarchive.md);
// a team that is not archived is ECONFLICT, as ArchiveTeam's opposite.
func (s *Service) UnarchiveTeam(ctx context.Context, p teamsops.Principal, id string, fault *teamsops.Fault) (*TeamStart, error) {
	return s.setTeamArchived(ctx, p, id, false, archiveValues{}, fault)
}

func (s *Service) setTeamArchived(ctx context.Context, p teamsops.Principal, id string, archive bool, v archiveValues, fault *teamsops.Fault) (*TeamStart, error) {
	if err := s.authorize(ctx, p, teamRef(id), authz.TeamArchive); err != nil {
		return nil, err
	}
	if err := s.needRunner(); err != nil {
		return nil, err
	}
	typ := teamsops.OperationTypeUnarchiveTeam
	if archive {
		typ = teamsops.OperationTypeArchiveTeam
	}
	out := &TeamStart{TeamID: id}
	err := s.Store.Update(ctx, func(tx teamsops.Tx) error {
		team, err := tx.Team(ctx, p.TenantID, id)
		switch {
		case err != nil:
			return err
		case team.IsArchived && archive:
			return teamsops.Errorf(teamsops.ECONFLICT, "The team '%s' is already archived.", id)
		case !team.IsArchived && !archive:
			return teamsops.Errorf(teamsops.ECONFLICT, "The team '%s' is not archived.", id)
		case archive && !hasOwner(team.Members):
			// "In order to archive team, the team and group must have an
			// owner." (team-archive.md)
			return invalid("The team '%s' has no owner: only a team with an owner can be archived.", id)
		}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, typ, id, id, teamLocation(id), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// teamInactive is Graph's answer to a channel change in an archived team
// (channel-archive.md and channel-unarchive.md, example 2: "400 Bad
// Request", "Team has to be active, for channel to be archived or
// unarchived"). Creating a channel in an archived team is refused the
// same way: an archived team takes no changes (team-archive.md).
func teamInactive(what, channelID string) error {
	return invalid("Team has to be active, for channel to be %s: %s", what, channelID)
}

// ArchiveChannel starts "channel: archive" (api-reference/v1.0/api/channel-archive.md)
// under authz.ChannelArchive. The channel's isArchived becomes true when
// the archiveChannel operation succeeds; the operation is listed under the
// team, as the page's Location shows, and targets the channel. A channel
// of an archived team is refused as the page shows; archiving an archived
// channel is ECONFLICT, as for teams.
func (s *Service) ArchiveChannel(ctx context.Context, p teamsops.Principal, teamID, channelID string, spoReadOnly bool, fault *teamsops.Fault) (*TeamStart, error) {
	return s.setChannelArchived(ctx, p, teamID, channelID, true, spoReadOnly, fault)
}

// UnarchiveChannel starts "channel: unarchive" (api-reference/v1.0/api/channel-unarchive.md).
func (s *Service) UnarchiveChannel(ctx context.Context, p teamsops.Principal, teamID, channelID string, fault *teamsops.Fault) (*TeamStart, error) {
	return s.setChannelArchived(ctx, p, teamID, channelID, false, false, fault)
}

func (s *Service) setChannelArchived(ctx context.Context, p teamsops.Principal, teamID, channelID string, archive, spo bool, fault *teamsops.Fault) (*TeamStart, error) {
	if err := s.authorize(ctx, p, teamRef(teamID), authz.ChannelArchive); err != nil {
		return nil, err
	}
	if err := s.needRunner(); err != nil {
		return nil, err
	}
	typ, what := teamsops.OperationTypeUnarchiveChannel, "archived or unarchived"
	if archive {
		typ = teamsops.OperationTypeArchiveChannel
	}
	out := &TeamStart{TeamID: teamID}
	err := s.Store.Update(ctx, func(tx teamsops.Tx) error {
		team, err := tx.Team(ctx, p.TenantID, teamID)
		if err != nil {
			return err
		}
		ch, err := tx.Channel(ctx, p.TenantID, teamID, channelID)
		switch {
		case err != nil:
			return err
		case team.IsArchived:
			return teamInactive(what, channelID)
		case ch.IsArchived && archive:
			return teamsops.Errorf(teamsops.ECONFLICT, "The channel '%s' is already archived.", channelID)
		case !ch.IsArchived && !archive:
			return teamsops.Errorf(teamsops.ECONFLICT, "The channel '%s' is not archived.", channelID)
		}
		v := archiveValues{ShouldSetSpoSiteReadOnlyForMembers: spo, ChannelID: ch.ID}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, typ, teamID, ch.ID, channelLocation(teamID, ch.ID), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func channelLocation(teamID, channelID string) string {
	return "/teams('" + teamID + "')/channels('" + channelID + "')"
}

// ChannelCreation is what CreateChannel did: a standard or private channel
// created at once, or the createChannel operation of a shared one.
type ChannelCreation struct {
	Channel   *teamsops.Channel
	Operation *teamsops.Operation
}

// CreateChannel creates a channel ("Create channel",
// api-reference/beta/api/channel-post.md) under authz.ChannelCreate. A
// standard or private channel is created at once (201). A shared channel
// is created by a createChannel operation: the page's example 6 answers
// with no body and a Content-Location naming a team operation — the one
// place Graph creates a channel asynchronously (channels listed in "Create
// team" are part of createTeam). Members a request lists must be members
// of the team; channel membership itself is not recorded.
func (s *Service) CreateChannel(ctx context.Context, p teamsops.Principal, teamID string, req NewChannel, fault *teamsops.Fault) (*ChannelCreation, error) {
	if err := s.authorize(ctx, p, teamRef(teamID), authz.ChannelCreate); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	team, err := s.Store.Team(ctx, p.TenantID, teamID)
	if err != nil {
		return nil, err
	}
	if err := s.checkChannelMembers(ctx, p, team, req.Members); err != nil {
		return nil, err
	}
	shared := req.MembershipType == MembershipShared
	if shared {
		if err := s.needRunner(); err != nil {
			return nil, err
		}
	}
	ch := &teamsops.Channel{
		ID: ChannelID(team.ID, newGUID()), TenantID: p.TenantID, TeamID: team.ID, DisplayName: req.DisplayName,
		Description: req.Description, MembershipType: cmpOr(req.MembershipType, MembershipStandard), CreatedDateTime: s.now(),
	}
	out := &ChannelCreation{Channel: ch}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if err := checkChannelWritable(ctx, tx, team.TenantID, team.ID, req.DisplayName); err != nil {
			return err
		}
		if !shared {
			return tx.CreateChannel(ctx, ch)
		}
		v := channelValues{DisplayName: ch.DisplayName, Description: ch.Description, MembershipType: ch.MembershipType}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, teamsops.OperationTypeCreateChannel,
			team.ID, ch.ID, channelLocation(team.ID, ch.ID), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkChannelWritable refuses a channel in an archived team and a name
// the team's channels already use (Teams compares names ignoring case).
func checkChannelWritable(ctx context.Context, tx teamsops.Tx, tenantID, teamID, name string) error {
	team, err := tx.Team(ctx, tenantID, teamID)
	if err != nil {
		return err
	}
	if team.IsArchived {
		return teamInactive("created", name)
	}
	channels, err := tx.Channels(ctx, tenantID, teamID)
	if err != nil {
		return err
	}
	for _, c := range channels {
		if equalFold(c.DisplayName, name) {
			return invalid("Channel name already existed, please use other name: '%s'.", clip(name))
		}
	}
	return nil
}

// checkChannelMembers requires the users a channel request lists to be
// members of the team.
func (s *Service) checkChannelMembers(ctx context.Context, p teamsops.Principal, team *teamsops.Team, members []NewMember) error {
	for _, m := range members {
		u, err := s.Store.User(ctx, p.TenantID, canonicalID(m.User))
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return invalid("The user '%s' was not found.", clip(m.User))
		} else if err != nil {
			return err
		}
		found := false
		for _, tm := range team.Members {
			found = found || tm.UserID == u.ID
		}
		if !found {
			return invalid("The user '%s' is not a member of the team.", clip(m.User))
		}
	}
	return nil
}
