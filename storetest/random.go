package storetest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// testListRandomFilters checks a few hundred generated filter trees against
// Match, to reach combinations no table lists. The seed is fixed, so a
// failure repeats.
func testListRandomFilters(t *testing.T, s teamsops.Store) {
	ops := createFilterOperations(t, s)
	g := filterGen{rnd: rand.New(rand.NewPCG(2021, 5)), ops: ops}
	for range 300 {
		checkFilter(t, s, ops, g.filter(3))
	}
}

type filterGen struct {
	rnd *rand.Rand
	ops []*teamsops.Operation
}

var filterProps = []string{
	"id", "operationType", "createdDateTime", "status", "lastActionDateTime",
	"attemptsCount", "targetResourceId", "targetResourceLocation", "values",
}

var filterOps = []teamsops.FilterOp{eq, ne, gt, ge, lt, le}

// filter returns a random tree at most depth levels deep.
func (g *filterGen) filter(depth int) *teamsops.Filter {
	if depth > 0 {
		switch g.rnd.IntN(5) {
		case 0:
			return and(g.filter(depth-1), g.filter(depth-1))
		case 1:
			return or(g.filter(depth-1), g.filter(depth-1))
		case 2:
			return not(g.filter(depth - 1))
		}
	}
	prop := filterProps[g.rnd.IntN(len(filterProps))]
	return cmpf(filterOps[g.rnd.IntN(len(filterOps))], prop, g.value(prop))
}

// value mostly returns a value some operation holds, so eq can match;
// else null, a value between or beyond the stored ones, or, rarely, a
// value of another type.
func (g *filterGen) value(prop string) any {
	switch g.rnd.IntN(10) {
	case 0:
		return nil
	case 1:
		return []any{"19:m", int64(2), filterBase}[g.rnd.IntN(3)]
	case 2, 3:
		return g.near(prop)
	}
	v := g.ops[g.rnd.IntN(len(g.ops))].PropertyValue(prop)
	if v == nil {
		return g.near(prop)
	}
	return v
}

// near returns a value of prop's type that no operation need hold.
func (g *filterGen) near(prop string) any {
	switch prop {
	case "createdDateTime", "lastActionDateTime":
		return []time.Time{
			filterBase.Add(time.Duration(g.rnd.IntN(30)) * 45 * time.Minute),
			filterBase.Add(-time.Nanosecond * 100),
			{},
			graphTime("9999-12-31T23:59:59.9999999Z"),
			graphTime("0001-01-01T00:00:00.0000001Z"),
		}[g.rnd.IntN(5)]
	case "attemptsCount":
		return int64(g.rnd.IntN(8) - 1)
	}
	return []string{"", "19:", "Op-2", "op-2", "x", "{\"n\":3", "/chats('19:m", "inProgress", "createTeam"}[g.rnd.IntN(9)]
}
