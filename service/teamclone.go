package service

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// Parts of a team "team: clone" copies (clonableTeamParts).
var clonableParts = []string{"apps", "tabs", "settings", "channels", "members"}

// NewClone is a "team: clone" request (api-reference/v1.0/api/team-clone.md,
// "Request body").
type NewClone struct {
	DisplayName    string
	Description    *string // nil: absent
	MailNickname   string  // "": computed from displayName
	Visibility     string  // "": the source team's
	Classification string
	PartsToClone   string // comma-separated clonableTeamParts
}

// parts returns the parts to clone in canonical spelling and order.
func (c NewClone) parts() ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(c.PartsToClone, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if !slices.Contains(clonableParts, part) {
			return nil, invalid("'%s' is not a part a team can clone: legal parts are apps, tabs, settings, channels, members.", clip(part))
		}
		if !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return slices.Index(clonableParts, a) - slices.Index(clonableParts, b) })
	return out, nil
}

// Validate checks a clone request without reading the directory.
func (c NewClone) Validate() error {
	if err := checkText("displayName", c.DisplayName, 1, maxDisplayName); err != nil {
		return err
	}
	if c.Description != nil {
		if err := checkText("description", *c.Description, 0, maxDescription); err != nil {
			return err
		}
	}
	if c.MailNickname != "" && !ValidMailNickname(c.MailNickname) {
		return invalid("The mailNickname '%s' is not valid: use 1 to 64 ASCII letters, digits, '.', '-' or '_'.", clip(c.MailNickname))
	}
	if !clean(c.Classification) {
		return invalid("The classification is not valid text.")
	}
	if _, err := teamVisibility(c.Visibility, ""); err != nil {
		return err
	}
	_, err := c.parts()
	return err
}

