package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

var filterBase = graphTime("2024-02-29T08:15:30.1234567Z")

// filterOperations is a varied set of operations of tenant A's chat:
// every type and status, shared creation times, a zero time, attempts 0–4,
// and null and non-null targets and values.
func filterOperations() []*teamsops.Operation {
	targets := []string{"", "19:aaa@thread.v2", teamID, "19:zzz@thread.v2"}
	ops := make([]*teamsops.Operation, 48)
	for i := range ops {
		created := filterBase.Add(time.Duration(i%16)*90*time.Minute + time.Duration(i*7)*100*time.Nanosecond)
		if i >= 32 {
			created = filterBase.Add(time.Duration(i%16) * 90 * time.Minute) // ties with i-16's minute
		}
		op := &teamsops.Operation{
			ID:       []string{"op", "Op", "x"}[i%3] + fmt.Sprintf("-%02d", i),
			TenantID: tenantA, Resource: chatRef,
			Type:               teamsops.OperationType(teamsops.OperationTypes[i%len(teamsops.OperationTypes)].Name),
			Status:             teamsops.OperationStatus(teamsops.OperationStatuses[(i/2)%len(teamsops.OperationStatuses)].Name),
			CreatedDateTime:    created,
			LastActionDateTime: created.Add(time.Duration(i) * time.Second),
			AttemptsCount:      i % 5,
			TargetResourceID:   targets[i%len(targets)],
		}
		if op.TargetResourceID != "" && i%3 != 0 {
			op.TargetResourceLocation = "/chats('" + op.TargetResourceID + "')"
		}
		if i%5 != 2 {
			op.Values = fmt.Sprintf(`{"n":%d}`, i%7)
		}
		if op.Status == teamsops.OperationStatusFailed {
			op.Error = &teamsops.OperationError{Code: "InternalServerError", Message: "Try again."}
		}
		ops[i] = op
	}
	ops[13].LastActionDateTime = time.Time{}
	return ops
}

// createFilterOperations stores filterOperations, plus look-alikes in
// another tenant and another chat that no list of tenant A's chat may show.
func createFilterOperations(t *testing.T, s teamsops.Store) []*teamsops.Operation {
	t.Helper()
	createTenants(t, s)
	ops := filterOperations()
	for _, op := range ops {
		must(t, s.CreateOperation(t.Context(), op))
		other := *op
		other.TenantID = tenantB
		must(t, s.CreateOperation(t.Context(), &other))
		other = *op
		other.ID, other.Resource = "other-"+op.ID, chat2Ref
		must(t, s.CreateOperation(t.Context(), &other))
	}
	slices.SortFunc(ops, func(a, b *teamsops.Operation) int {
		return cmp.Or(a.CreatedDateTime.Compare(b.CreatedDateTime), strings.Compare(a.ID, b.ID))
	})
	return ops
}

func cmpf(op teamsops.FilterOp, prop string, v any) *teamsops.Filter {
	return &teamsops.Filter{Op: op, Property: prop, Value: v}
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
	eq, ne, gt = teamsops.FilterEq, teamsops.FilterNe, teamsops.FilterGt
	ge, lt, le = teamsops.FilterGe, teamsops.FilterLt, teamsops.FilterLe
)

// filterTable covers each property, each operator, null on both kinds of
// column, values of another type, not over null comparisons, and nesting.
func filterTable() map[string]*teamsops.Filter {
	t5 := filterBase.Add(5 * 90 * time.Minute)
	table := comparisonFilters(t5)
	maps.Copy(table, treeFilters(t5))
	return table
}

