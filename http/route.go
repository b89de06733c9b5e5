package http

import (
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// route is a Graph URL resolved against the resources teamsops serves.
type route struct {
	resource teamsops.ResourceRef
	nav      string // "operations" or "permissionGrants"
	id       string // the operation id, when one is addressed
	hasID    bool
}

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
	switch {
	case strings.EqualFold(segs[0].Name, "chats"):
		rt.resource.Kind = teamsops.ResourceChat
	case strings.EqualFold(segs[0].Name, "teams"):
		rt.resource.Kind = teamsops.ResourceTeam
	default:
		return rt, segmentNotFound(segs[0].Name)
	}
	id, next, ok := keyed(segs, 0)
	if !ok || id == "" || next >= len(segs) {
		// GET /chats, /teams and /chats/{id} themselves are not served yet.
		return rt, segmentNotFound(segs[len(segs)-1].Name)
	}
	rt.resource.ID = id
	nav := segs[next]
	switch {
	case strings.EqualFold(nav.Name, "operations"):
		rt.nav = "operations"
		if nav.HasKey || next+1 < len(segs) {
			rt.id, next, _ = keyed(segs, next)
			rt.hasID = true
		} else {
			next++
		}
	case strings.EqualFold(nav.Name, "permissionGrants") && rt.resource.Kind == teamsops.ResourceChat && !nav.HasKey:
		rt.nav = "permissionGrants"
		next++
	default:
		return rt, segmentNotFound(nav.Name)
	}
	if next < len(segs) {
		return rt, segmentNotFound(segs[next].Name)
	}
	if rt.hasID && rt.id == "" {
		return rt, teamsops.Errorf(teamsops.EINVALID, "The key of segment 'operations' is empty.")
	}
	return rt, nil
}

func segmentNotFound(name string) error {
	return teamsops.Errorf(teamsops.EINVALID, "Resource not found for the segment '%s'.", name)
}
