package tenantfile

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// decoder fills the document's types from a node tree, by their json tags:
// an unknown key or a value of the wrong type is an error at its place,
// and decoding goes on, so that every such error is reported. It records
// where every value was, by path, for the checks that follow.
type decoder struct {
	errs *errorList
}

// nodeDecoder is a type that decodes itself (a member written as a plain
// user reference, team settings checked against their table).
type nodeDecoder interface {
	decodeNode(d *decoder, n *node, path string)
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// decode decodes n into v, which must be settable.
func (d *decoder) decode(n *node, v reflect.Value, path string) {
	d.errs.place(path, n.pos)
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		v.Addr().Interface().(nodeDecoder).decodeNode(d, n, path)
		return
	}
	if n.kind == nullNode {
		return // null is absent: the zero value
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.kind != sequenceNode {
			d.wrongType(n, path, "a list")
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, item := range n.items {
			d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.String:
		if n.kind != scalarNode || n.typ != "a string" {
			d.wrongType(n, path, "a string")
			return
		}
		v.SetString(n.text)
	case reflect.Bool:
		if n.kind != scalarNode || n.typ != "a Boolean" {
			d.wrongType(n, path, "true or false")
			return
		}
		v.SetBool(n.text == "true")
	case reflect.Int:
		i, err := strconv.ParseInt(n.text, 10, 32)
		if n.kind != scalarNode || n.typ != "an integer" || err != nil {
			d.wrongType(n, path, "a whole number")
			return
		}
		v.SetInt(i)
	default:
		panic("tenantfile: cannot decode into " + v.Type().String())
	}
}

// decodeStruct decodes a mapping into a struct, field by json name.
func (d *decoder) decodeStruct(n *node, v reflect.Value, path string) {
	if n.kind != mappingNode {
		d.wrongType(n, path, "a mapping")
		return
	}
	fields := fieldsOf(v.Type())
	for _, p := range n.pairs {
		i, ok := fields[p.key]
		at := join(path, p.key)
		if !ok {
			d.errs.placeAt(at, p.pos)
			d.unknownField(at, p.key, fieldNames(v.Type()))
			continue
		}
		d.decode(p.value, v.Field(i), at)
	}
}

// wrongType reports a value that is not of the type wanted. A YAML scalar
// that should be text gets a hint: quoting makes any scalar a string.
func (d *decoder) wrongType(n *node, path, want string) {
	got := map[nodeKind]string{mappingNode: "a mapping", sequenceNode: "a list", nullNode: "null"}[n.kind]
	if n.kind == scalarNode {
		got = fmt.Sprintf("%s (%s)", n.typ, clip(n.text))
	}
	msg := fmt.Sprintf("want %s, got %s", want, got)
	if want == "a string" && n.kind == scalarNode {
		msg += "; quote it to make it a string"
	}
	d.errs.add(path, msg)
}

// fieldsOf maps a struct's json names to field indexes.
func fieldsOf(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			m[name] = i
		}
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// refValue returns the settable value p points to.
func refValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

// join appends a field name to a path.
func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// clip shortens a value repeated in a message.
func clip(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
