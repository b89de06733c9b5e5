package csdl

import "strings"

// ContextType resolves the fragment of an @odata.context URL (what follows
// "$metadata#") to the entity type its payload has: "chats('19%3A…')/
// operations/$entity" is one teamsAsyncOperation, "teams('…')/operations"
// a collection of them, "users(id,displayName)/$entity" one user. A
// select or expand shape in parentheses does not change the type; a key is
// a quoted string. ok is false for a fragment the model cannot resolve: a
// set it does not declare, a property that is not a navigation, a cast,
// $ref, $delta and the like.
func (m *Model) ContextType(fragment string) (typeName string, collection, ok bool) {
	segs := splitContext(fragment)
	if len(segs) == 0 {
		return "", false, false
	}
	entity := false
	if segs[len(segs)-1] == "$entity" {
		entity = true
		segs = segs[:len(segs)-1]
	}
	if len(segs) == 0 {
		return "", false, false
	}
	for i, seg := range segs {
		name, paren, _ := strings.Cut(seg, "(")
		keyed := strings.HasPrefix(paren, "'")
		if name == "" || strings.ContainsAny(name, ".$@") {
			return "", false, false
		}
		if i == 0 {
			set, found := m.Sets[name]
			if !found || m.Types[set.Type] == nil {
				return "", false, false
			}
			typeName, collection = set.Type, !set.Singleton
		} else {
			if collection {
				return "", false, false // a navigation needs one entity before it
			}
			p, nav, found := m.Property(typeName, name)
			if !found || !nav {
				return "", false, false
			}
			elem, many := strings.CutPrefix(p.Type, "Collection(")
			typeName, collection = m.local(strings.TrimSuffix(elem, ")")), many
			if m.Types[typeName] == nil {
				return "", false, false
			}
		}
		if keyed {
			if !collection {
				return "", false, false
			}
			collection = false
		}
	}
	if entity {
		if !collection {
			return "", false, false
		}
		collection = false
	}
	return typeName, collection, true
}

// splitContext splits a context fragment at the slashes outside
// parentheses and quoted keys.
func splitContext(s string) []string {
	var segs []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '/' && depth == 0:
			segs = append(segs, s[start:i])
			start = i + 1
		}
	}
	if s != "" {
		segs = append(segs, s[start:])
	}
	return segs
}
