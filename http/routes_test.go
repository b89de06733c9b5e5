package http

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/odata/metadata"
)

// versionLacks are the routes a version's metadata does not have, with the
// segment Graph names in its 400: v1.0's chat has no operations
// navigation (docs/compatibility.md, "Chat operations are beta only").
var versionLacks = map[string]map[string]string{
	"v1.0": {
		"/chats/{chat-id}/operations":                "operations",
		"/chats/{chat-id}/operations/$count":         "operations",
		"/chats/{chat-id}/operations/{operation-id}": "operations",
	},
	"beta": {},
}

// checkRoutes resolves each route through each version's metadata and
// returns what is wrong: a route that does not resolve and is neither
// expected to be lacking nor an addition, and an expectation or addition
// that no longer holds.
func checkRoutes(routes []graphRoute, additions map[string]string, lacks map[string]map[string]string) []string {
	var problems []string
	for _, version := range []string{"v1.0", "beta"} {
		m, err := metadata.Model(version)
		if err != nil {
			return []string{err.Error()}
		}
		for _, gr := range routes {
			_, _, missing, ok := m.ResolvePath(gr.template)
			want, lacking := lacks[version][gr.template]
			switch {
			case !ok && lacking && missing != want:
				problems = append(problems, fmt.Sprintf("%s %s: the metadata lacks segment %q, expected %q", version, gr.template, missing, want))
			case !ok && !lacking && additions[gr.template] == "":
				problems = append(problems, fmt.Sprintf("%s %s: segment %q is not in the version's metadata, and the route is no documented addition", version, gr.template, missing))
			case ok && lacking:
				problems = append(problems, fmt.Sprintf("%s %s: resolves in the version's metadata, yet is expected to be lacking", version, gr.template))
			}
		}
	}
	for template := range additions {
		if !slices.ContainsFunc(routes, func(gr graphRoute) bool { return gr.template == template }) {
			problems = append(problems, fmt.Sprintf("addition %s is not a route", template))
		}
	}
	return problems
}

// TestRoutesInMetadata: every path teamsops serves resolves through the
// metadata of each version it is served on (entity sets and singletons,
// keys, navigation properties, bound actions, $count).
func TestRoutesInMetadata(t *testing.T) {
	for _, p := range checkRoutes(graphRoutes, routeAdditions, versionLacks) {
		t.Error(p)
	}
	for template, reason := range routeAdditions {
		if reason == "" {
			t.Errorf("addition %s has no reason", template)
		}
	}
}

// TestRoutesInMetadataRefuses: the check fails for a route a version
// lacks, so that a route added to graphRoutes without Graph's metadata
// behind it cannot pass.
func TestRoutesInMetadataRefuses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		routes    []graphRoute
		additions map[string]string
		lacks     map[string]map[string]string
		want      string
	}{
		{"a navigation neither version has", []graphRoute{{"/chats/{chat-id}/messages", getOnly}}, nil, nil, `v1.0 /chats/{chat-id}/messages: segment "messages"`},
		{"an action bound elsewhere", []graphRoute{{"/chats/{chat-id}/archive", post}}, nil, nil, `beta /chats/{chat-id}/archive: segment "archive"`},
		{"an entity set neither version has", []graphRoute{{"/channels/{channel-id}", getOnly}}, nil, nil, `segment "channels"`},
		{"a key on a single navigation", []graphRoute{{"/groups/{group-id}/team/{team-id}", getOnly}}, nil, nil, `segment "{team-id}"`},
		{"v1.0's chat operations, not expected", []graphRoute{{"/chats/{chat-id}/operations", getOnly}}, nil, nil, `v1.0 /chats/{chat-id}/operations: segment "operations"`},
		{"an expectation that no longer holds", []graphRoute{{"/teams/{team-id}/operations", getOnly}}, nil, map[string]map[string]string{"v1.0": {"/teams/{team-id}/operations": "operations"}}, "yet is expected to be lacking"},
		{"an addition that is no route", nil, map[string]string{"/teams/{team-id}/extra": "why"}, nil, "is not a route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems := checkRoutes(tc.routes, tc.additions, tc.lacks)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("problems %q, want one with %q", problems, tc.want)
			}
		})
	}
	// An addition with its reason passes where the metadata lacks it.
	extra := []graphRoute{{"/chats/{chat-id}/messages", getOnly}}
	if p := checkRoutes(extra, map[string]string{"/chats/{chat-id}/messages": "why"}, nil); len(p) != 0 {
		t.Errorf("an addition: %q", p)
	}
}

// concretePath writes a template with ids for its placeholders, in segment
// form or, keyed, in OData key syntax (chats('id')).
func concretePath(template string, keyed bool) string {
	segs := strings.Split(strings.TrimPrefix(template, "/"), "/")
	var out []string
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			out = append(out, s)
			continue
		}
		id := fmt.Sprintf("id%d", i)
		if keyed {
			out[len(out)-1] += "('" + id + "')"
		} else {
			out = append(out, id)
		}
	}
	return "/" + strings.Join(out, "/")
}

