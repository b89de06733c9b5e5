package tenantfile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// maxNodes bounds the nodes of a document once aliases are expanded, so
// that a few lines of anchors cannot expand into billions of nodes.
const maxNodes = 200_000

// maxDepth bounds how deeply a document nests; a tenant file needs six.
const maxDepth = 32

// Pos is a place in a file: 1-based line and column.
type Pos struct{ Line, Column int }

// nodeKind is what a node of the document is.
type nodeKind int

const (
	scalarNode nodeKind = iota
	nullNode
	mappingNode
	sequenceNode
)

// node is one value of a document, with where it starts. A scalar keeps
// its YAML type (string, integer, float, bool) for error messages and its
// text.
type node struct {
	kind  nodeKind
	pos   Pos
	typ   string // of a scalar: "a string", "an integer", "a number", "a Boolean"
	text  string // of a scalar
	pairs []pair // of a mapping, in order
	items []*node
}

// pair is one key of a mapping and its value.
type pair struct {
	key   string
	pos   Pos // of the key
	value *node
}

// parse reads data as YAML (which JSON is a subset of) into one node.
// It returns a positioned error for a syntax error, an empty file or a
// file of several documents, and for a document nesting too deeply for
// the parser to be given it (scanDepth).
func parse(data []byte) (*node, *Error) {
	if err := scanDepth(data, maxScanDepth); err != nil {
		return nil, err
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, syntaxError(err)
	}
	var docs []*ast.DocumentNode
	for _, d := range f.Docs {
		if d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, &Error{Pos: Pos{1, 1}, Message: "the file is empty: it must declare a tenant"}
	case len(docs) > 1:
		return nil, &Error{Pos: position(docs[1].GetToken()), Message: fmt.Sprintf(
			"the file holds %d documents: one file declares one tenant", len(docs))}
	}
	b := &builder{anchors: map[string]ast.Node{}}
	n := b.build(docs[0].Body, 0)
	if b.err != nil {
		return nil, b.err
	}
	return n, nil
}

// duplicateKey matches the parser's message for a key given twice.
var duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at \[(\d+):\d+\]`)

// syntaxError turns the parser's error into an Error at its token.
func syntaxError(err error) *Error {
	var se *yaml.SyntaxError
	var de *yaml.DuplicateKeyError
	switch {
	case errors.As(err, &se) && duplicateKey.MatchString(se.Message):
		m := duplicateKey.FindStringSubmatch(se.Message)
		return &Error{Pos: position(se.Token), Message: fmt.Sprintf("key %q is given twice (first on line %s)", m[1], m[2])}
	case errors.As(err, &se):
		return &Error{Pos: position(se.Token), Message: "not valid YAML or JSON: " + se.Message}
	case errors.As(err, &de):
		return &Error{Pos: position(de.Token), Message: de.Message}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i] // drop the parser's source excerpt
	}
	return &Error{Pos: Pos{1, 1}, Message: "not valid YAML or JSON: " + msg}
}

func position(tk *token.Token) Pos {
	if tk == nil || tk.Position == nil {
		return Pos{1, 1}
	}
	return Pos{max(tk.Position.Line, 1), max(tk.Position.Column, 1)}
}

// builder turns the parser's tree into nodes, expanding aliases.
type builder struct {
	anchors map[string]ast.Node
	count   int
	err     *Error
}

func (b *builder) fail(tk *token.Token, format string, args ...any) *node {
	if b.err == nil {
		b.err = &Error{Pos: position(tk), Message: fmt.Sprintf(format, args...)}
	}
	return &node{kind: nullNode, pos: position(tk)}
}

func (b *builder) build(n ast.Node, depth int) *node {
	if b.err != nil {
		return &node{kind: nullNode}
	}
	if n == nil {
		return &node{kind: nullNode}
	}
	tk := n.GetToken()
	if b.count++; b.count > maxNodes {
		return b.fail(tk, "the document has more than %d values (aliases included)", maxNodes)
	}
	if depth > maxDepth {
		return b.fail(tk, "the document nests more than %d levels deep", maxDepth)
	}
	switch v := n.(type) {
	case *ast.AnchorNode:
		if name, ok := v.Name.(*ast.StringNode); ok {
			b.anchors[name.Value] = v.Value
		}
		return b.build(v.Value, depth)
	case *ast.AliasNode:
		name := ""
		if v.Value != nil {
			name = v.Value.String()
		}
		target, ok := b.anchors[name]
		if !ok {
			return b.fail(tk, "the alias *%s names no anchor defined before it", name)
		}
		out := b.build(target, depth+1)
		out.pos = position(tk)
		return out
	case *ast.TagNode:
		out := b.build(v.Value, depth)
		if v.Start != nil && v.Start.Value == "!!str" && out.kind == scalarNode {
			out.typ = "a string"
		}
		return out
	case *ast.MappingNode:
		out := b.mapping(v.Values, depth)
		if v.IsFlowStyle || len(v.Values) == 0 {
			out.pos = position(tk) // at its '{'
		}
		return out
	case *ast.MappingValueNode:
		return b.mapping([]*ast.MappingValueNode{v}, depth)
	case *ast.SequenceNode:
		out := &node{kind: sequenceNode, pos: position(tk)}
		for _, item := range v.Values {
			out.items = append(out.items, b.build(item, depth+1))
		}
		return out
	case *ast.NullNode, *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.InfinityNode, *ast.NanNode, *ast.BoolNode:
		return scalar(n)
	case *ast.MergeKeyNode:
		return b.fail(tk, "merge keys (<<) are not supported")
	}
	return b.fail(tk, "a %s is not supported in a tenant file", n.Type().YAMLName())
}

// scalar builds a scalar node, keeping its YAML type for messages.
func scalar(n ast.Node) *node {
	tk := n.GetToken()
	out := &node{kind: scalarNode, pos: position(tk), typ: "a string", text: tk.Value}
	switch v := n.(type) {
	case *ast.NullNode:
		out.kind = nullNode
	case *ast.StringNode:
		out.text = v.Value
	case *ast.LiteralNode:
		out.text = ""
		if v.Value != nil {
			out.text = v.Value.Value
		}
	case *ast.IntegerNode:
		out.typ = "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		out.typ = "a number"
	case *ast.BoolNode:
		out.typ, out.text = "a Boolean", fmt.Sprint(v.Value)
	}
	return out
}

// mapping builds a mapping; its position is its first key's (the parser
// places a block mapping at its first colon, which reads oddly in errors).
func (b *builder) mapping(values []*ast.MappingValueNode, depth int) *node {
	out := &node{kind: mappingNode}
	for i, mv := range values {
		key := b.build(mv.Key, depth+1)
		if i == 0 {
			out.pos = key.pos
		}
		if key.kind != scalarNode {
			b.fail(mv.Key.GetToken(), "a key must be a plain string")
			continue
		}
		out.pairs = append(out.pairs, pair{key: key.text, pos: key.pos, value: b.build(mv.Value, depth+1)})
	}
	return out
}
