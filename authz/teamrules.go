package authz

// The permission tables of the team, channel and group endpoints, as
// Graph's reference pages give them, least privileged first. Permissions
// a page marks with * are resource-specific consent (ResourceSpecific).

// graphWide are the deprecated catch-all permissions most team pages end
// with ("Group.ReadWrite.All**, Directory.ReadWrite.All**").
var graphWide = []string{"Group.ReadWrite.All", "Directory.ReadWrite.All"}

func with(perms ...[]string) []string {
	var out []string
	for _, p := range perms {
		out = append(out, p...)
	}
	return out
}

// TeamCreate governs POST /teams ("Create team",
// api-reference/v1.0/api/team-post.md and its permissions include). A
// delegated caller becomes the team's owner; nothing exists yet to be a
// member of.
var TeamCreate = Rule{
	Delegated:   with([]string{"Team.Create"}, graphWide),
	Application: with([]string{"Team.Create", "Teamwork.Migrate.All"}, graphWide),
	Collection:  true,
}

// TeamClone governs POST /teams/{id}/clone ("team: clone",
// api-reference/v1.0/api/team-clone.md: Team.Create, with Group.ReadWrite.All
// and Directory.ReadWrite.All "supported only for backward compatibility";
// the beta page lists only the latter two). Cloning makes a team, which
// Teams lets the source team's owners do.
var TeamClone = Rule{
	Delegated:   with([]string{"Team.Create"}, graphWide),
	Application: with([]string{"Team.Create"}, graphWide),
	Owner:       true,
}

// TeamArchive governs POST /teams/{id}/archive and /unarchive ("Archive
// team", "Unarchive team": api-reference/beta/api/team-archive.md and
// v1.0/api/team-unarchive.md, which agree). Only owners archive a team in
// Teams.
var TeamArchive = Rule{
	Delegated:        with([]string{"TeamSettings.ReadWrite.All"}, graphWide),
	Application:      with([]string{"TeamSettings.ReadWrite.All"}, graphWide),
	ResourceSpecific: []string{"TeamSettings.ReadWrite.Group"},
	Owner:            true,
}

// GroupTeamCreate governs PUT /groups/{id}/team ("Create team from group",
// api-reference/v1.0/api/team-put-teams.md): Group.ReadWrite.All only. The
// page requires the group to have an owner; a delegated caller must be one.
var GroupTeamCreate = Rule{
	Delegated:   []string{"Group.ReadWrite.All"},
	Application: []string{"Group.ReadWrite.All"},
	Owner:       true,
}

// ChannelArchive governs POST /teams/{id}/channels/{id}/archive and
// /unarchive ("channel: archive", "channel: unarchive":
// api-reference/v1.0/api/channel-archive.md, channel-unarchive.md).
var ChannelArchive = Rule{
	Delegated:   []string{"ChannelSettings.ReadWrite.All"},
	Application: []string{"ChannelSettings.ReadWrite.All"},
	Owner:       true,
}

// ChannelCreate governs POST /teams/{id}/channels ("Create channel",
// api-reference/v1.0/api/channel-post.md). Members may create channels.
var ChannelCreate = Rule{
	Delegated:        with([]string{"Channel.Create"}, graphWide),
	Application:      with([]string{"Channel.Create", "Teamwork.Migrate.All"}, graphWide),
	ResourceSpecific: []string{"Channel.Create.Group"},
}

// TeamRead governs GET /teams/{id} ("Get team",
// api-reference/v1.0/api/team-get.md); the team's operations take the same
// table (TeamOperationsRead).
var TeamRead = TeamOperationsRead

// channelReaders are the permissions of "List channels" and "Get channel"
// (api-reference/v1.0/includes/permissions/channel-list-permissions.md and
// channel-get-permissions.md), which agree but for order.
var channelReaders = []string{
	"Channel.ReadBasic.All", "ChannelSettings.Read.All", "ChannelSettings.ReadWrite.All",
	"Directory.Read.All", "Directory.ReadWrite.All", "Group.Read.All", "Group.ReadWrite.All",
}

// ChannelsRead governs GET /teams/{id}/channels and
// GET /teams/{id}/channels/{id}.
var ChannelsRead = Rule{
	Delegated:        channelReaders,
	Application:      channelReaders,
	ResourceSpecific: []string{"ChannelSettings.Read.Group", "ChannelSettings.ReadWrite.Group"},
}

// TeamMembersRead governs GET /teams/{id}/members ("List members of team",
// api-reference/v1.0/api/team-list-members.md).
var TeamMembersRead = Rule{
	Delegated:        []string{"TeamMember.Read.All", "TeamMember.ReadWrite.All"},
	Application:      []string{"TeamMember.Read.All", "TeamMember.ReadWrite.All"},
	ResourceSpecific: []string{"TeamMember.Read.Group"},
}

// groupReaders are the permissions of "Get group"
// (api-reference/v1.0/includes/permissions/group-get-permissions.md).
var groupReaders = []string{
	"GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All",
}

// GroupRead governs GET /groups/{id}. Any user of the tenant may read its
// groups' properties, member or not, as in Entra's directory.
var GroupRead = Rule{Delegated: groupReaders, Application: groupReaders, TenantWide: true}
