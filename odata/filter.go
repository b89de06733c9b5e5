package odata

import (
	"strings"

	"github.com/teamsops/teamsops"
)

// Limits that keep parsing, matching and a store's translation of a $filter
// bounded whatever a caller sends.
const (
	// MaxFilterLength is the longest $filter accepted, in bytes after
	// percent-decoding.
	MaxFilterLength = 4096
	// MaxFilterDepth is how deeply parentheses and 'not' may nest.
	MaxFilterDepth = 32
)

// ParseFilter parses a $filter expression (already percent-decoded) and
// type-checks it against props; beta as in ParseQuery. The grammar is the
// part of OData v4.01's that Graph documents for this resource:
//
//	orExpr     := andExpr ('or' andExpr)*
//	andExpr    := unary ('and' unary)*
//	unary      := 'not' unary | primary
//	primary    := '(' orExpr ')' | comparison
//	comparison := property op literal | literal op property
//	op         := eq | ne | gt | ge | lt | le
//
// Keywords, operators and property names are case-insensitive; enum members
// are not. "literal op property" is stored mirrored (5 lt attemptsCount
// becomes attemptsCount gt 5), so a comparison's Property is always on the
// left. Functions, 'has', 'in', lambdas and arithmetic are refused.
func ParseFilter(filter string, props []teamsops.Property, beta bool) (*teamsops.Filter, error) {
	return parseFilter(filter, Resource{TypeName: EntityTypeName, Properties: props}, beta)
}

// parseFilter is ParseFilter on res, with the functions res takes.
func parseFilter(filter string, res Resource, beta bool) (*teamsops.Filter, error) {
	if !clean(filter) {
		return nil, invalid(errSyntax) // as ParseQuery answers for the same bytes
	}
	if len(filter) > MaxFilterLength {
		return nil, invalid("The $filter query option is longer than %d characters.", MaxFilterLength)
	}
	if strings.Trim(filter, " \t") == "" {
		return nil, invalid("The $filter query option requires an expression.")
	}
	p := &parser{lx: lexer{src: filter}, props: res.Properties, beta: beta, typeName: res.TypeName, functions: res.Functions}
	if err := p.advance(); err != nil {
		return nil, err
	}
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, syntaxError(filter, p.tok.pos)
	}
	return f, nil
}

// parser is a recursive-descent parser over a lexer, one token ahead.
type parser struct {
	lx       lexer
	tok      token
	props    []teamsops.Property
	beta     bool
	typeName string
	depth    int
	// functions are the functions the resource takes (Resource.Functions).
	functions []string
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// keyword reports whether the current token is word, in any case.
func (p *parser) keyword(word string) bool {
	return p.tok.kind == tokName && equalFoldASCII(p.tok.text, word)
}

// enter counts one level of nesting and refuses too many, so recursion
// stays bounded.
func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return invalid("The $filter expression is nested more than %d levels deep.", MaxFilterDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

func (p *parser) parseOr() (*teamsops.Filter, error) {
	return p.parseChain("or", teamsops.FilterOr, p.parseAnd)
}

func (p *parser) parseAnd() (*teamsops.Filter, error) {
	return p.parseChain("and", teamsops.FilterAnd, p.parseUnary)
}

// parseChain parses operand (word operand)* into a left-deep tree, which
// gives the left associativity OData specifies.
func (p *parser) parseChain(word string, op teamsops.FilterOp, operand func() (*teamsops.Filter, error)) (*teamsops.Filter, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for p.keyword(word) {
		if err := p.advance(); err != nil {
			return nil, err
		}
		right, err := operand()
		if err != nil {
			return nil, err
		}
		left = &teamsops.Filter{Op: op, Left: left, Right: right}
	}
	return left, nil
}

func (p *parser) parseUnary() (*teamsops.Filter, error) {
	if !p.keyword("not") {
		return p.parsePrimary()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	operand, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &teamsops.Filter{Op: teamsops.FilterNot, Left: operand}, nil
}

func (p *parser) parsePrimary() (*teamsops.Filter, error) {
	if p.tok.kind != tokLParen {
		return p.parseComparison()
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer p.leave()
	if err := p.advance(); err != nil {
		return nil, err
	}
	f, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokRParen {
		return nil, syntaxError(p.lx.src, p.tok.pos)
	}
	return f, p.advance()
}

func (p *parser) parseComparison() (*teamsops.Filter, error) {
	left, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	if left.call != nil {
		return left.call, nil // a Boolean function: startswith(…)
	}
	op, err := p.parseOperator()
	if err != nil {
		return nil, err
	}
	right, err := p.parseOperand()
	if err != nil {
		return nil, err
	}
	return p.comparison(left, op, right)
}

// parseOperator reads a comparison operator, refusing the other OData
// operators by name rather than with a bare syntax error.
func (p *parser) parseOperator() (teamsops.FilterOp, error) {
	t := p.tok
	if t.kind == tokName {
		switch lower := toLowerASCII(t.text); lower {
		case "eq", "ne", "gt", "ge", "lt", "le":
			return teamsops.FilterOp(lower), p.advance()
		case "has", "in":
			return "", invalid("The '%s' operator is not supported in $filter.", lower)
		case "add", "sub", "mul", "div", "divby", "mod":
			return "", invalid("The arithmetic operator '%s' is not supported in $filter.", lower)
		}
	}
	return "", syntaxError(p.lx.src, t.pos)
}
