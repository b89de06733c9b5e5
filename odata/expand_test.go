package odata

import (
	"reflect"
	"slices"
	"testing"

	"github.com/teamsops/teamsops"
)

// installedApps is a resource like GET /chats/{id}/installedApps: a
// collection whose items may expand teamsApp and teamsAppDefinition.
var installedApps = Resource{
	TypeName:   "microsoft.graph.teamsAppInstallation",
	Properties: []teamsops.Property{{Name: "id", Type: teamsops.TypeString}},
	Expandable: []string{"teamsApp", "teamsAppDefinition"},
	Collection: true,
}

func TestParseExpand(t *testing.T) {
	tests := []struct {
		raw  string
		beta bool
		want Query
	}{
		{"$expand=teamsApp", false, Query{Expand: []string{"teamsApp"}}},
		{"$expand=TEAMSAPP,+teamsAppDefinition", false, Query{Expand: []string{"teamsApp", "teamsAppDefinition"}}},
		{"$expand=teamsApp,teamsapp", false, Query{Expand: []string{"teamsApp"}}},
		{"expand=teamsApp&select=id", true, Query{Expand: []string{"teamsApp"}, Select: []string{"id"}}},
		{"expand=teamsApp", false, Query{}}, // a custom parameter on v1.0
	}
	for _, tt := range tests {
		got, err := installedApps.Parse(tt.raw, tt.beta)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.raw, err)
		} else if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.raw, got, tt.want)
		}
	}
	entity := installedApps
	entity.Collection = false
	if q, err := entity.Parse("$expand=teamsApp", false); err != nil || !slices.Equal(q.Expand, []string{"teamsApp"}) {
		t.Errorf("$expand on an entity: %#v, %v", q, err)
	}
}

func TestParseExpandErrors(t *testing.T) {
	tests := []struct{ raw, message string }{
		{"$expand=", "Term '' is not valid in a $select or $expand expression."},
		{"$expand=teamsApp,", "Term 'teamsApp,' is not valid in a $select or $expand expression."},
		{"$expand=bot", "Could not find a property named 'bot' on type 'microsoft.graph.teamsAppInstallation'."},
		{"$expand=*", "The $expand expression '*' is not supported on this resource; name navigation properties only."},
		{"$expand=teamsAppDefinition($expand=bot)", "The $expand expression 'teamsAppDefinition($expand=bot)' is not supported on this resource; name navigation properties only."},
		{"$expand=teamsApp&$expand=teamsApp", "Query option '$expand' was specified more than once, but it must be specified at most once."},
		{"$select=nope", "Could not find a property named 'nope' on type 'microsoft.graph.teamsAppInstallation'."},
		{"$filter=nope eq 'x'", "Could not find a property named 'nope' on type 'microsoft.graph.teamsAppInstallation'."},
		{"$filter=id eq 'x'", "The property 'id' cannot be used in the $filter query option."},
	}
	for _, tt := range tests {
		_, err := installedApps.Parse(tt.raw, false)
		wantInvalid(t, err, tt.message)
	}
	// Without expandable properties, $expand stays unsupported.
	_, err := Resource{TypeName: "microsoft.graph.chat"}.Parse("$expand=members", false)
	wantInvalid(t, err, "The query specified in the URI is not valid. Query option 'Expand' is not supported on this resource.")
}

// FuzzParseExpand: whatever the query, an accepted $expand names only
// expandable properties, canonically and once each.
func FuzzParseExpand(f *testing.F) {
	for _, s := range []string{"$expand=teamsApp", "$expand=teamsApp,teamsAppDefinition&$select=id", "expand=x", "$expand=a(b)"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, beta bool) {
		q, err := installedApps.Parse(raw, beta)
		if err != nil {
			checkError(t, err)
			return
		}
		for i, name := range q.Expand {
			if !slices.Contains(installedApps.Expandable, name) || slices.Contains(q.Expand[:i], name) {
				t.Fatalf("Parse(%q): Expand %q", raw, q.Expand)
			}
		}
		if q.Expand != nil && len(q.Expand) == 0 {
			t.Fatalf("Parse(%q): empty, non-nil Expand", raw)
		}
	})
}