// TestRoutesMatched: matchRoute resolves each route of graphRoutes, with
// keys in either form, to that route, and on each version as its metadata
// says: served, or refused naming the segment the version lacks.
func TestRoutesMatched(t *testing.T) {
	for _, gr := range graphRoutes {
		for _, keyed := range []bool{false, true} {
			path := concretePath(gr.template, keyed)
			segs, err := odata.ParsePath(path)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			rt, err := matchRoute(segs)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if got := rt.template(); got != gr.template {
				t.Errorf("%s: template %s, want %s", path, got, gr.template)
			}
			if !slices.Equal(rt.methods(), gr.methods) {
				t.Errorf("%s: methods %v, want %v", path, rt.methods(), gr.methods)
			}
			for version, lacks := range versionLacks {
				err := rt.inVersion(version)
				want, lacking := lacks[gr.template]
				switch {
				case lacking && (err == nil || teamsops.ErrorMessage(err) != "Resource not found for the segment '"+want+"'."):
					t.Errorf("%s on %s: %v, want the segment %q not found", path, version, err, want)
				case !lacking && err != nil:
					t.Errorf("%s on %s: %v", path, version, err)
				}
			}
		}
	}
}

// TestRoutesComplete: every path matchRoute accepts is a route of
// graphRoutes, so that the table, and with it the metadata check, covers
// all that teamsops serves. (A route the table lacks is refused all the
// same, by inVersion: TestRoutesUnlisted.) The paths are every sequence of
// up to four names and an id, and samples of five and six starting with
// an entity set or singleton; the names are the routes' own segments and
// every entity set, singleton, navigation property and bound action of
// both versions' metadata.
func TestRoutesComplete(t *testing.T) {
	vocab := []string{"anId", "$count", "$batch"}
	var roots []string
	add := func(name string, root bool) {
		if !slices.Contains(vocab, name) {
			vocab = append(vocab, name)
		}
		if root && !slices.Contains(roots, name) {
			roots = append(roots, name)
		}
	}
	for _, gr := range graphRoutes {
		for i, s := range strings.Split(strings.TrimPrefix(gr.template, "/"), "/") {
			if !strings.HasPrefix(s, "{") {
				add(s, i == 0)
			}
		}
	}
	for _, version := range []string{"v1.0", "beta"} {
		m, err := metadata.Model(version)
		if err != nil {
			t.Fatal(err)
		}
		for name := range m.Sets {
			add(name, true)
		}
		for _, typ := range m.Types {
			for _, nav := range typ.Navigations {
				add(nav.Name, false)
			}
		}
		for _, a := range m.Actions {
			add(a.Name, false)
		}
	}
	slices.Sort(vocab) // map order must not change the samples
	slices.Sort(roots)
	checked := 0
	check := func(segs []odata.Segment) {
		checked++
		rt, err := matchRoute(segs)
		if err != nil {
			return
		}
		if _, ok := lookupRoute(rt.template()); !ok {
			names := make([]string, len(segs))
			for i, s := range segs {
				names[i] = s.Name
			}
			t.Errorf("/%s is served as %q, which is not in graphRoutes", strings.Join(names, "/"), rt.template())
		}
	}
	var walk func(segs []odata.Segment, left int)
	walk = func(segs []odata.Segment, left int) {
		check(segs)
		if left == 0 {
			return
		}
		for _, name := range vocab {
			walk(append(segs, odata.Segment{Name: name}), left-1)
		}
	}
	for _, name := range vocab {
		walk([]odata.Segment{{Name: name}}, 3)
	}
	r := rand.New(rand.NewPCG(19, 19))
	for i := range 200000 {
		segs := []odata.Segment{{Name: roots[r.IntN(len(roots))]}}
		for range 4 + i%2 {
			segs = append(segs, odata.Segment{Name: vocab[r.IntN(len(vocab))]})
		}
		check(segs)
	}
	t.Logf("%d paths checked over %d names", checked, len(vocab))
}

// TestRoutesUnlisted: a route matchRoute resolves but graphRoutes lacks is
// refused on every version, as a path outside it, so that the table, not
// the matcher alone, decides what is served.
func TestRoutesUnlisted(t *testing.T) {
	for _, rt := range []route{
		{team: &teamRoute{endpoint: "photo", id: "t1"}},
		{subscription: &subscriptionRoute{endpoint: "renew", id: "s1"}},
	} {
		for _, version := range []string{"v1.0", "beta"} {
			if err := rt.inVersion(version); !strings.HasPrefix(teamsops.ErrorMessage(err), "Resource not found for the segment") {
				t.Errorf("%s on %s: %v", rt.template(), version, err)
			}
		}
	}
}
