package teamsops

import (
	"strings"
	"time"
)

// PropertyType is the EDM type of a resource property, as far as query
// options need to know it.
type PropertyType int

// Property types used by teamsAsyncOperation.
const (
	TypeString PropertyType = iota
	TypeInt32
	TypeDateTimeOffset
	TypeEnum
	TypeComplex
)

// Property describes one property of a resource type: its Graph name, its
// type, the enum it draws from, and whether v1.0 has it (beta has all).
type Property struct {
	Name       string
	Type       PropertyType
	Enum       []EnumMember
	BetaOnly   bool
	Filterable bool
}

// OperationProperties are teamsAsyncOperation's properties in the order the
// seed's example response shows them. "values" is beta only.
var OperationProperties = []Property{
	{Name: "id", Type: TypeString, Filterable: true},
	{Name: "operationType", Type: TypeEnum, Enum: OperationTypes, Filterable: true},
	{Name: "createdDateTime", Type: TypeDateTimeOffset, Filterable: true},
	{Name: "status", Type: TypeEnum, Enum: OperationStatuses, Filterable: true},
	{Name: "lastActionDateTime", Type: TypeDateTimeOffset, Filterable: true},
	{Name: "attemptsCount", Type: TypeInt32, Filterable: true},
	{Name: "targetResourceId", Type: TypeString, Filterable: true},
	{Name: "targetResourceLocation", Type: TypeString, Filterable: true},
	{Name: "values", Type: TypeString, BetaOnly: true, Filterable: true},
	{Name: "error", Type: TypeComplex},
}

// FilterOp is an operator of a $filter expression.
type FilterOp string

// $filter operators: comparisons take a property and a value; "and" and
// "or" take Left and Right; "not" takes Left.
const (
	FilterEq  FilterOp = "eq"
	FilterNe  FilterOp = "ne"
	FilterGt  FilterOp = "gt"
	FilterGe  FilterOp = "ge"
	FilterLt  FilterOp = "lt"
	FilterLe  FilterOp = "le"
	FilterAnd FilterOp = "and"
	FilterOr  FilterOp = "or"
	FilterNot FilterOp = "not"
	// FilterStartsWith is OData's startswith(property, 'prefix'), which
	// only the lists that document it take (odata.Resource.Functions).
	FilterStartsWith FilterOp = "startswith"
)

// Filter is a parsed, type-checked $filter expression over a resource's
// properties. In a comparison, Value is a string (string and enum
// properties), an int64 (Int32), a time.Time (DateTimeOffset), or nil (null).
type Filter struct {
	Op       FilterOp
	Left     *Filter
	Right    *Filter
	Property string
	Value    any
}

// IsComparison reports whether f compares a property with a value.
func (f *Filter) IsComparison() bool {
	switch f.Op {
	case FilterAnd, FilterOr, FilterNot:
		return false
	}
	return true
}

// Match reports whether op satisfies f. A nil filter matches everything.
// Stores may translate filters to their query language instead; Match is
// the reference they are tested against.
func (f *Filter) Match(op *Operation) bool { return f.MatchFunc(op.PropertyValue) }

// MatchFunc reports whether a resource satisfies f, value giving its
// properties in the types Filter uses (nil for null). A nil filter
// matches everything. Lists filtered in memory (chats, teams) use it.
func (f *Filter) MatchFunc(value func(name string) any) bool {
	if f == nil {
		return true
	}
	switch f.Op {
	case FilterAnd:
		return f.Left.MatchFunc(value) && f.Right.MatchFunc(value)
	case FilterOr:
		return f.Left.MatchFunc(value) || f.Right.MatchFunc(value)
	case FilterNot:
		return !f.Left.MatchFunc(value)
	case FilterStartsWith:
		// Directory string comparisons ignore case in Graph.
		s, ok := value(f.Property).(string)
		prefix, _ := f.Value.(string)
		return ok && strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
	}
	return compare(f.Op, value(f.Property), f.Value)
}

// PropertyValue returns the value of a filterable property of op, in the
// types Filter uses; nil for null or an unknown name.
func (op *Operation) PropertyValue(name string) any {
	switch name {
	case "id":
		return op.ID
	case "operationType":
		return string(op.Type)
	case "createdDateTime":
		return op.CreatedDateTime
	case "status":
		return string(op.Status)
	case "lastActionDateTime":
		return op.LastActionDateTime
	case "attemptsCount":
		return int64(op.AttemptsCount)
	case "targetResourceId":
		return nullable(op.TargetResourceID)
	case "targetResourceLocation":
		return nullable(op.TargetResourceLocation)
	case "values":
		return nullable(op.Values)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// compare applies a comparison operator. Null equals only null, and every
// ordering comparison with null is false, as in OData.
func compare(op FilterOp, a, b any) bool {
	if a == nil || b == nil {
		switch op {
		case FilterEq:
			return a == nil && b == nil
		case FilterNe:
			return (a == nil) != (b == nil)
		}
		return false
	}
	c, ok := order(a, b)
	if !ok {
		return op == FilterNe
	}
	switch op {
	case FilterEq:
		return c == 0
	case FilterNe:
		return c != 0
	case FilterGt:
		return c > 0
	case FilterGe:
		return c >= 0
	case FilterLt:
		return c < 0
	case FilterLe:
		return c <= 0
	}
	return false
}

// order compares two values of the same type: -1, 0 or 1.
func order(a, b any) (int, bool) {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		if !ok {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case int64:
		y, ok := b.(int64)
		if !ok {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	}
	return 0, false
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}
