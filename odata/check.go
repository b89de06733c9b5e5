package odata

import (
	"math"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// operand is one side of a comparison: a property, or a literal token. The
// literals null, true and false are tokName tokens with lower-case text.
type operand struct {
	prop *teamsops.Property
	lit  token
	call *teamsops.Filter // a Boolean function call, such as startswith
}

// reserved are the words of OData's expression syntax; they are never
// property names.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "eq": true, "ne": true, "gt": true,
	"ge": true, "lt": true, "le": true, "has": true, "in": true, "add": true,
	"sub": true, "mul": true, "div": true, "divby": true, "mod": true,
}

func (p *parser) parseOperand() (operand, error) {
	t := p.tok
	switch t.kind {
	case tokString, tokEnum, tokInt, tokDateTime:
		return operand{lit: t}, p.advance()
	case tokName:
		return p.parseNameOperand()
	}
	return operand{}, syntaxError(p.lx.src, t.pos)
}

// parseNameOperand reads a keyword literal or a filterable property.
func (p *parser) parseNameOperand() (operand, error) {
	t := p.tok
	if err := p.advance(); err != nil {
		return operand{}, err
	}
	lower := toLowerASCII(t.text)
	switch {
	case lower == "null" || lower == "true" || lower == "false":
		t.text = lower
		return operand{lit: t}, nil
	case reserved[lower]:
		return operand{}, syntaxError(p.lx.src, t.pos)
	case strings.Contains(t.text, "/"):
		return operand{}, invalid("Property paths and lambda operators (any, all) are not supported in $filter: '%s'.", t.text)
	case p.tok.kind == tokLParen && lower == "startswith" && slices.Contains(p.functions, lower):
		call, err := p.parseStartsWith()
		return operand{call: call}, err
	case p.tok.kind == tokLParen:
		return operand{}, invalid("The function '%s' is not supported in $filter.", t.text)
	}
	prop, ok := lookupProperty(p.props, t.text, p.beta)
	if !ok {
		return operand{}, unknownProperty(t.text, p.typeName)
	}
	if !prop.Filterable {
		// OData's message for properties marked not filterable.
		return operand{}, invalid("The property '%s' cannot be used in the $filter query option.", prop.Name)
	}
	return operand{prop: &prop}, nil
}

