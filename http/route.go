package http

import (
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// route is a Graph URL resolved against the resources teamsops serves:
// the chats collection (resource.ID empty), a chat itself (nav empty), or
// a navigation of a chat or team.
type route struct {
	resource teamsops.ResourceRef
	nav      string // "", "operations", "permissionGrants", "members" or "installedApps"
	id       string // the operation id, when one is addressed
	hasID    bool
	count    bool // the operations' /$count
	// team is set for the team, channel and group endpoints (teamroute.go).
	team *teamRoute
	// list is set for a user's chats and joined teams (listroute.go).
	list *listRoute
	// user is set for /me and /users/{id} (userroute.go).
	user *userRoute
	// batch is POST /$batch (batch.go).
	batch bool
	// subscription is set for /subscriptions (subscriptionroute.go).
	subscription *subscriptionRoute
}

// methods lists the HTTP methods served on the route, for the Allow header
// of a 405, from graphRoutes.
func (rt route) methods() []string {
	gr, _ := lookupRoute(rt.template())
	return gr.methods
}

// chatNavigations are the navigations of a chat served besides operations.
var chatNavigations = []string{"permissionGrants", "members", "installedApps"}

// keyed takes the key of segs[i]: in OData key syntax (chats('{id}')) or
// as the following segment (chats/{id}), Graph accepting both. It returns
// the key and the index of the next segment.
func keyed(segs []odata.Segment, i int) (string, int, bool) {
	if segs[i].HasKey {
		return segs[i].Key, i + 1, true
	}
	if i+1 < len(segs) && !segs[i+1].HasKey {
		return segs[i+1].Name, i + 2, true
	}
	return "", i + 1, false
}

// matchRoute resolves the segments of a path after its version. Unknown
// segments are a 400, as Graph answers "Resource not found for the segment".
func matchRoute(segs []odata.Segment) (route, error) {
	var rt route
	if len(segs) == 0 {
		return rt, teamsops.Errorf(teamsops.EINVALID, "Invalid request: no resource was addressed.")
	}
	if t, ok, err := matchTeamRoute(segs); ok {
		rt.team = t
		return rt, err
	}
	if u, ok, err := matchUserRoute(segs); ok {
		rt.user = u
		return rt, err
	}
	if l, ok, err := matchListRoute(segs); ok {
		rt.list = l
		return rt, err
	}
	if len(segs) == 1 && !segs[0].HasKey && segs[0].Name == "$batch" {
		rt.batch = true
		return rt, nil
	}
	if sr, ok, err := matchSubscriptionRoute(segs); ok {
		rt.subscription = sr
		return rt, err
	}
	switch {
	case strings.EqualFold(segs[0].Name, "chats"):
		rt.resource.Kind = teamsops.ResourceChat
	case strings.EqualFold(segs[0].Name, "teams"):
		rt.resource.Kind = teamsops.ResourceTeam
	default:
		return rt, segmentNotFound(segs[0].Name)
	}
	isChat := rt.resource.Kind == teamsops.ResourceChat
	id, next, ok := keyed(segs, 0)
	switch {
	case !ok && isChat && len(segs) == 1:
		return rt, nil // the chats collection: GET and POST /chats
	case !ok || id == "" || next >= len(segs) && !isChat:
		// /teams and /teams/{id} themselves are matchTeamRoute's.
		return rt, segmentNotFound(segs[len(segs)-1].Name)
	}
	rt.resource.ID = id
	if next >= len(segs) {
		return rt, nil // GET /chats/{id}
	}
	next, err := rt.matchNavigation(segs, next, isChat)
	if err != nil {
		return rt, err
	}
	if next < len(segs) {
		return rt, segmentNotFound(segs[next].Name)
	}
	if rt.hasID && rt.id == "" {
		return rt, teamsops.Errorf(teamsops.EINVALID, "The key of segment '%s' is empty.", rt.nav)
	}
	return rt, nil
}

// matchNavigation resolves the navigation at segs[next] of a chat or
// team: operations (with an id, or $count), or a chat's other
// navigations. It returns the index of the segment after it.
func (rt *route) matchNavigation(segs []odata.Segment, next int, isChat bool) (int, error) {
	nav := segs[next]
	switch {
	case strings.EqualFold(nav.Name, "operations") && !nav.HasKey && isCountSegment(segs, next+1):
		rt.nav, rt.count = "operations", true // count.go
		return next + 2, nil
	case strings.EqualFold(nav.Name, "operations"),
		// GET /chats/{id}/installedApps/{id} reads one installation.
		isChat && chatNavigation(nav.Name) == "installedApps":
		rt.nav = "installedApps"
		if strings.EqualFold(nav.Name, "operations") {
			rt.nav = "operations"
		}
		if nav.HasKey || next+1 < len(segs) {
			rt.id, next, _ = keyed(segs, next)
			rt.hasID = true
			return next, nil
		}
		return next + 1, nil
	case isChat && !nav.HasKey && chatNavigation(nav.Name) != "":
		rt.nav = chatNavigation(nav.Name)
		return next + 1, nil
	}
	return next, segmentNotFound(nav.Name)
}

// chatNavigation returns the canonical name of a chat navigation other
// than operations, matched case-insensitively as Graph does, or "".
func chatNavigation(name string) string {
	for _, n := range chatNavigations {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// inVersion refuses a route that the version's metadata lacks, as Graph
// answers a path outside a version: 400 "Resource not found for the
// segment", naming the first segment the metadata does not know. So
// v1.0's chat, which has no operations navigation in v1.0's CSDL (the chat
// operation pages, chat-list-operations and teamsasyncoperation-get's chat
// example, exist only under beta), answers /chats/{id}/operations so,
// while v1.0's team has one.
func (rt route) inVersion(version string) error {
	template := rt.template()
	if _, ok := lookupRoute(template); !ok {
		return segmentNotFound(template[strings.LastIndex(template, "/")+1:])
	}
	if missing, lacks := routeVersions()[version][template]; lacks {
		return segmentNotFound(missing)
	}
	return nil
}

func segmentNotFound(name string) error {
	return teamsops.Errorf(teamsops.EINVALID, "Resource not found for the segment '%s'.", name)
}
