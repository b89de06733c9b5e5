package http

import (
	"net/http"
	"sync"

	"github.com/teamsops/teamsops/odata/metadata"
)

// graphRoute is one Graph path teamsops serves, written as route.template
// writes it (keys as placeholders, segment form), with the methods it
// serves.
type graphRoute struct {
	template string
	methods  []string
}

var (
	getOnly = []string{http.MethodGet}
	getPost = []string{http.MethodGet, http.MethodPost}
	post    = []string{http.MethodPost}
)

// graphRoutes are all the Graph paths teamsops serves: the methods of a
// 405's Allow header come from here, and each path is served on a version
// only if it resolves through that version's metadata (routeVersions).
// matchRoute resolves a request to one of them (http/routes_test.go
// checks both, and every path against Graph's metadata).
var graphRoutes = []graphRoute{
	{"/$batch", post}, // json-batching
	{"/me", getOnly},
	{"/me/chats", getOnly},
	{"/me/joinedTeams", getOnly},
	{"/users/{user-id}", getOnly},
	{"/users/{user-id}/chats", getOnly},
	{"/users/{user-id}/joinedTeams", getOnly},
	{"/chats", getPost}, // list chats, create chat
	{"/chats/{chat-id}", getOnly},
	{"/chats/{chat-id}/operations", getOnly},
	{"/chats/{chat-id}/operations/$count", getOnly},
	{"/chats/{chat-id}/operations/{operation-id}", getOnly},
	{"/chats/{chat-id}/members", getOnly},
	{"/chats/{chat-id}/installedApps", getPost}, // list apps, add app to chat
	{"/chats/{chat-id}/installedApps/{teamsAppInstallation-id}", getOnly},
	{"/chats/{chat-id}/permissionGrants", getOnly},
	{"/teams", getPost}, // list teams, create team
	{"/teams/{team-id}", getOnly},
	{"/teams/{team-id}/operations", getOnly},
	{"/teams/{team-id}/operations/$count", getOnly},
	{"/teams/{team-id}/operations/{operation-id}", getOnly},
	{"/teams/{team-id}/members", getOnly},
	{"/teams/{team-id}/clone", post},
	{"/teams/{team-id}/archive", post},
	{"/teams/{team-id}/unarchive", post},
	{"/teams/{team-id}/channels", getPost}, // list channels, create channel
	{"/teams/{team-id}/channels/{channel-id}", getOnly},
	{"/teams/{team-id}/channels/{channel-id}/archive", post},
	{"/teams/{team-id}/channels/{channel-id}/unarchive", post},
	{"/groups/{group-id}", getOnly},
	{"/groups/{group-id}/team", []string{http.MethodGet, http.MethodPut}}, // get team, create team from group
	{"/groups/{group-id}/team/channels/{channel-id}/archive", post},
	{"/groups/{group-id}/team/channels/{channel-id}/unarchive", post},
	{"/subscriptions", getPost},
	{"/subscriptions/{subscription-id}", []string{http.MethodGet, http.MethodPatch, http.MethodDelete}},
	{"/subscriptions/{subscription-id}/reauthorize", post},
}

// routeAdditions are the paths of graphRoutes that Graph's metadata does
// not have, served on every version all the same, each with its reason
// (docs/compatibility.md, "Where teamsops knowingly differs from Graph",
// gives the same). There are none: teamsops' additions are headers and
// subscription resources, not paths.
var routeAdditions = map[string]string{}

// routeVersions resolves every route through each version's metadata:
// for a route the version lacks, the segment Graph would name in its
// 400; "" for a route the version has.
var routeVersions = sync.OnceValue(func() map[string]map[string]string {
	versions := map[string]map[string]string{}
	for _, version := range []string{"v1.0", "beta"} {
		m, err := metadata.Model(version)
		if err != nil {
			panic(err) // the embedded metadata is tested to parse
		}
		versions[version] = map[string]string{}
		for _, gr := range graphRoutes {
			if _, _, missing, ok := m.ResolvePath(gr.template); !ok && routeAdditions[gr.template] == "" {
				versions[version][gr.template] = missing
			}
		}
	}
	return versions
})

// lookupRoute finds the graphRoute of a template.
func lookupRoute(template string) (graphRoute, bool) {
	for _, gr := range graphRoutes {
		if gr.template == template {
			return gr, true
		}
	}
	return graphRoute{}, false
}
