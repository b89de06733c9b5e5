// Package csdl reads a CSDL document (OData's metadata, as Graph publishes
// it) into a small model of its types, and checks JSON against them.
package csdl

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// Model is the types of one schema, by their unqualified names.
type Model struct {
	Namespace string
	Alias     string
	Types     map[string]*StructuredType
	Enums     map[string]*EnumType
	// Sets are the entity container's entity sets and singletons, by name.
	Sets map[string]Set
	// Actions are the bound actions and functions, in document order.
	Actions []Action
}

// Action is a bound action or function.
type Action struct {
	Name     string
	Function bool
	// Binding is the unqualified entity type of the binding parameter;
	// BindingCollection says it is bound to a collection of them.
	Binding           string
	BindingCollection bool
}

// Set is an entity set or a singleton of the entity container.
type Set struct {
	Type      string // the unqualified entity type
	Singleton bool
}

// StructuredType is an entity or complex type.
type StructuredType struct {
	Name     string
	Entity   bool // an EntityType rather than a ComplexType
	BaseType string
	Open     bool
	// Properties and Navigations are the type's own, without its base's.
	Properties  []Property
	Navigations []Property
}

// Property is a structural or navigation property.
type Property struct {
	Name string
	// Type is as written, e.g. "Edm.String", "graph.identitySet",
	// "Collection(graph.chat)".
	Type     string
	Nullable bool
}

// EnumType is an enumeration with its members in declaration order.
type EnumType struct {
	Name    string
	Flags   bool
	Members []string
}

type xmlProperty struct {
	Name     string `xml:"Name,attr"`
	Type     string `xml:"Type,attr"`
	Nullable string `xml:"Nullable,attr"`
}

type xmlType struct {
	Name        string        `xml:"Name,attr"`
	BaseType    string        `xml:"BaseType,attr"`
	OpenType    bool          `xml:"OpenType,attr"`
	Properties  []xmlProperty `xml:"Property"`
	Navigations []xmlProperty `xml:"NavigationProperty"`
}

type xmlAction struct {
	Name       string        `xml:"Name,attr"`
	IsBound    bool          `xml:"IsBound,attr"`
	Parameters []xmlProperty `xml:"Parameter"`
}

type xmlDoc struct {
	Schemas []struct {
		Namespace    string    `xml:"Namespace,attr"`
		Alias        string    `xml:"Alias,attr"`
		EntityTypes  []xmlType `xml:"EntityType"`
		ComplexTypes []xmlType `xml:"ComplexType"`
		EnumTypes    []struct {
			Name    string `xml:"Name,attr"`
			IsFlags bool   `xml:"IsFlags,attr"`
			Members []struct {
				Name string `xml:"Name,attr"`
			} `xml:"Member"`
		} `xml:"EnumType"`
		Actions   []xmlAction `xml:"Action"`
		Functions []xmlAction `xml:"Function"`
		Container struct {
			EntitySets []struct {
				Name string `xml:"Name,attr"`
				Type string `xml:"EntityType,attr"`
			} `xml:"EntitySet"`
			Singletons []struct {
				Name string `xml:"Name,attr"`
				Type string `xml:"Type,attr"`
			} `xml:"Singleton"`
		} `xml:"EntityContainer"`
	} `xml:"DataServices>Schema"`
}

// Parse reads the first schema of a CSDL document.
func Parse(data []byte) (*Model, error) {
	var doc xmlDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Schemas) == 0 {
		return nil, fmt.Errorf("csdl: no schema")
	}
	s := doc.Schemas[0]
	m := &Model{Namespace: s.Namespace, Alias: s.Alias, Types: map[string]*StructuredType{}, Enums: map[string]*EnumType{}, Sets: map[string]Set{}}
	add := func(ts []xmlType, entity bool) {
		for _, t := range ts {
			st := &StructuredType{Name: t.Name, Entity: entity, BaseType: m.local(t.BaseType), Open: t.OpenType}
			for _, p := range t.Properties {
				st.Properties = append(st.Properties, Property{p.Name, p.Type, p.Nullable != "false"})
			}
			for _, p := range t.Navigations {
				st.Navigations = append(st.Navigations, Property{p.Name, p.Type, p.Nullable != "false"})
			}
			m.Types[t.Name] = st
		}
	}
	add(s.EntityTypes, true)
	add(s.ComplexTypes, false)
	for _, e := range s.EnumTypes {
		et := &EnumType{Name: e.Name, Flags: e.IsFlags}
		for _, mem := range e.Members {
			et.Members = append(et.Members, mem.Name)
		}
		m.Enums[e.Name] = et
	}
	for i, as := range [][]xmlAction{s.Actions, s.Functions} {
		for _, a := range as {
			if !a.IsBound || len(a.Parameters) == 0 {
				continue
			}
			elem, many := strings.CutPrefix(a.Parameters[0].Type, "Collection(")
			m.Actions = append(m.Actions, Action{Name: a.Name, Function: i == 1, Binding: m.local(strings.TrimSuffix(elem, ")")), BindingCollection: many})
		}
	}
	for _, es := range s.Container.EntitySets {
		m.Sets[es.Name] = Set{Type: m.local(es.Type)}
	}
	for _, sg := range s.Container.Singletons {
		m.Sets[sg.Name] = Set{Type: m.local(sg.Type), Singleton: true}
	}
	return m, nil
}

// local returns the unqualified name of a type of the schema, or "" for
// any other name.
func (m *Model) local(name string) string {
	for _, prefix := range []string{m.Namespace + ".", m.Alias + "."} {
		if prefix != "." && strings.HasPrefix(name, prefix) {
			return strings.TrimPrefix(name, prefix)
		}
	}
	return ""
}

// Property finds a structural or navigation property of a type or of its
// base types.
func (m *Model) Property(typeName, name string) (p Property, nav, ok bool) {
	for t := m.Types[typeName]; t != nil; t = m.Types[t.BaseType] {
		for _, p := range t.Properties {
			if p.Name == name {
				return p, false, true
			}
		}
		for _, p := range t.Navigations {
			if p.Name == name {
				return p, true, true
			}
		}
	}
	return Property{}, false, false
}

// open reports whether a type or one of its bases is open: it may carry
// properties its type does not declare.
func (m *Model) open(typeName string) bool {
	for t := m.Types[typeName]; t != nil; t = m.Types[t.BaseType] {
		if t.Open {
			return true
		}
	}
	return false
}
