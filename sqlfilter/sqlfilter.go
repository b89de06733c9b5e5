// Package sqlfilter translates a teamsops.Filter over operations into a SQL
// boolean expression with bound parameters, so every SQL store answers
// $filter exactly as teamsops.Filter.Match does.
//
// It assumes the operations table of the SQL stores: the column names below,
// times kept as Unix nanoseconds (EncodeTime), absent optional text kept as
// NULL, and strings compared bytewise (SQLite's BINARY collation; COLLATE "C"
// in PostgreSQL). The SQL it writes is valid in both SQLite and PostgreSQL.
package sqlfilter

import (
	"fmt"
	"time"

	"github.com/teamsops/teamsops"
)

type kind int

const (
	kindString kind = iota
	kindInt
	kindTime
)

type column struct {
	name     string
	kind     kind
	nullable bool
}

// columns whitelists the filterable properties of teamsAsyncOperation; only
// these names ever reach SQL text.
var columns = map[string]column{
	"id":                     {"id", kindString, false},
	"operationType":          {"operation_type", kindString, false},
	"createdDateTime":        {"created_at", kindTime, false},
	"status":                 {"status", kindString, false},
	"lastActionDateTime":     {"last_action_at", kindTime, false},
	"attemptsCount":          {"attempts_count", kindInt, false},
	"targetResourceId":       {"target_resource_id", kindString, true},
	"targetResourceLocation": {"target_resource_location", kindString, true},
	"values":                 {"values_json", kindString, true},
}

var sqlOps = map[teamsops.FilterOp]string{
	teamsops.FilterEq: "=",
	teamsops.FilterNe: "<>",
	teamsops.FilterGt: ">",
	teamsops.FilterGe: ">=",
	teamsops.FilterLt: "<",
	teamsops.FilterLe: "<=",
}

// Where returns a SQL boolean expression that holds for exactly the rows
// f.Match accepts, and the arguments it binds. placeholder(n) writes the
// marker of the n-th argument (1-based): "?" for SQLite, "$n" shifted past
// the query's other arguments for PostgreSQL. A nil filter is "TRUE".
// An unknown property or a malformed tree is an EINVALID error.
//
// Every comparison is written so that it never yields SQL NULL, so NOT, AND
// and OR behave as Match's two-valued logic does.
func Where(f *teamsops.Filter, placeholder func(n int) string) (string, []any, error) {
	if f == nil {
		return "TRUE", nil, nil
	}
	b := builder{placeholder: placeholder}
	s, err := b.expr(f)
	if err != nil {
		return "", nil, err
	}
	return s, b.args, nil
}

type builder struct {
	placeholder func(n int) string
	args        []any
}

func (b *builder) bind(v any) string {
	b.args = append(b.args, v)
	return b.placeholder(len(b.args))
}

func (b *builder) expr(f *teamsops.Filter) (string, error) {
	if f == nil {
		return "", teamsops.Errorf(teamsops.EINVALID, "Invalid filter clause: missing operand.")
	}
	switch f.Op {
	case teamsops.FilterAnd, teamsops.FilterOr:
		l, err := b.expr(f.Left)
		if err != nil {
			return "", err
		}
		r, err := b.expr(f.Right)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(%s %s %s)", l, sqlLogic(f.Op), r), nil
	case teamsops.FilterNot:
		l, err := b.expr(f.Left)
		if err != nil {
			return "", err
		}
		return "(NOT " + l + ")", nil
	}
	return b.comparison(f)
}

func sqlLogic(op teamsops.FilterOp) string {
	if op == teamsops.FilterAnd {
		return "AND"
	}
	return "OR"
}

// comparison mirrors teamsops' compare: null equals only null, ordering
// with null is false, and values of another type are only "ne".
func (b *builder) comparison(f *teamsops.Filter) (string, error) {
	col, ok := columns[f.Property]
	if !ok {
		return "", teamsops.Errorf(teamsops.EINVALID, "Could not find a property named '%s' on type 'microsoft.graph.teamsAsyncOperation'.", f.Property)
	}
	op, ok := sqlOps[f.Op]
	if !ok {
		return "", teamsops.Errorf(teamsops.EINVALID, "Invalid filter operator '%s'.", f.Op)
	}
	switch {
	case f.Value == nil:
		return nullComparison(f.Op, col), nil
	case !col.accepts(f.Value):
		return constant(f.Op == teamsops.FilterNe), nil
	}
	v := f.Value
	if t, isTime := v.(time.Time); isTime {
		n, err := EncodeTime(t)
		if err != nil {
			return b.outOfRange(f.Op, col, t), nil
		}
		v = n
	}
	s := fmt.Sprintf("%s %s %s", col.name, op, b.bind(v))
	if !col.nullable {
		return s, nil
	}
	// NULL op value is NULL in SQL; Match says true for ne, false otherwise.
	return fmt.Sprintf("COALESCE(%s, %s)", s, constant(f.Op == teamsops.FilterNe)), nil
}

func (c column) accepts(v any) bool {
	switch v.(type) {
	case string:
		return c.kind == kindString
	case int64:
		return c.kind == kindInt
	case time.Time:
		return c.kind == kindTime
	}
	return false
}

func nullComparison(op teamsops.FilterOp, col column) string {
	switch {
	case op == teamsops.FilterEq && col.nullable:
		return col.name + " IS NULL"
	case op == teamsops.FilterNe && col.nullable:
		return col.name + " IS NOT NULL"
	}
	return constant(op == teamsops.FilterNe)
}

func constant(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}
