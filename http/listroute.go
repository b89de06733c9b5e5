package http

import (
	"strings"

	"github.com/teamsops/teamsops/odata"
)

// Endpoints of the list routes.
const (
	chatsList       = "chats"       // GET /me/chats, /users/{id}/chats
	joinedTeamsList = "joinedTeams" // GET /me/joinedTeams, /users/{id}/joinedTeams
)

// listRoute is a list of a user's: /me/... (user empty) or /users/{id}/....
type listRoute struct {
	endpoint string
	user     string
}

// matchListRoute resolves /me and /users/{id} followed by chats or
// joinedTeams. It reports false for paths that start otherwise.
func matchListRoute(segs []odata.Segment) (*listRoute, bool, error) {
	isMe := strings.EqualFold(segs[0].Name, "me") && !segs[0].HasKey
	if !isMe && !strings.EqualFold(segs[0].Name, "users") {
		return nil, false, nil
	}
	l, next := &listRoute{}, 1
	if !isMe {
		id, n, ok := keyed(segs, 0)
		if !ok || id == "" {
			return nil, true, segmentNotFound(segs[len(segs)-1].Name)
		}
		l.user, next = id, n
	}
	if next+1 != len(segs) || segs[next].HasKey {
		return nil, true, segmentNotFound(segs[len(segs)-1].Name)
	}
	switch {
	case strings.EqualFold(segs[next].Name, chatsList):
		l.endpoint = chatsList
	case strings.EqualFold(segs[next].Name, joinedTeamsList):
		l.endpoint = joinedTeamsList
	default:
		return nil, true, segmentNotFound(segs[next].Name)
	}
	return l, true, nil
}
