package odata

import (
	"reflect"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

var props = teamsops.OperationProperties

func eqFilter(prop string, value any) *teamsops.Filter {
	return &teamsops.Filter{Op: teamsops.FilterEq, Property: prop, Value: value}
}

var queryTests = []struct {
	name       string
	raw        string
	beta       bool
	collection bool
	want       Query
}{
	{"empty", "", false, true, Query{}},
	{"select", "$select=status,id", false, false, Query{Select: []string{"status", "id"}}},
	{"select canonical spelling", "$select=STATUS,AttemptsCount", false, false, Query{Select: []string{"status", "attemptsCount"}}},
	{"select trimmed", "$select=%20status%20,+id", false, false, Query{Select: []string{"status", "id"}}},
	{"select deduplicated", "$select=id,status,ID", false, false, Query{Select: []string{"id", "status"}}},
	{"select star", "$select=*", false, false, Query{}},
	{"select star with names", "$select=id,*", false, false, Query{}},
	{"select complex property", "$select=error", false, false, Query{Select: []string{"error"}}},
	{"select beta-only on beta", "$select=values", true, false, Query{Select: []string{"values"}}},
	{"option name case-insensitive", "$SELECT=id", false, false, Query{Select: []string{"id"}}},
	{"encoded option name", "%24select=id", false, false, Query{Select: []string{"id"}}},
	{"beta without dollar", "select=id&top=2", true, true, Query{Select: []string{"id"}, Top: 2, HasTop: true}},
	{"v1.0 without dollar is custom", "select=nope&top=x", false, true, Query{}},
	{"custom parameters ignored", "foo=bar&@p1='x'&debug", false, true, Query{}},
	{"beta custom parameter ignored", "foo=%zz", true, true, Query{}},
	{"empty pairs ignored", "&&$top=1&", false, true, Query{Top: 1, HasTop: true}},
	{"top zero", "$top=0", false, true, Query{Top: 0, HasTop: true}},
	{"top max int32", "$top=2147483647", false, true, Query{Top: 2147483647, HasTop: true}},
	{"top leading zeros", "$top=007", false, true, Query{Top: 7, HasTop: true}},
	{"skip", "$skip=20", false, true, Query{Skip: 20}},
	{"count true", "$count=true", false, true, Query{Count: true}},
	{"count TRUE", "$count=TRUE", false, true, Query{Count: true}},
	{"count false", "$count=False", false, true, Query{}},
	{"filter", "$filter=status+eq+'failed'", false, true, Query{Filter: eqFilter("status", "failed")}},
	{"filter percent-encoded", "$filter=status%20eq%20%27failed%27", false, true, Query{Filter: eqFilter("status", "failed")}},
	{"filter plus offset encoded", "$filter=createdDateTime%20eq%202024-03-04T11:00:00%2B01:00", false, true,
		Query{Filter: eqFilter("createdDateTime", time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC))}},
	{"everything", "$select=id&$filter=attemptsCount%20gt%201&$top=5&$skip=10&$count=true", false, true,
		Query{Select: []string{"id"}, Filter: &teamsops.Filter{Op: teamsops.FilterGt, Property: "attemptsCount", Value: int64(1)},
			Top: 5, HasTop: true, Skip: 10, Count: true}},
}

func TestParseQuery(t *testing.T) {
	for _, tt := range queryTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.raw, props, tt.beta, tt.collection)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.raw, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q)\n got %#v\nwant %#v", tt.raw, got, tt.want)
			}
		})
	}
}

