package service

import (
	"context"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// Team returns a team with its members ("Get team") under authz.TeamRead.
// A team being created is ENOTFOUND until its operation succeeds, as Graph
// answers 404 while a new team is provisioned; its operations can be read
// meanwhile.
func (s *Service) Team(ctx context.Context, p teamsops.Principal, id string) (*teamsops.Team, error) {
	if err := s.authorize(ctx, p, teamRef(id), authz.TeamRead); err != nil {
		return nil, err
	}
	return s.Store.Team(ctx, p.TenantID, id)
}

// TeamMembers returns a team for its members ("List members of team")
// under authz.TeamMembersRead.
func (s *Service) TeamMembers(ctx context.Context, p teamsops.Principal, id string) (*teamsops.Team, error) {
	if err := s.authorize(ctx, p, teamRef(id), authz.TeamMembersRead); err != nil {
		return nil, err
	}
	return s.Store.Team(ctx, p.TenantID, id)
}

// Channels lists a team's channels ("List channels") under
// authz.ChannelsRead.
func (s *Service) Channels(ctx context.Context, p teamsops.Principal, teamID string) ([]*teamsops.Channel, error) {
	if err := s.authorize(ctx, p, teamRef(teamID), authz.ChannelsRead); err != nil {
		return nil, err
	}
	return s.Store.Channels(ctx, p.TenantID, teamID)
}

// Channel returns one channel of a team ("Get channel") under
// authz.ChannelsRead; ENOTFOUND until the team itself exists.
func (s *Service) Channel(ctx context.Context, p teamsops.Principal, teamID, id string) (*teamsops.Channel, error) {
	if err := s.authorize(ctx, p, teamRef(teamID), authz.ChannelsRead); err != nil {
		return nil, err
	}
	if _, err := s.Store.Team(ctx, p.TenantID, teamID); err != nil {
		return nil, err
	}
	return s.Store.Channel(ctx, p.TenantID, teamID, id)
}

// GroupWithTeam is a group and whether a team is built on it.
type GroupWithTeam struct {
	*teamsops.Group
	HasTeam bool
}

// Group returns a group ("Get group") under authz.GroupRead, and whether
// it has a team (its resourceProvisioningOptions).
func (s *Service) Group(ctx context.Context, p teamsops.Principal, id string) (*GroupWithTeam, error) {
	if err := s.authorize(ctx, p, teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: id}, authz.GroupRead); err != nil {
		return nil, err
	}
	g, err := s.Store.Group(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	_, err = s.Store.Team(ctx, p.TenantID, id)
	switch teamsops.ErrorCode(err) {
	case "":
		return &GroupWithTeam{Group: g, HasTeam: true}, nil
	case teamsops.ENOTFOUND:
		return &GroupWithTeam{Group: g}, nil
	}
	return nil, err
}