func comparisonFilters(t5 time.Time) map[string]*teamsops.Filter {
	exact := filterBase.Add(3*90*time.Minute + 21*100*time.Nanosecond) // op 3's, to the 100ns
	return map[string]*teamsops.Filter{
		"none":                          nil,
		"status eq":                     cmpf(eq, "status", "succeeded"),
		"status ne":                     cmpf(ne, "status", "failed"),
		"status lt":                     cmpf(lt, "status", "notStarted"),
		"operationType eq":              cmpf(eq, "operationType", "createChat"),
		"operationType ge":              cmpf(ge, "operationType", "createChat"),
		"id gt, bytewise":               cmpf(gt, "id", "op-20"),
		"id le":                         cmpf(le, "id", "Op-25"),
		"id eq":                         cmpf(eq, "id", "x-05"),
		"createdDateTime eq, 7 digits":  cmpf(eq, "createdDateTime", exact),
		"createdDateTime ge":            cmpf(ge, "createdDateTime", t5),
		"createdDateTime lt":            cmpf(lt, "createdDateTime", t5),
		"createdDateTime le, 9999":      cmpf(le, "createdDateTime", graphTime("9999-12-31T23:59:59Z")),
		"createdDateTime gt, year 1000": cmpf(gt, "createdDateTime", graphTime("1000-01-01T00:00:00Z")),
		"createdDateTime eq null":       cmpf(eq, "createdDateTime", nil),
		"createdDateTime ne null":       cmpf(ne, "createdDateTime", nil),
		"lastActionDateTime gt":         cmpf(gt, "lastActionDateTime", t5),
		"lastActionDateTime eq zero":    cmpf(eq, "lastActionDateTime", time.Time{}),
		"lastActionDateTime lt 1000":    cmpf(lt, "lastActionDateTime", graphTime("1000-01-01T00:00:00Z")),
		"lastActionDateTime ne 9999":    cmpf(ne, "lastActionDateTime", graphTime("9999-01-01T00:00:00Z")),
		"attemptsCount eq 0":            cmpf(eq, "attemptsCount", int64(0)),
		"attemptsCount gt 2":            cmpf(gt, "attemptsCount", int64(2)),
		"attemptsCount le 1":            cmpf(le, "attemptsCount", int64(1)),
		"attemptsCount ne 3":            cmpf(ne, "attemptsCount", int64(3)),
		"targetResourceId eq null":      cmpf(eq, "targetResourceId", nil),
		"targetResourceId ne null":      cmpf(ne, "targetResourceId", nil),
		"targetResourceId eq":           cmpf(eq, "targetResourceId", teamID),
		"targetResourceId ne":           cmpf(ne, "targetResourceId", teamID),
		"targetResourceId gt":           cmpf(gt, "targetResourceId", "19:b"),
		"targetResourceId lt null":      cmpf(lt, "targetResourceId", nil),
		"targetResourceId ge null":      cmpf(ge, "targetResourceId", nil),
		"targetResourceId eq empty":     cmpf(eq, "targetResourceId", ""),
		"targetResourceId ne empty":     cmpf(ne, "targetResourceId", ""),
		"not targetResourceId eq":       not(cmpf(eq, "targetResourceId", teamID)),
		"not targetResourceId ne":       not(cmpf(ne, "targetResourceId", teamID)),
		"not targetResourceId gt":       not(cmpf(gt, "targetResourceId", "19:b")),
		"not targetResourceId lt null":  not(cmpf(lt, "targetResourceId", nil)),
		"not targetResourceId eq null":  not(cmpf(eq, "targetResourceId", nil)),
		"targetResourceLocation le":     cmpf(le, "targetResourceLocation", "/chats('19:zzz"),
		"not targetResourceLocation ge": not(cmpf(ge, "targetResourceLocation", "/chats('19:b")),
		"values eq null":                cmpf(eq, "values", nil),
		"not values ne null":            not(cmpf(ne, "values", nil)),
		"values eq":                     cmpf(eq, "values", `{"n":3}`),
		"not values eq":                 not(cmpf(eq, "values", `{"n":3}`)),
		"values gt":                     cmpf(gt, "values", `{"n":4}`),
		"not not values gt":             not(not(cmpf(gt, "values", `{"n":4}`))),
		"attemptsCount eq a string":     cmpf(eq, "attemptsCount", "3"),
		"not attemptsCount ne a string": not(cmpf(ne, "attemptsCount", "3")),
		"values ne a number":            cmpf(ne, "values", int64(3)),
		"status gt a time":              cmpf(gt, "status", t5),
	}
}

