package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

func teamRef(id string) teamsops.ResourceRef {
	return teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: id}
}

func teamLocation(id string) string { return "/teams('" + id + "')" }

// TeamStart is what an action that starts a team operation did: the team
// the operation is listed under, and the operation.
type TeamStart struct {
	TeamID    string
	Operation *teamsops.Operation
}

// teamValues is the "values" of createTeam, cloneTeam and teamifyGroup:
// what the effect needs to build the team.
type teamValues struct {
	DisplayName  string          `json:"displayName,omitempty"`
	Description  string          `json:"description,omitempty"`
	Visibility   string          `json:"visibility,omitempty"`
	Settings     json.RawMessage `json:"settings,omitempty"`
	Channels     []channelValues `json:"channels,omitempty"`
	AppIDs       []string        `json:"appIds,omitempty"`
	SourceTeamID string          `json:"sourceTeamId,omitempty"`
	PartsToClone string          `json:"partsToClone,omitempty"`
}

// channelValues is a channel an operation creates.
type channelValues struct {
	DisplayName         string `json:"displayName"`
	Description         string `json:"description,omitempty"`
	MembershipType      string `json:"membershipType,omitempty"`
	IsFavoriteByDefault bool   `json:"isFavoriteByDefault,omitempty"`
}

// CreateTeam starts "Create team" (api-reference/v1.0/api/team-post.md)
// under authz.TeamCreate. The team's group and its members are written at
// once, with a createTeam operation listed under the new team and its job;
// the team itself, its General channel, the requested channels and apps
// are written when the operation succeeds — the page answers 202 because
// the team is not ready yet. A delegated caller becomes an owner; an
// application must list an owner ("a user must be specified in the
// members collection", example 2). With GroupID, it is CreateTeamFromGroup.
func (s *Service) CreateTeam(ctx context.Context, p teamsops.Principal, req NewTeam, fault *teamsops.Fault) (*TeamStart, error) {
	if err := s.authorize(ctx, p, teamsops.ResourceRef{Kind: teamsops.ResourceTeam}, authz.TeamCreate); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if req.GroupID != "" {
		return s.teamify(ctx, p, canonicalID(req.GroupID), req.Settings, fault, authz.TeamCreate)
	}
	members, err := s.resolveTeamMembers(ctx, p, req.Members)
	if err != nil {
		return nil, err
	}
	apps, err := s.resolveApps(ctx, p.TenantID, req.AppIDs)
	if err != nil {
		return nil, err
	}
	if err := s.needRunner(); err != nil {
		return nil, err
	}
	visibility, _ := teamVisibility(req.Visibility, teamsops.VisibilityPrivate)
	v := teamValues{DisplayName: req.DisplayName, Description: req.Description, Visibility: visibility, AppIDs: apps}
	if req.Settings != "" {
		v.Settings = json.RawMessage(req.Settings)
	}
	for _, c := range req.Channels {
		v.Channels = append(v.Channels, channelValues{c.DisplayName, c.Description, MembershipStandard, c.IsFavoriteByDefault})
	}
	id := NewTeamID()
	group := &teamsops.Group{
		ID: id, TenantID: p.TenantID, DisplayName: req.DisplayName, Description: req.Description,
		Visibility: groupVisibility(visibility), CreatedDateTime: s.now(), Members: members,
	}
	out := &TeamStart{TeamID: id}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if group.MailNickname, err = freeMailNickname(ctx, tx, p.TenantID, MailNicknameOf(req.DisplayName), id); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, group); err != nil {
			return err
		}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, teamsops.OperationTypeCreateTeam, id, id, teamLocation(id), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// freeMailNickname returns base, or base with part of id appended when
// another group holds base, as Graph makes a computed alias unique.
func freeMailNickname(ctx context.Context, tx teamsops.Tx, tenantID, base, id string) (string, error) {
	hex := strings.ReplaceAll(id, "-", "")
	for _, n := range []int{0, 4, 8, len(hex)} {
		nick := base + hex[:n]
		_, err := tx.GroupByMailNickname(ctx, tenantID, nick)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			return nick, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", teamsops.Errorf(teamsops.ECONFLICT, "No free mailNickname could be derived from '%s'.", base)
}

// resolveTeamMembers reads the members from the caller's tenant; a
// delegated caller is added as an owner unless listed, and the team must
// end with an owner.
func (s *Service) resolveTeamMembers(ctx context.Context, p teamsops.Principal, req []NewMember) ([]teamsops.Member, error) {
	var members []teamsops.Member
	for _, m := range req {
		u, err := s.memberUser(ctx, p, m)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(members, func(x teamsops.Member) bool { return x.UserID == u.ID }) {
			return nil, invalid("The user '%s' is listed more than once in members.", clip(m.User))
		}
		var roles []string
		if len(m.Roles) == 1 {
			roles = []string{"owner"}
		}
		members = append(members, teamsops.Member{UserID: u.ID, Roles: roles})
	}
	if p.Delegated() && !slices.ContainsFunc(members, func(x teamsops.Member) bool { return x.UserID == p.UserID }) {
		members = append(members, teamsops.Member{UserID: p.UserID, Roles: []string{"owner"}})
	}
	if !hasOwner(members) {
		return nil, invalid("A team must have an owner: list a user with the role 'owner' in members.")
	}
	return members, nil
}

func hasOwner(members []teamsops.Member) bool {
	return slices.ContainsFunc(members, func(m teamsops.Member) bool { return slices.Contains(m.Roles, "owner") })
}

func (s *Service) needRunner() error {
	if s.Runner == nil {
		return teamsops.Errorf(teamsops.EUNAVAILABLE, "Operations are not running on this server.")
	}
	return nil
}

// startTeamOperation records, in tx, an operation of type typ listed under
// team teamID with its target and values, and its job, with the caller's
// fault or the caller's app's fault rule (faults.go).
func (s *Service) startTeamOperation(ctx context.Context, tx teamsops.Tx, p teamsops.Principal, typ teamsops.OperationType, teamID, targetID, targetLocation string, values any, fault *teamsops.Fault) (*teamsops.Operation, error) {
	raw, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	tenantID := p.TenantID
	if fault, err = ruleFault(ctx, tx, p, typ, fault); err != nil {
		return nil, err
	}
	now := s.now()
	op := &teamsops.Operation{
		// "Team operation IDs are GUIDs", as Graph's examples show them
		// (team-post.md: operations('3a6fdce1-c261-48bc-89de-1cfef658c0d5')).
		ID: newOrderedGUID(), TenantID: tenantID, Resource: teamRef(teamID), Type: typ,
		Status: teamsops.OperationStatusNotStarted, CreatedDateTime: now, LastActionDateTime: now,
		TargetResourceID: targetID, TargetResourceLocation: targetLocation, Values: string(raw),
		Origin: originOf(ctx),
	}
	if err := tx.CreateOperation(ctx, op); err != nil {
		return nil, err
	}
	return op, s.Runner.Enqueue(ctx, tx, op, fault)
}
