package odata

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// Shorthands for expected trees.
func cmp(op teamsops.FilterOp, prop string, value any) *teamsops.Filter {
	return &teamsops.Filter{Op: op, Property: prop, Value: value}
}

func and(l, r *teamsops.Filter) *teamsops.Filter {
	return &teamsops.Filter{Op: teamsops.FilterAnd, Left: l, Right: r}
}

func or(l, r *teamsops.Filter) *teamsops.Filter {
	return &teamsops.Filter{Op: teamsops.FilterOr, Left: l, Right: r}
}

func not(f *teamsops.Filter) *teamsops.Filter {
	return &teamsops.Filter{Op: teamsops.FilterNot, Left: f}
}

const (
	eq = teamsops.FilterEq
	ne = teamsops.FilterNe
	gt = teamsops.FilterGt
	ge = teamsops.FilterGe
	lt = teamsops.FilterLt
	le = teamsops.FilterLe
)

var (
	a = cmp(eq, "status", "failed")
	b = cmp(eq, "id", "b")
	c = cmp(eq, "attemptsCount", int64(3))
)

var filterTests = []struct {
	name   string
	filter string
	beta   bool
	want   *teamsops.Filter
}{
	{"string", "id eq 'x'", false, cmp(eq, "id", "x")},
	{"string with doubled quote", "id eq 'it''s'", false, cmp(eq, "id", "it's")},
	{"empty string", "targetResourceId eq ''", false, cmp(eq, "targetResourceId", "")},
	{"string ordering", "id ge 'm'", false, cmp(ge, "id", "m")},
	{"string null", "targetResourceId eq null", false, cmp(eq, "targetResourceId", nil)},
	{"string not null", "targetResourceLocation ne NULL", false, cmp(ne, "targetResourceLocation", nil)},
	{"enum as string", "status eq 'succeeded'", false, cmp(eq, "status", "succeeded")},
	{"enum qualified", "status eq microsoft.graph.teamsAsyncOperationStatus'failed'", false, cmp(eq, "status", "failed")},
	{"enum ne", "operationType ne 'createTeam'", false, cmp(ne, "operationType", "createTeam")},
	{"enum beta-only member on beta", "operationType eq 'createChat'", true, cmp(eq, "operationType", "createChat")},
	{"enum evolvable member", "operationType eq 'archiveChannel'", false, cmp(eq, "operationType", "archiveChannel")},
	{"enum null", "status eq null", false, cmp(eq, "status", nil)},
	{"int", "attemptsCount eq 1", false, cmp(eq, "attemptsCount", int64(1))},
	{"int negative", "attemptsCount gt -1", false, cmp(gt, "attemptsCount", int64(-1))},
	{"int beyond int32", "attemptsCount lt 9999999999", false, cmp(lt, "attemptsCount", int64(9999999999))},
	{"datetime seed", "createdDateTime eq 2021-05-27T21:23:41.9085453Z", false,
		cmp(eq, "createdDateTime", time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC))},
	{"datetime offset", "lastActionDateTime ge 2024-03-04T11:00:42+01:00", false,
		cmp(ge, "lastActionDateTime", time.Date(2024, 3, 4, 10, 0, 42, 0, time.UTC))},
	{"datetime negative offset", "createdDateTime lt 2024-03-04T05:00:00-05:00", false,
		cmp(lt, "createdDateTime", time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC))},
	{"datetime without seconds", "createdDateTime le 2024-03-04T10:00Z", false,
		cmp(le, "createdDateTime", time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC))},
	{"datetime lower-case t and z", "createdDateTime le 2024-03-04t10:00:00.5z", false,
		cmp(le, "createdDateTime", time.Date(2024, 3, 4, 10, 0, 0, 500000000, time.UTC))},
	{"beta-only property on beta", "values eq '[]'", true, cmp(eq, "values", "[]")},
	{"case-insensitive keywords and names", "STATUS EQ 'failed' AND Id Eq 'b'", false, and(a, b)},
	{"and binds tighter than or", "status eq 'failed' or id eq 'b' and attemptsCount eq 3", false, or(a, and(b, c))},
	{"and before or", "status eq 'failed' and id eq 'b' or attemptsCount eq 3", false, or(and(a, b), c)},
	{"parentheses", "(status eq 'failed' or id eq 'b') and attemptsCount eq 3", false, and(or(a, b), c)},
	{"or is left-associative", "status eq 'failed' or id eq 'b' or attemptsCount eq 3", false, or(or(a, b), c)},
	{"and is left-associative", "status eq 'failed' and id eq 'b' and attemptsCount eq 3", false, and(and(a, b), c)},
	{"not", "not status eq 'failed'", false, not(a)},
	{"not binds tighter than and", "not status eq 'failed' and id eq 'b'", false, and(not(a), b)},
	{"not parenthesized", "not (status eq 'failed' or id eq 'b')", false, not(or(a, b))},
	{"not without space", "not(status eq 'failed')", false, not(a)},
	{"double not", "not not status eq 'failed'", false, not(not(a))},
	{"nested parentheses", "((status eq 'failed'))", false, a},
	{"no spaces around parentheses", "(status eq 'failed')and(id eq 'b')", false, and(a, b)},
	{"mirrored eq", "'failed' eq status", false, a},
	{"mirrored lt", "5 lt attemptsCount", false, cmp(gt, "attemptsCount", int64(5))},
	{"mirrored le", "5 le attemptsCount", false, cmp(ge, "attemptsCount", int64(5))},
	{"mirrored gt", "5 gt attemptsCount", false, cmp(lt, "attemptsCount", int64(5))},
	{"mirrored ge", "5 ge attemptsCount", false, cmp(le, "attemptsCount", int64(5))},
	{"mirrored ne", "null ne targetResourceId", false, cmp(ne, "targetResourceId", nil)},
	{"mirrored datetime", "2024-01-01T00:00:00Z lt createdDateTime", false,
		cmp(gt, "createdDateTime", time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))},
	{"tabs and extra spaces", "\t status  eq\t'failed'  ", false, a},
}

