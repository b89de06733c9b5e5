package sqlfilter

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

func cmpf(op teamsops.FilterOp, prop string, v any) *teamsops.Filter {
	return &teamsops.Filter{Op: op, Property: prop, Value: v}
}

func dollar(n int) string { return fmt.Sprintf("$%d", n+3) } // after three scope arguments

func TestWhere(t *testing.T) {
	when := time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC)
	tests := []struct {
		name string
		f    *teamsops.Filter
		sql  string
		args []any
	}{
		{"no filter", nil, "TRUE", nil},
		{"not null column", cmpf(teamsops.FilterEq, "status", "failed"), "status = $4", []any{"failed"}},
		{"time as nanoseconds", cmpf(teamsops.FilterGe, "createdDateTime", when), "created_at >= $4", []any{when.UnixNano()}},
		{"int", cmpf(teamsops.FilterLt, "attemptsCount", int64(3)), "attempts_count < $4", []any{int64(3)}},
		{"nullable eq", cmpf(teamsops.FilterEq, "values", "x"), "COALESCE(values_json = $4, FALSE)", []any{"x"}},
		{"nullable ne", cmpf(teamsops.FilterNe, "targetResourceId", "x"), "COALESCE(target_resource_id <> $4, TRUE)", []any{"x"}},
		{"eq null", cmpf(teamsops.FilterEq, "targetResourceLocation", nil), "target_resource_location IS NULL", nil},
		{"ne null", cmpf(teamsops.FilterNe, "targetResourceLocation", nil), "target_resource_location IS NOT NULL", nil},
		{"ordering with null", cmpf(teamsops.FilterGt, "values", nil), "FALSE", nil},
		{"null on a column never null", cmpf(teamsops.FilterNe, "id", nil), "TRUE", nil},
		{"another type, eq", cmpf(teamsops.FilterEq, "attemptsCount", "3"), "FALSE", nil},
		{"another type, ne", cmpf(teamsops.FilterNe, "status", int64(3)), "TRUE", nil},
		{"after every stored time", cmpf(teamsops.FilterLt, "createdDateTime", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "TRUE", nil},
		{"before all but the zero time", cmpf(teamsops.FilterLt, "createdDateTime", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)),
			"created_at = $4", []any{int64(zeroNanos)}},
		{"after the zero time", cmpf(teamsops.FilterGt, "lastActionDateTime", time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC)),
			"last_action_at <> $4", []any{int64(zeroNanos)}},
		{"zero time", cmpf(teamsops.FilterEq, "lastActionDateTime", time.Time{}), "last_action_at = $4", []any{int64(zeroNanos)}},
		{"tree", &teamsops.Filter{Op: teamsops.FilterOr,
			Left:  cmpf(teamsops.FilterEq, "id", "a"),
			Right: &teamsops.Filter{Op: teamsops.FilterNot, Left: cmpf(teamsops.FilterLe, "values", "b")}},
			"(id = $4 OR (NOT COALESCE(values_json <= $5, FALSE)))", []any{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args, err := Where(tt.f, dollar)
			if err != nil {
				t.Fatal(err)
			}
			if sql != tt.sql || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("Where = %q %v, want %q %v", sql, args, tt.sql, tt.args)
			}
		})
	}
}

func TestWhereRejects(t *testing.T) {
	tests := map[string]*teamsops.Filter{
		"unknown property":       cmpf(teamsops.FilterEq, "displayName", "x"),
		"property not filtered":  cmpf(teamsops.FilterEq, "error", nil),
		"injection as property":  cmpf(teamsops.FilterEq, "id = id OR 1", "x"),
		"unknown operator":       cmpf("has", "status", "x"),
		"and without right side": {Op: teamsops.FilterAnd, Left: cmpf(teamsops.FilterEq, "id", "a")},
		"not without operand":    {Op: teamsops.FilterNot},
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Where(f, dollar)
			if code := teamsops.ErrorCode(err); code != teamsops.EINVALID {
				t.Errorf("error %v (code %q), want EINVALID", err, code)
			}
		})
	}
}

func TestTime(t *testing.T) {
	for _, s := range []string{"2021-05-27T21:23:41.9085453Z", "1970-01-01T00:00:00Z", "1677-09-21T00:12:43.145224193Z", "2262-04-11T23:47:16.854775807Z"} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		n, err := EncodeTime(want.In(time.FixedZone("X", -7*3600)))
		if err != nil {
			t.Fatalf("EncodeTime(%s): %v", s, err)
		}
		if got := DecodeTime(n); !reflect.DeepEqual(got, want) {
			t.Errorf("round trip of %s: %s", s, got.Format(time.RFC3339Nano))
		}
	}
	if n, err := EncodeTime(time.Time{}); err != nil || !DecodeTime(n).IsZero() {
		t.Errorf("zero time: %d %v", n, err)
	}
	for _, bad := range []time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		if _, err := EncodeTime(bad); teamsops.ErrorCode(err) != teamsops.EINVALID {
			t.Errorf("EncodeTime(%s) = %v, want EINVALID", bad, err)
		}
	}
}
