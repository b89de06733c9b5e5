package http

import (
	"strings"

	"github.com/teamsops/teamsops/odata"
)

// Endpoints of the team, channel and group routes.
const (
	teamsCollection  = "teams"            // GET, POST /teams
	teamItem         = "team"             // GET /teams/{id}
	teamClone        = "clone"            // POST /teams/{id}/clone
	teamArchive      = "archive"          // POST /teams/{id}/archive
	teamUnarchive    = "unarchive"        // POST /teams/{id}/unarchive
	teamMembers      = "members"          // GET /teams/{id}/members
	teamChannels     = "channels"         // GET, POST /teams/{id}/channels
	channelItem      = "channel"          // GET /teams/{id}/channels/{id}
	channelArchive   = "channelArchive"   // POST …/channels/{id}/archive
	channelUnarchive = "channelUnarchive" // POST …/channels/{id}/unarchive
	groupItem        = "group"            // GET /groups/{id}
	groupTeam        = "groupTeam"        // GET, PUT /groups/{id}/team
)

// teamRoute is a route of the team, channel and group endpoints.
type teamRoute struct {
	endpoint  string
	id        string // the team or group
	channelID string
	// group says the channel was addressed under /groups/{id}/team.
	group bool
}

// matchTeamRoute resolves the team, channel and group endpoints. It
// reports false for the paths it leaves to matchRoute: a team's
// operations, and paths it does not know, which matchRoute refuses.
func matchTeamRoute(segs []odata.Segment) (*teamRoute, bool, error) {
	isTeams := strings.EqualFold(segs[0].Name, "teams")
	if !isTeams && !strings.EqualFold(segs[0].Name, "groups") {
		return nil, false, nil
	}
	if isTeams && len(segs) == 1 && !segs[0].HasKey {
		return &teamRoute{endpoint: teamsCollection}, true, nil
	}
	id, next, ok := keyed(segs, 0)
	if !ok || id == "" {
		return nil, false, nil
	}
	rest := segs[next:]
	last := func(name string) bool {
		return len(rest) == 1 && !rest[0].HasKey && strings.EqualFold(rest[0].Name, name)
	}
	if !isTeams {
		switch {
		case len(rest) == 0:
			return &teamRoute{endpoint: groupItem, id: id}, true, nil
		case last("team"):
			return &teamRoute{endpoint: groupTeam, id: id}, true, nil
		case len(rest) > 2 && !rest[0].HasKey && strings.EqualFold(rest[0].Name, "team") &&
			strings.EqualFold(rest[1].Name, "channels"):
			return matchGroupChannelRoute(segs, next+1, id)
		}
		return nil, true, segmentNotFound(rest[0].Name)
	}
	switch {
	case len(rest) == 0:
		return &teamRoute{endpoint: teamItem, id: id}, true, nil
	case last(teamClone), last(teamArchive), last(teamUnarchive), last(teamMembers):
		return &teamRoute{endpoint: strings.ToLower(rest[0].Name), id: id}, true, nil
	case strings.EqualFold(rest[0].Name, "channels"):
		return matchChannelRoute(segs, next, id)
	}
	return nil, false, nil
}

// matchChannelRoute resolves /teams/{id}/channels and what follows it;
// segs[i] is the channels segment.
func matchChannelRoute(segs []odata.Segment, i int, teamID string) (*teamRoute, bool, error) {
	if !segs[i].HasKey && i+1 == len(segs) {
		return &teamRoute{endpoint: teamChannels, id: teamID}, true, nil
	}
	channelID, next, _ := keyed(segs, i)
	if channelID == "" {
		return nil, true, segmentNotFound("channels")
	}
	t := &teamRoute{endpoint: channelItem, id: teamID, channelID: channelID}
	switch {
	case next == len(segs):
		return t, true, nil
	case next+1 == len(segs) && !segs[next].HasKey && strings.EqualFold(segs[next].Name, "archive"):
		t.endpoint = channelArchive
		return t, true, nil
	case next+1 == len(segs) && !segs[next].HasKey && strings.EqualFold(segs[next].Name, "unarchive"):
		t.endpoint = channelUnarchive
		return t, true, nil
	}
	return nil, true, segmentNotFound(segs[next].Name)
}

// matchGroupChannelRoute resolves the aliases under /groups/{id}/team that
// the channel pages list: POST /groups/{team-id}/team/channels/{channel-id}/archive
// and …/unarchive (api-reference/v1.0/api/channel-archive.md,
// channel-unarchive.md). A team's id is its group's, so they are the
// canonical endpoints. Nothing else under the group's team is an alias a
// page lists; segs[i] is the channels segment.
func matchGroupChannelRoute(segs []odata.Segment, i int, groupID string) (*teamRoute, bool, error) {
	t, _, err := matchChannelRoute(segs, i, groupID)
	if err != nil {
		return nil, true, err
	}
	if t.endpoint != channelArchive && t.endpoint != channelUnarchive {
		return nil, true, segmentNotFound(segs[len(segs)-1].Name)
	}
	t.group = true
	return t, true, nil
}