func treeFilters(t5 time.Time) map[string]*teamsops.Filter {
	return map[string]*teamsops.Filter{
		"and":                  and(cmpf(eq, "status", "failed"), cmpf(ge, "attemptsCount", int64(2))),
		"or":                   or(cmpf(eq, "status", "failed"), cmpf(eq, "targetResourceId", nil)),
		"or of nulls, negated": not(or(cmpf(gt, "values", nil), cmpf(lt, "targetResourceId", "19:b"))),
		"and of not, or":       and(not(cmpf(eq, "values", nil)), or(cmpf(gt, "attemptsCount", int64(3)), cmpf(eq, "status", "inProgress"))),
		"nested deeply": or(
			and(cmpf(lt, "createdDateTime", t5), not(cmpf(ne, "targetResourceLocation", nil))),
			and(not(or(cmpf(eq, "operationType", "createTeam"), cmpf(le, "attemptsCount", int64(1)))),
				cmpf(ne, "values", `{"n":1}`))),
		"contradiction":                  and(cmpf(eq, "targetResourceId", nil), cmpf(ne, "targetResourceId", nil)),
		"tautology through null":         or(cmpf(eq, "values", nil), cmpf(ne, "values", nil)),
		"not of ordering on null column": not(and(cmpf(ge, "values", `{`), cmpf(le, "targetResourceId", "19:zzz@thread.v2"))),
	}
}

func testListFilter(t *testing.T, s teamsops.Store) {
	ops := createFilterOperations(t, s)
	for name, f := range filterTable() {
		t.Run(name, func(t *testing.T) { checkFilter(t, s, ops, f) })
	}
	for _, f := range []*teamsops.Filter{
		cmpf(eq, "nope", "x"),
		cmpf(eq, "error", nil),
		and(cmpf(eq, "status", "failed"), not(cmpf(gt, "unknownProperty", int64(1)))),
	} {
		_, _, err := s.ListOperations(t.Context(), tenantA, chatRef, teamsops.OperationQuery{Filter: f})
		wantCode(t, err, teamsops.EINVALID, "")
	}
}

// checkFilter compares the store's answer for f with teamsops.Filter.Match
// over ops (sorted in list order): the whole list, the count, and a page.
func checkFilter(t *testing.T, s teamsops.Store, ops []*teamsops.Operation, f *teamsops.Filter) {
	t.Helper()
	var want []string
	for _, op := range ops {
		if f.Match(op) {
			want = append(want, op.ID)
		}
	}
	got, n, err := s.ListOperations(t.Context(), tenantA, chatRef, teamsops.OperationQuery{Filter: f, Count: true})
	if err != nil {
		t.Fatalf("filter %s: %v", showFilter(f), err)
	}
	if ids := operationIDs(got); !slices.Equal(ids, want) || n != len(want) {
		t.Fatalf("filter %s:\n got  %d %v\n want %d %v", showFilter(f), n, ids, len(want), want)
	}
	page, _, err := s.ListOperations(t.Context(), tenantA, chatRef, teamsops.OperationQuery{Filter: f, Skip: 2, Top: 3})
	must(t, err)
	wantPage := want[min(2, len(want)):min(5, len(want))]
	if ids := operationIDs(page); !slices.Equal(ids, wantPage) {
		t.Errorf("filter %s, skip 2 top 3: got %v, want %v", showFilter(f), ids, wantPage)
	}
}

func operationIDs(ops []*teamsops.Operation) []string {
	var ids []string
	for _, op := range ops {
		ids = append(ids, op.ID)
	}
	return ids
}

// showFilter writes f in $filter syntax, for failure messages.
func showFilter(f *teamsops.Filter) string {
	switch {
	case f == nil:
		return "(none)"
	case f.Op == teamsops.FilterNot:
		return "not (" + showFilter(f.Left) + ")"
	case !f.IsComparison():
		return "(" + showFilter(f.Left) + " " + string(f.Op) + " " + showFilter(f.Right) + ")"
	}
	switch v := f.Value.(type) {
	case nil:
		return f.Property + " " + string(f.Op) + " null"
	case string:
		return fmt.Sprintf("%s %s '%s'", f.Property, f.Op, v)
	case time.Time:
		return fmt.Sprintf("%s %s %s", f.Property, f.Op, v.Format(time.RFC3339Nano))
	}
	return fmt.Sprintf("%s %s %v", f.Property, f.Op, f.Value)
}
