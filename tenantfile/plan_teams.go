package tenantfile

import (
	"fmt"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

// Limits of the group, team and channel resources (service.NewTeam's).
const (
	maxDisplayName = 256
	maxDescription = 1024
	maxChannelName = 50
)

func (p *planner) group(g *groupDoc, path string) {
	if g.DisplayName == "" {
		p.errs.missing(path+".displayName", "displayName is required")
	}
	p.text(path+".displayName", g.DisplayName, maxDisplayName)
	p.text(path+".description", g.Description, maxDescription)
	nick := p.mailNickname(path, g.MailNickname, g.DisplayName)
	name := strings.ToLower(nick)
	if g.MailNickname == "" && g.DisplayName == "" {
		name = "" // nick is derived from a missing name
	}
	id := p.idOr(path+".id", g.ID, "group", name)
	visibility := p.either(path, "visibility", g.Visibility, "Private", "Public")
	var members []teamsops.Member
	listed := map[string]bool{}
	for _, list := range []struct {
		name  string
		refs  []string
		roles []string
	}{{"owners", g.Owners, []string{"owner"}}, {"members", g.Members, nil}} {
		for i, ref := range list.refs {
			at := fmt.Sprintf("%s.%s[%d]", path, list.name, i)
			if user := p.ref(p.users, at, ref); user != "" {
				if listed[user] {
					p.errs.addf(at, "user %q is listed twice in this group", clip(ref))
					continue
				}
				listed[user] = true
				members = append(members, teamsops.Member{UserID: user, Roles: list.roles})
			}
		}
	}
	p.groups.add(id, nick)
	p.d.Groups = append(p.d.Groups, &teamsops.Group{
		ID: id, TenantID: p.tenant, DisplayName: g.DisplayName, Description: g.Description, MailNickname: nick,
		Visibility: visibility, CreatedDateTime: p.time(path+".createdDateTime", g.CreatedDateTime), Members: members,
	})
}

// either reads a field that is one of two words in any case, the first
// when it is missing; anything else is an error, read as the first.
func (p *planner) either(path, field, given, first, second string) string {
	switch {
	case given == "" || strings.EqualFold(given, first):
		return first
	case strings.EqualFold(given, second):
		return second
	}
	p.errs.addf(path+"."+field, "%s %q is not %s or %s", field, clip(given), first, second)
	return first
}

// mailNickname returns the group's mailNickname, given or derived from its
// display name as Graph derives one; it must be free in the file.
func (p *planner) mailNickname(path, given, displayName string) string {
	nick := given
	if nick == "" {
		nick = service.MailNicknameOf(displayName)
	} else if !service.ValidMailNickname(nick) {
		p.errs.addf(path+".mailNickname", "mailNickname %q is not 1 to 64 ASCII letters, digits, '.', '-' or '_'", clip(nick))
	}
	key := "mailNickname\x00" + strings.ToLower(nick)
	if given == "" && displayName == "" {
		return nick // derived from a missing name: a clash would be its echo
	}
	if first, ok := p.seen[key]; ok {
		if given == "" {
			p.errs.addf(path+".mailNickname", "the mailNickname derived from the displayName, %q, is %s's too: give one", nick, first)
		} else {
			p.errs.addf(path+".mailNickname", "mailNickname %q is %s's too (they compare ignoring case)", clip(nick), first)
		}
	} else {
		p.seen[key] = path
	}
	return nick
}

func (p *planner) team(t *teamDoc, path string) {
	team := &teamsops.Team{TenantID: p.tenant, IsArchived: t.IsArchived, Settings: ""}
	if t.Settings != nil {
		team.Settings = t.Settings.json
	}
	var group *teamsops.Group
	if t.Group != "" {
		group = p.teamGroup(t, path)
		if group != nil {
			team.ID, team.Members = group.ID, group.Members
		}
	} else {
		if t.DisplayName == "" {
			p.errs.missing(path+".displayName", "displayName is required (or give the group the team is made from)")
		}
		team.ID = p.idOr(path+".id", t.ID, "team", strings.ToLower(t.DisplayName))
		team.Members = p.members(path+".members", t.Members, nil, "team")
	}
	p.text(path+".displayName", t.DisplayName, maxDisplayName)
	p.text(path+".description", t.Description, maxDescription)
	team.DisplayName, team.Description = t.DisplayName, t.Description
	team.Visibility = teamsops.VisibilityPrivate
	if group != nil {
		team.DisplayName, team.Description = cmpOr(t.DisplayName, group.DisplayName), cmpOr(t.Description, group.Description)
		team.Visibility = strings.ToLower(group.Visibility)
	}
	switch {
	case t.Visibility == "":
	case strings.EqualFold(t.Visibility, "private"), strings.EqualFold(t.Visibility, "public"):
		team.Visibility = strings.ToLower(t.Visibility)
	default:
		p.errs.addf(path+".visibility", "visibility %q is not private or public", clip(t.Visibility))
	}
	team.CreatedDateTime = p.time(path+".createdDateTime", t.CreatedDateTime)
	if group == nil && t.Group == "" {
		// The team's own group, as "Create team" makes one.
		if t.ID != "" || t.DisplayName != "" {
			p.unique(path+".id", "group", team.ID)
		}
		p.d.Groups = append(p.d.Groups, &teamsops.Group{
			ID: team.ID, TenantID: p.tenant, DisplayName: team.DisplayName, Description: team.Description,
			MailNickname:    p.mailNickname(path, t.MailNickname, team.DisplayName),
			Visibility:      strings.ToUpper(team.Visibility[:1]) + team.Visibility[1:],
			CreatedDateTime: team.CreatedDateTime, Members: team.Members,
		})
		p.groups.add(team.ID)
	}
	// A team's id is its own only if what it derives from is there.
	known := team.ID != "" && (t.ID != "" || t.Group != "" || t.DisplayName != "")
	p.channels(path, t.Channels, team, known)
	ref := teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: team.ID}
	p.installations(path+".installedApps", t.InstalledApps, ref)
	p.teams.add(team.ID, team.DisplayName)
	p.d.Teams = append(p.d.Teams, team)
}