var queryErrorTests = []struct {
	name       string
	raw        string
	beta       bool
	collection bool
	message    string
}{
	{"unknown dollar option", "$foo=1", false, true, "The query parameter '$foo' is not supported."},
	{"bare dollar", "$=1", false, true, "The query parameter '$' is not supported."},
	{"expand", "$expand=x", false, true, "The query specified in the URI is not valid. Query option 'Expand' is not supported on this resource."},
	{"orderby", "$orderby=id", false, true, "The query specified in the URI is not valid. Query option 'OrderBy' is not supported on this resource."},
	{"search", "$search=x", false, true, "The query specified in the URI is not valid. Query option 'Search' is not supported on this resource."},
	{"format", "$format=json", false, false, "The query specified in the URI is not valid. Query option 'Format' is not supported on this resource."},
	{"skiptoken", "$skiptoken=x", false, true, "The query specified in the URI is not valid. Query option 'SkipToken' is not supported on this resource."},
	{"expand without dollar on beta", "expand=x", true, true, "The query specified in the URI is not valid. Query option 'Expand' is not supported on this resource."},
	{"duplicate", "$top=1&$top=2", false, true, "Query option '$top' was specified more than once, but it must be specified at most once."},
	{"duplicate different case", "$select=id&$SELECT=id", false, false, "Query option '$select' was specified more than once, but it must be specified at most once."},
	{"duplicate with and without dollar", "$select=id&select=id", true, false, "Query option '$select' was specified more than once, but it must be specified at most once."},
	{"bad escape in option name", "%zz=1", false, true, errSyntax},
	{"bad escape in value", "$select=%zz", false, false, errSyntax},
	{"invalid utf-8 value", "$select=%FF", false, false, errSyntax},
	{"filter on entity", "$filter=id%20eq%20'x'", false, false, errNotCollection},
	{"top on entity", "$top=1", false, false, errNotCollection},
	{"skip on entity", "$skip=1", false, false, errNotCollection},
	{"count on entity", "$count=true", false, false, errNotCollection},
	{"top on entity beta without dollar", "top=1", true, false, errNotCollection},
	{"select unknown", "$select=foo", false, false, "Could not find a property named 'foo' on type 'microsoft.graph.teamsAsyncOperation'."},
	{"select beta-only on v1.0", "$select=values", false, false, "Could not find a property named 'values' on type 'microsoft.graph.teamsAsyncOperation'."},
	{"select empty", "$select=", false, false, "Term '' is not valid in a $select or $expand expression."},
	{"select blank", "$select=+", false, false, "Term ' ' is not valid in a $select or $expand expression."},
	{"select empty item", "$select=id,,status", false, false, "Term 'id,,status' is not valid in a $select or $expand expression."},
	{"select trailing comma", "$select=id,", false, false, "Term 'id,' is not valid in a $select or $expand expression."},
	{"select path", "$select=error/code", false, false, "Could not find a property named 'error/code' on type 'microsoft.graph.teamsAsyncOperation'."},
	{"top text", "$top=x", false, true, "Invalid value 'x' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top empty", "$top=", false, true, "Invalid value '' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top negative", "$top=-1", false, true, "Invalid value '-1' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top plus sign", "$top=%2B1", false, true, "Invalid value '+1' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top space", "$top=+1", false, true, "Invalid value ' 1' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top decimal", "$top=1.5", false, true, "Invalid value '1.5' for $top query option found. The $top query option requires a non-negative integer value."},
	{"top over int32", "$top=2147483648", false, true, "Invalid value '2147483648' for $top query option found. The $top query option requires a non-negative integer value."},
	{"skip text", "$skip=ten", false, true, "Invalid value 'ten' for $skip query option found. The $skip query option requires a non-negative integer value."},
	{"skip negative", "$skip=-5", false, true, "Invalid value '-5' for $skip query option found. The $skip query option requires a non-negative integer value."},
	{"count invalid", "$count=yes", false, true, "'yes' is not a valid count option."},
	{"count empty", "$count=", false, true, "'' is not a valid count option."},
	{"filter empty", "$filter=", false, true, "The $filter query option requires an expression."},
	{"filter syntax", "$filter=status%20eq", false, true, "Syntax error at position 9 in 'status eq'."},
}

func TestParseQueryErrors(t *testing.T) {
	for _, tt := range queryErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQuery(tt.raw, props, tt.beta, tt.collection)
			if err == nil {
				t.Fatalf("ParseQuery(%q) = %#v, want an error", tt.raw, got)
			}
			wantInvalid(t, err, tt.message)
		})
	}
}

func TestParseQueryClipsEcho(t *testing.T) {
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	_, err := ParseQuery("$top="+string(long), props, false, true)
	wantInvalid(t, err, "")
	if n := len(teamsops.ErrorMessage(err)); n > 2*maxEcho+200 {
		t.Errorf("message is %d bytes long", n)
	}
}
