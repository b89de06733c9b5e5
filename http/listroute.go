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

// matchListRoute resolves /me and /users/{id} (userroute.go) followed by
// chats or joinedTeams. It reports false for paths that start otherwise.
func matchListRoute(segs []odata.Segment) (*listRoute, bool, error) {
	user, next, ok, err := userKey(segs)
	if !ok {
		return nil, false, nil
	} else if err != nil {
		return nil, true, err
	}
	if next+1 != len(segs) || segs[next].HasKey {
		return nil, true, segmentNotFound(segs[len(segs)-1].Name)
	}
	l := &listRoute{user: user}
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