// teamGroup resolves the group a team is made from: the team takes its
// id, and its members are the group's.
func (p *planner) teamGroup(t *teamDoc, path string) *teamsops.Group {
	if len(t.Members) > 0 {
		p.errs.add(path+".members", "a team made from a group has the group's owners and members: list them in the group")
	}
	if t.MailNickname != "" {
		p.errs.add(path+".mailNickname", "a team made from a group has the group's mailNickname")
	}
	id := p.ref(p.groups, path+".group", t.Group)
	if id == "" {
		return nil
	}
	if t.ID != "" && !strings.EqualFold(t.ID, id) {
		p.errs.addf(path+".id", "a team's id is its group's, %s: leave id out", id)
	}
	p.unique(path+".group", "team", id)
	for _, g := range p.d.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// members resolves the members of a team or chat. A role is "owner" or
// none; short, the plain form, gets the roles short says.
func (p *planner) members(path string, list []memberDoc, short []string, what string) []teamsops.Member {
	var out []teamsops.Member
	listed := map[string]bool{}
	for i, m := range list {
		at := fmt.Sprintf("%s[%d]", path, i)
		refAt := at
		if !m.short {
			refAt = at + ".user"
		}
		if m.User == "" {
			p.errs.missing(refAt, "user is required")
			continue
		}
		roles := short
		if !m.short {
			roles = nil
			for j, r := range m.Roles {
				if !strings.EqualFold(r, "owner") {
					p.errs.addf(fmt.Sprintf("%s.roles[%d]", at, j), "role %q is not supported: a member is an owner (roles: [owner]) or has no roles", clip(r))
				} else if roles == nil {
					roles = []string{"owner"}
				}
			}
		}
		user := p.ref(p.users, refAt, m.User)
		if user == "" {
			continue
		}
		if listed[user] {
			p.errs.addf(refAt, "user %q is listed twice in this %s", clip(m.User), what)
			continue
		}
		listed[user] = true
		out = append(out, teamsops.Member{UserID: user, Roles: roles})
	}
	return out
}

// channels plans a team's channels. Every team has a General channel:
// one the file does not list is added. known says whether the team's id
// is its own, not derived from what is missing or did not resolve.
func (p *planner) channels(path string, list []channelDoc, team *teamsops.Team, known bool) {
	names := map[string]bool{}
	general := false
	for i, c := range list {
		at := fmt.Sprintf("%s.channels[%d]", path, i)
		if c.DisplayName == "" {
			p.errs.missing(at+".displayName", "displayName is required")
		}
		p.text(at+".displayName", c.DisplayName, maxChannelName)
		p.text(at+".description", c.Description, maxDescription)
		name := strings.ToLower(c.DisplayName)
		if names[name] {
			p.errs.addf(at+".displayName", "a channel named %q is declared twice in this team (names compare ignoring case)", clip(c.DisplayName))
		}
		names[name] = true
		isGeneral := name == "general"
		general = general || isGeneral
		ch := &teamsops.Channel{
			ID: c.ID, TenantID: p.tenant, TeamID: team.ID, DisplayName: c.DisplayName, Description: c.Description,
			MembershipType: service.MembershipStandard, IsFavoriteByDefault: c.IsFavoriteByDefault,
			IsArchived: c.IsArchived, CreatedDateTime: p.time(at+".createdDateTime", c.CreatedDateTime),
		}
		switch {
		case c.ID != "" && !thread(c.ID, "thread.tacv2", "thread.skype"):
			p.errs.addf(at+".id", "%q is not a channel id such as 19:…@thread.tacv2", clip(c.ID))
		case c.ID == "" && isGeneral:
			ch.ID = service.GeneralChannelID(team.ID)
		case c.ID == "":
			ch.ID = service.ChannelID(team.ID, c.DisplayName)
		}
		if known || c.ID != "" {
			// Without its team's id, a derived id is not the channel's.
			p.unique(at+".id", "channel\x00"+team.ID, ch.ID)
		}
		switch m := strings.ToLower(c.MembershipType); m {
		case "", service.MembershipStandard:
		case service.MembershipPrivate, service.MembershipShared:
			ch.MembershipType = m
			if isGeneral {
				p.errs.add(at+".membershipType", "the General channel is a standard channel")
			}
		default:
			p.errs.addf(at+".membershipType", "membershipType %q is not standard, private or shared", clip(c.MembershipType))
		}
		p.d.Channels = append(p.d.Channels, ch)
	}
	if !general {
		p.d.Channels = append(p.d.Channels, &teamsops.Channel{
			ID: service.GeneralChannelID(team.ID), TenantID: p.tenant, TeamID: team.ID, DisplayName: "General",
			Description: team.Description, MembershipType: service.MembershipStandard, CreatedDateTime: team.CreatedDateTime,
		})
	}
}

// installations plans the Teams apps installed in a chat or team.
func (p *planner) installations(path string, refs []string, resource teamsops.ResourceRef) {
	installed := map[string]bool{}
	for i, ref := range refs {
		at := fmt.Sprintf("%s[%d]", path, i)
		app := p.ref(p.teamsApps, at, ref)
		if app == "" {
			continue
		}
		if installed[app] {
			p.errs.addf(at, "Teams app %q is installed twice", clip(ref))
			continue
		}
		installed[app] = true
		p.d.AppInstallations = append(p.d.AppInstallations, &teamsops.AppInstallation{
			ID: service.InstallationID(resource.ID, app), TenantID: p.tenant, Resource: resource, TeamsAppID: app,
		})
	}
}