func TestParseFilter(t *testing.T) {
	for _, tt := range filterTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(tt.filter, props, tt.beta)
			if err != nil {
				t.Fatalf("ParseFilter(%q): %v", tt.filter, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseFilter(%q)\n got %s\nwant %s", tt.filter, formatFilter(got), formatFilter(tt.want))
			}
		})
	}
}

var filterErrorTests = []struct {
	name, filter string
	beta         bool
	message      string
}{
	{"empty", "", false, "The $filter query option requires an expression."},
	{"blank", "  ", false, "The $filter query option requires an expression."},
	{"too long", "id eq '" + strings.Repeat("x", MaxFilterLength) + "'", false, "The $filter query option is longer than 4096 characters."},
	{"too deep parentheses", strings.Repeat("(", 33) + "id eq 'x'" + strings.Repeat(")", 33), false,
		"The $filter expression is nested more than 32 levels deep."},
	{"too deep not", strings.Repeat("not ", 33) + "id eq 'x'", false, "The $filter expression is nested more than 32 levels deep."},
	{"missing value", "status eq", false, "Syntax error at position 9 in 'status eq'."},
	{"missing operator", "status", false, "Syntax error at position 6 in 'status'."},
	{"unknown operator", "status is 'failed'", false, "Syntax error at position 7 in 'status is 'failed''."},
	{"trailing token", "status eq 'failed' id", false, "Syntax error at position 19 in 'status eq 'failed' id'."},
	{"dangling and", "status eq 'failed' and", false, "Syntax error at position 22 in 'status eq 'failed' and'."},
	{"unbalanced open", "(status eq 'failed'", false, "Syntax error at position 19 in '(status eq 'failed''."},
	{"unbalanced close", "status eq 'failed')", false, "Syntax error at position 18 in 'status eq 'failed')'."},
	{"empty parentheses", "()", false, "Syntax error at position 1 in '()'."},
	{"keyword as operand", "and eq 'x'", false, "Syntax error at position 0 in 'and eq 'x''."},
	{"stray character", "id eq 'x' & id eq 'y'", false, "Syntax error at position 10 in 'id eq 'x' & id eq 'y''."},
	{"unterminated string", "id eq 'abc", false, "There is an unterminated string literal at position 6 in 'id eq 'abc'."},
	{"decimal", "attemptsCount eq 1.5", false, "Syntax error at position 17 in 'attemptsCount eq 1.5'."},
	{"unquoted guid", "id eq 2432b57b-0abd", false, "Syntax error at position 6 in 'id eq 2432b57b-0abd'."},
	{"int out of range", "attemptsCount eq 99999999999999999999", false,
		"The integer literal '99999999999999999999' at position 17 in 'attemptsCount eq 99999999999999999999' is out of range."},
	{"bad date", "createdDateTime eq 2024-13-01T00:00:00Z", false,
		"Unrecognized 'Edm.DateTimeOffset' literal '2024-13-01T00:00:00Z' at '19' in 'createdDateTime eq 2024-13-01T00:00:00Z'."},
	{"date without zone", "createdDateTime eq 2024-01-01T00:00:00", false,
		"Unrecognized 'Edm.DateTimeOffset' literal '2024-01-01T00:00:00' at '19' in 'createdDateTime eq 2024-01-01T00:00:00'."},
	{"date with 8 fractional digits", "createdDateTime eq 2024-01-01T00:00:00.12345678Z", false, ""},
	{"date only", "createdDateTime eq 2024-01-01", false, ""},
	{"day out of range", "createdDateTime eq 2024-02-30T00:00:00Z", false, ""},
	{"leap second", "createdDateTime eq 2024-06-30T23:59:60Z", false, ""},
	{"offset hour out of range", "createdDateTime eq 2024-01-01T00:00:00+24:00", false, ""},
	{"year 0", "createdDateTime eq 0000-06-01T00:00:00Z", false, ""},
	{"before year 1 in UTC", "createdDateTime eq 0001-01-01T00:30:00+01:00", false, ""},
	{"after year 9999 in UTC", "createdDateTime eq 9999-12-31T23:30:00-01:00", false, ""},
	{"plus decoded to space", "createdDateTime eq 2024-03-04T11:00:00 01:00", false, ""},
	{"negation", "attemptsCount eq -attemptsCount", false, "The negation operator '-' is not supported in $filter."},
	{"unknown property", "foo eq 'x'", false, "Could not find a property named 'foo' on type 'microsoft.graph.teamsAsyncOperation'."},
	{"beta-only property on v1.0", "values eq 'x'", false, "Could not find a property named 'values' on type 'microsoft.graph.teamsAsyncOperation'."},
	{"not filterable", "error eq null", false, "The property 'error' cannot be used in the $filter query option."},
	{"function startswith", "startswith(id,'x')", false, "The function 'startswith' is not supported in $filter."},
	{"function contains", "contains(id, 'x')", false, "The function 'contains' is not supported in $filter."},
	{"function on right", "'x' eq tolower(id)", false, "The function 'tolower' is not supported in $filter."},
	{"has", "status has 'failed'", false, "The 'has' operator is not supported in $filter."},
	{"in", "status in ('failed','succeeded')", false, "The 'in' operator is not supported in $filter."},
	{"add", "attemptsCount add 1 eq 2", false, "The arithmetic operator 'add' is not supported in $filter."},
	{"sub", "attemptsCount sub 1 eq 2", false, "The arithmetic operator 'sub' is not supported in $filter."},
	{"lambda", "values/any(v:v eq 'x')", true, "Property paths and lambda operators (any, all) are not supported in $filter: 'values/any'."},
	{"property path", "error/code eq 'x'", false, "Property paths and lambda operators (any, all) are not supported in $filter: 'error/code'."},
	{"two properties", "id eq targetResourceId", false, "Comparing two properties is not supported in $filter."},
	{"two literals", "1 eq 1", false, "A comparison in $filter must have a property on one side: '1 eq 1'."},
	{"string vs int", "id eq 5", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Int32' for operator kind 'Equal'."},
	{"string vs enum literal", "id eq microsoft.graph.teamsAsyncOperationStatus'failed'", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'microsoft.graph.teamsAsyncOperationStatus' for operator kind 'Equal'."},
	{"string vs boolean", "id ne true", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.String' and 'Edm.Boolean' for operator kind 'NotEqual'."},
	{"int vs string", "attemptsCount gt '1'", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.Int32' and 'Edm.String' for operator kind 'GreaterThan'."},
	{"int vs int64 datetime", "attemptsCount lt 2024-01-01T00:00:00Z", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.Int32' and 'Edm.DateTimeOffset' for operator kind 'LessThan'."},
	{"datetime vs quoted string", "createdDateTime ge '2024-01-01T00:00:00Z'", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.String' for operator kind 'GreaterThanOrEqual'."},
	{"datetime vs int", "createdDateTime le 5000000000", false,
		"A binary operator with incompatible types was detected. Found operand types 'Edm.DateTimeOffset' and 'Edm.Int64' for operator kind 'LessThanOrEqual'."},
	{"enum unknown member", "status eq 'done'", false, "The string 'done' is not a valid enumeration type constant."},
	{"enum wrong case", "status eq 'Failed'", false, "The string 'Failed' is not a valid enumeration type constant."},
	{"enum qualified unknown member", "status eq microsoft.graph.teamsAsyncOperationStatus'done'", false,
		"The string 'done' is not a valid enumeration type constant."},
	{"enum beta-only member on v1.0", "operationType eq 'createChat'", false, "The string 'createChat' is not a valid enumeration type constant."},
	{"enum vs int", "status eq 1", false, "The value '1' is not a valid enumeration type constant."},
	{"enum ordering", "status gt 'failed'", false, "The operator 'gt' cannot be applied to the enumeration property 'status'."},
	{"enum mirrored ordering", "'failed' le status", false, "The operator 'ge' cannot be applied to the enumeration property 'status'."},
	{"null ordering", "targetResourceId gt null", false, "The operator 'gt' cannot be applied to null in $filter."},
	{"nul byte", "id eq 'a\x00'", false, errSyntax},
	{"invalid utf-8", "id eq '\xff'", false, errSyntax},
	{"nul byte beyond the length limit", "id eq '\x00" + strings.Repeat("x", MaxFilterLength) + "'", false, errSyntax},
}

func TestParseFilterErrors(t *testing.T) {
	for _, tt := range filterErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFilter(tt.filter, props, tt.beta)
			if err == nil {
				t.Fatalf("ParseFilter(%q) = %s, want an error", tt.filter, formatFilter(got))
			}
			wantInvalid(t, err, tt.message)
		})
	}
}

// TestParseFilterDepthLimit checks that exactly MaxFilterDepth levels pass.
func TestParseFilterDepthLimit(t *testing.T) {
	f := strings.Repeat("(", MaxFilterDepth) + "id eq 'x'" + strings.Repeat(")", MaxFilterDepth)
	if _, err := ParseFilter(f, props, false); err != nil {
		t.Errorf("%d levels: %v", MaxFilterDepth, err)
	}
	f = strings.Repeat("not ", MaxFilterDepth) + "id eq 'x'"
	if _, err := ParseFilter(f, props, false); err != nil {
		t.Errorf("%d nots: %v", MaxFilterDepth, err)
	}
}

// TestParseStartsWith: startswith(property, 'prefix') where the resource
// takes it, combined like a comparison; refused elsewhere and malformed.
func TestParseStartsWith(t *testing.T) {
	res := Resource{TypeName: "microsoft.graph.team", Collection: true, Functions: []string{"startswith"},
		Properties: []teamsops.Property{
			{Name: "displayName", Type: teamsops.TypeString, Filterable: true},
			{Name: "createdDateTime", Type: teamsops.TypeDateTimeOffset, Filterable: true},
			{Name: "summary", Type: teamsops.TypeString},
		}}
	starts := &teamsops.Filter{Op: teamsops.FilterStartsWith, Property: "displayName", Value: "A'b"}
	tests := []struct {
		filter string
		want   *teamsops.Filter
	}{
		{"startswith(displayName,'A''b')", starts},
		{"StartsWith( DisplayName , 'A''b' )", starts},
		{"not startswith(displayName,'A''b') and displayName ne 'x'", and(not(starts), cmp(ne, "displayName", "x"))},
		{"(startswith(displayName,'A''b'))", starts},
	}
	for _, tt := range tests {
		q, err := res.Parse("$filter="+url.QueryEscape(tt.filter), false)
		if err != nil || !reflect.DeepEqual(q.Filter, tt.want) {
			t.Errorf("%q: %s, %v", tt.filter, formatFilter(q.Filter), err)
		}
	}
	for _, bad := range []string{
		"startswith(displayName)", "startswith(displayName,1)", "startswith('A',displayName)", "startswith(createdDateTime,'2')",
		"startswith(summary,'x')", "startswith(nickname,'x')", "startswith(displayName,'A') eq true", "startswith(displayName,'A'",
		"endswith(displayName,'A')",
	} {
		if q, err := res.Parse("$filter="+url.QueryEscape(bad), false); err == nil {
			t.Errorf("%q parsed: %s", bad, formatFilter(q.Filter))
		} else {
			wantInvalid(t, err, "")
		}
	}
	if _, err := ParseFilter("startswith(id,'x')", props, false); err == nil {
		t.Error("startswith on operations, which do not take it, parsed")
	}
}