// parseStartsWith reads "(property, 'prefix')" after startswith: a
// filterable string property and a string literal.
func (p *parser) parseStartsWith() (*teamsops.Filter, error) {
	if err := p.advance(); err != nil { // (
		return nil, err
	}
	name := p.tok
	if name.kind != tokName {
		return nil, syntaxError(p.lx.src, name.pos)
	}
	prop, ok := lookupProperty(p.props, name.text, p.beta)
	switch {
	case !ok:
		return nil, unknownProperty(name.text, p.typeName)
	case !prop.Filterable || prop.Type != teamsops.TypeString:
		return nil, invalid("The property '%s' cannot be used in startswith.", prop.Name)
	}
	var prefix token
	for _, want := range []tokenKind{tokComma, tokString, tokRParen} {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != want {
			return nil, syntaxError(p.lx.src, p.tok.pos)
		}
		if want == tokString {
			prefix = p.tok
		}
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	return &teamsops.Filter{Op: teamsops.FilterStartsWith, Property: prop.Name, Value: prefix.str}, nil
}

// comparison builds a comparison node with the property on the left.
func (p *parser) comparison(left operand, op teamsops.FilterOp, right operand) (*teamsops.Filter, error) {
	switch {
	case left.prop != nil && right.prop != nil:
		return nil, invalid("Comparing two properties is not supported in $filter.")
	case left.prop == nil && right.prop == nil:
		return nil, invalid("A comparison in $filter must have a property on one side: '%s %s %s'.", left.lit.text, op, right.lit.text)
	}
	prop, lit := left.prop, right.lit
	if prop == nil {
		prop, lit, op = right.prop, left.lit, mirror(op)
	}
	value, err := p.value(*prop, op, lit)
	if err != nil {
		return nil, err
	}
	return &teamsops.Filter{Op: op, Property: prop.Name, Value: value}, nil
}

// mirror turns "literal op property" into "property op' literal".
func mirror(op teamsops.FilterOp) teamsops.FilterOp {
	switch op {
	case teamsops.FilterGt:
		return teamsops.FilterLt
	case teamsops.FilterGe:
		return teamsops.FilterLe
	case teamsops.FilterLt:
		return teamsops.FilterGt
	case teamsops.FilterLe:
		return teamsops.FilterGe
	}
	return op
}

// value type-checks a literal against a property and returns it in the
// Go type teamsops.Filter documents: string, int64, time.Time or nil.
func (p *parser) value(prop teamsops.Property, op teamsops.FilterOp, lit token) (any, error) {
	if lit.kind == tokName && lit.text == "null" {
		if op != teamsops.FilterEq && op != teamsops.FilterNe {
			return nil, invalid("The operator '%s' cannot be applied to null in $filter.", op)
		}
		return nil, nil
	}
	switch prop.Type {
	case teamsops.TypeString:
		if lit.kind == tokString {
			return lit.str, nil
		}
	case teamsops.TypeEnum:
		return p.enumValue(prop, op, lit)
	case teamsops.TypeInt32:
		if lit.kind == tokInt {
			return lit.num, nil
		}
	case teamsops.TypeDateTimeOffset:
		if lit.kind == tokDateTime {
			return lit.time, nil
		}
	}
	return nil, invalid("A binary operator with incompatible types was detected. Found operand types '%s' and '%s' for operator kind '%s'.",
		edmType(prop.Type), literalType(lit), operatorKind[op])
}

// enumValue checks an enum comparison. Members match case-sensitively, as
// Graph's enum parsing does; on v1.0 only members v1.0 defines exist.
// Ordering an evolvable enum is refused: its member order is not a contract.
func (p *parser) enumValue(prop teamsops.Property, op teamsops.FilterOp, lit token) (any, error) {
	if lit.kind != tokString && lit.kind != tokEnum {
		return nil, invalid("The value '%s' is not a valid enumeration type constant.", lit.text)
	}
	if op != teamsops.FilterEq && op != teamsops.FilterNe {
		return nil, invalid("The operator '%s' cannot be applied to the enumeration property '%s'.", op, prop.Name)
	}
	m, ok := teamsops.LookupEnumMember(prop.Enum, lit.str)
	if !ok || (!p.beta && !m.InV1) {
		return nil, invalid("The string '%s' is not a valid enumeration type constant.", clip(lit.str))
	}
	return m.Name, nil
}

// operatorKind names operators as OData's type errors do.
var operatorKind = map[teamsops.FilterOp]string{
	teamsops.FilterEq: "Equal", teamsops.FilterNe: "NotEqual",
	teamsops.FilterGt: "GreaterThan", teamsops.FilterGe: "GreaterThanOrEqual",
	teamsops.FilterLt: "LessThan", teamsops.FilterLe: "LessThanOrEqual",
}

func edmType(t teamsops.PropertyType) string {
	switch t {
	case teamsops.TypeString:
		return "Edm.String"
	case teamsops.TypeInt32:
		return "Edm.Int32"
	case teamsops.TypeDateTimeOffset:
		return "Edm.DateTimeOffset"
	}
	return "Edm.ComplexType"
}

// literalType names a literal's type as OData infers it: an integer that
// fits Edm.Int32 is one, a larger one is Edm.Int64.
func literalType(lit token) string {
	switch lit.kind {
	case tokString:
		return "Edm.String"
	case tokEnum:
		name, _, _ := strings.Cut(lit.text, "'")
		return name
	case tokInt:
		if lit.num >= math.MinInt32 && lit.num <= math.MaxInt32 {
			return "Edm.Int32"
		}
		return "Edm.Int64"
	case tokDateTime:
		return "Edm.DateTimeOffset"
	}
	return "Edm.Boolean" // true or false
}
