package http

import (
	"strings"

	"github.com/teamsops/teamsops/odata"
)

// userRoute is GET /me (id empty) or GET /users/{id | userPrincipalName}
// ("Get user", api-reference/v1.0/api/user-get.md).
type userRoute struct {
	id string
}

// userKey resolves the user a path starts with: /me (user empty) or
// /users/{id | userPrincipalName}, the key as a segment or in OData key
// syntax, as "Get user" writes /users('$x@y.com') for a name that starts
// with '$'. It returns the index of the segment after the user; ok is
// false for paths that start otherwise.
func userKey(segs []odata.Segment) (user string, next int, ok bool, err error) {
	if strings.EqualFold(segs[0].Name, "me") && !segs[0].HasKey {
		return "", 1, true, nil
	}
	if !strings.EqualFold(segs[0].Name, "users") {
		return "", 0, false, nil
	}
	id, next, found := keyed(segs, 0)
	if !found || id == "" {
		// The users collection itself is not served.
		return "", 0, true, segmentNotFound(segs[len(segs)-1].Name)
	}
	return id, next, true, nil
}

// matchUserRoute resolves /me and /users/{id} with nothing after them. It
// reports false for what follows a user (listroute.go) and for paths that
// start otherwise.
func matchUserRoute(segs []odata.Segment) (*userRoute, bool, error) {
	user, next, ok, err := userKey(segs)
	switch {
	case !ok:
		return nil, false, nil
	case err != nil:
		return nil, true, err
	case next < len(segs):
		return nil, false, nil
	}
	return &userRoute{id: user}, true, nil
}
