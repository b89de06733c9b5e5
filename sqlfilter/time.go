package sqlfilter

import (
	"math"
	"time"

	"github.com/teamsops/teamsops"
)

// zeroNanos stands for the zero time.Time, which Unix nanoseconds cannot
// express; it sorts before every other stored time, as the zero time does.
const zeroNanos = math.MinInt64

var (
	minTime = time.Unix(0, math.MinInt64+1).UTC()
	maxTime = time.Unix(0, math.MaxInt64).UTC()
)

// EncodeTime returns t as the SQL stores keep it: Unix nanoseconds, which
// hold Graph's 7 fractional digits exactly. The zero time is kept too; any
// other time outside 1677–2262 is an EINVALID error.
func EncodeTime(t time.Time) (int64, error) {
	if t.IsZero() {
		return zeroNanos, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return 0, teamsops.Errorf(teamsops.EINVALID, "The time '%s' is out of range.", t.Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

// DecodeTime returns the UTC time EncodeTime stored as n.
func DecodeTime(n int64) time.Time {
	if n == zeroNanos {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// outOfRange compares a time column with a filter time no row can hold
// (say 9999-12-31). Every stored time but the zero time lies on one side of
// it, so the comparison reduces to "is the zero time" or a constant.
func (b *builder) outOfRange(op teamsops.FilterOp, col column, t time.Time) string {
	others := 1 // stored times are after t
	if t.After(maxTime) {
		others = -1
	}
	forZero, forOthers := holds(op, time.Time{}.Compare(t)), holds(op, others)
	switch {
	case forZero == forOthers:
		return constant(forZero)
	case forZero:
		return col.name + " = " + b.bind(int64(zeroNanos))
	}
	return col.name + " <> " + b.bind(int64(zeroNanos))
}

// holds applies an ordering operator to the result of a three-way compare.
func holds(op teamsops.FilterOp, c int) bool {
	switch op {
	case teamsops.FilterEq:
		return c == 0
	case teamsops.FilterNe:
		return c != 0
	case teamsops.FilterGt:
		return c > 0
	case teamsops.FilterGe:
		return c >= 0
	case teamsops.FilterLt:
		return c < 0
	case teamsops.FilterLe:
		return c <= 0
	}
	return false
}