// CloneTeam starts "team: clone" of team id under authz.TeamClone: the new
// team's group (with the source's members, or only its owners when members
// are not cloned — a team needs an owner) is written at once with the
// cloneTeam operation, listed under the source team and targeting the new
// one ("When the operation is complete, the operation resource tells you
// the ID of the created team"). The team and the cloned parts are written
// when the operation succeeds. Tabs are not modelled here, so cloning them
// copies nothing. A mailNickname another group holds is refused as Entra
// refuses a duplicate alias of a new group: 400, "Another object with the
// same value for property mailNickname already exists."
func (s *Service) CloneTeam(ctx context.Context, p teamsops.Principal, id string, req NewClone, fault *teamsops.Fault) (*TeamStart, error) {
	if err := s.authorize(ctx, p, teamRef(id), authz.TeamClone); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	source, err := s.Store.Team(ctx, p.TenantID, id)
	if err != nil {
		return nil, err
	}
	if err := s.needRunner(); err != nil {
		return nil, err
	}
	parts, _ := req.parts()
	v := teamValues{DisplayName: req.DisplayName, SourceTeamID: source.ID, PartsToClone: strings.Join(parts, ",")}
	// "If the description property isn't specified in the request body,
	// it takes the value of the displayName property" (team-clone.md).
	v.Description = req.DisplayName
	if req.Description != nil {
		v.Description = *req.Description
	}
	v.Visibility, _ = teamVisibility(req.Visibility, cmpOr(source.Visibility, teamsops.VisibilityPrivate))
	members := source.Members
	if !slices.Contains(parts, "members") {
		members = slices.DeleteFunc(slices.Clone(members), func(m teamsops.Member) bool { return !slices.Contains(m.Roles, "owner") })
	}
	newID := NewTeamID()
	group := &teamsops.Group{
		ID: newID, TenantID: p.TenantID, DisplayName: v.DisplayName, Description: v.Description,
		Visibility: groupVisibility(v.Visibility), CreatedDateTime: s.now(), Members: members,
	}
	out := &TeamStart{TeamID: source.ID}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if group.MailNickname, err = s.cloneNickname(ctx, tx, p.TenantID, req, newID); err != nil {
			return err
		}
		if err := tx.CreateGroup(ctx, group); teamsops.ErrorCode(err) == teamsops.ECONFLICT {
			return nicknameTaken() // taken since it was checked
		} else if err != nil {
			return err
		}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, teamsops.OperationTypeCloneTeam,
			source.ID, newID, teamLocation(newID), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cloneNickname is the requested mailNickname, refused when taken, or
// one computed from the display name.
func (s *Service) cloneNickname(ctx context.Context, tx teamsops.Tx, tenantID string, req NewClone, newID string) (string, error) {
	if req.MailNickname == "" {
		return freeMailNickname(ctx, tx, tenantID, MailNicknameOf(req.DisplayName), newID)
	}
	_, err := tx.GroupByMailNickname(ctx, tenantID, req.MailNickname)
	switch teamsops.ErrorCode(err) {
	case teamsops.ENOTFOUND:
		return req.MailNickname, nil
	case "":
		return "", nicknameTaken()
	}
	return "", err
}

func nicknameTaken() error {
	return invalid("Another object with the same value for property mailNickname already exists.")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// CreateTeamFromGroup makes a team of a group — PUT /groups/{id}/team,
// "Create team from group" (api-reference/v1.0/api/team-put-teams.md) —
// under authz.GroupTeamCreate, with the settings the request gave (a JSON
// object, or ""). As the page says, it answers with the team, created at
// once: the team inherits the group's name, description, visibility and
// members, and gets its General channel. The same action through POST
// /teams with group@odata.bind ("Create team" example 4) is the
// teamifyGroup operation (teamify). The group must have an owner; a group
// that has a team already is ECONFLICT (409 Conflict).
func (s *Service) CreateTeamFromGroup(ctx context.Context, p teamsops.Principal, groupID, settings string) (*teamsops.Team, error) {
	group, err := s.teamableGroup(ctx, p, groupID, authz.GroupTeamCreate)
	if err != nil {
		return nil, err
	}
	var team *teamsops.Team
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if err := noTeamYet(ctx, tx, p.TenantID, group.ID); err != nil {
			return err
		}
		visibility := teamsops.VisibilityPrivate
		if strings.EqualFold(group.Visibility, teamsops.VisibilityPublic) {
			visibility = teamsops.VisibilityPublic
		}
		team = &teamsops.Team{
			ID: group.ID, TenantID: p.TenantID, DisplayName: group.DisplayName, Description: group.Description,
			Visibility: visibility, Settings: settings, CreatedDateTime: s.now(), Members: group.Members,
		}
		if err := writeTeam(ctx, tx, team, nil, nil); err != nil {
			return err
		}
		team, err = tx.Team(ctx, p.TenantID, group.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return team, nil
}

// teamableGroup authorizes p under rule on the group and reads it; the
// group must have an owner.
func (s *Service) teamableGroup(ctx context.Context, p teamsops.Principal, groupID string, rule authz.Rule) (*teamsops.Group, error) {
	ref := teamsops.ResourceRef{Kind: teamsops.ResourceGroup, ID: groupID}
	if err := s.authorize(ctx, p, ref, rule); err != nil {
		return nil, err
	}
	group, err := s.Store.Group(ctx, p.TenantID, groupID)
	if err != nil {
		return nil, err
	}
	if !hasOwner(group.Members) {
		// "In order to create a team, the group must have a least one owner."
		return nil, invalid("The group '%s' has no owner: a team can be created only from a group with an owner.", groupID)
	}
	return group, nil
}

// noTeamYet refuses a group that has a team already.
func noTeamYet(ctx context.Context, tx teamsops.Tx, tenantID, groupID string) error {
	if _, err := tx.Team(ctx, tenantID, groupID); err == nil {
		return teamsops.Errorf(teamsops.ECONFLICT, "The group '%s' already has a team.", groupID)
	} else if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return err
	}
	return nil
}

func (s *Service) teamify(ctx context.Context, p teamsops.Principal, groupID, settings string, fault *teamsops.Fault, rule authz.Rule) (*TeamStart, error) {
	group, err := s.teamableGroup(ctx, p, groupID, rule)
	if err != nil {
		return nil, err
	}
	if err := s.needRunner(); err != nil {
		return nil, err
	}
	v := teamValues{}
	if settings != "" {
		v.Settings = json.RawMessage(settings)
	}
	out := &TeamStart{TeamID: group.ID}
	err = s.Store.Update(ctx, func(tx teamsops.Tx) error {
		if err := noTeamYet(ctx, tx, p.TenantID, group.ID); err != nil {
			return err
		}
		out.Operation, err = s.startTeamOperation(ctx, tx, p, teamsops.OperationTypeTeamifyGroup,
			group.ID, group.ID, teamLocation(group.ID), v, fault)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
