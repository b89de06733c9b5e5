package csdl

import "strings"

// ResolvePath follows a resource path through the entity container, as an
// OData service resolves a request's URL (OData 4.01 URL Conventions,
// section 4, "Resource Path"): an entity set or singleton first, then keys,
// navigation properties, /$count of a collection and a bound action or
// function last. A key is a segment in braces, as Graph's pages write
// them ("/teams/{team-id}/channels/{channel-id}/archive"); a key may also
// be written inside its segment ("chats('{chat-id}')"). The service's own
// resources /$batch and /$metadata resolve too.
//
// It returns the first segment the model does not know, as Graph names it
// in "Resource not found for the segment '…'.", and ok false; or the type
// the path addresses and whether it is a collection of them. A path ending
// in an action or /$count has no entity type: typeName is "".
func (m *Model) ResolvePath(path string) (typeName string, collection bool, missing string, ok bool) {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(segs) == 1 && (segs[0] == "$batch" || segs[0] == "$metadata") {
		return "", false, "", true
	}
	for i := 0; i < len(segs); i++ {
		seg := segs[i]
		name, key, keyed := strings.Cut(seg, "(")
		last := i == len(segs)-1
		switch {
		case name == "":
			return "", false, seg, false
		case i == 0:
			set, found := m.Sets[name]
			if !found || keyed && set.Singleton {
				return "", false, name, false
			}
			typeName, collection = set.Type, !set.Singleton
		case isKey(seg):
			if !collection {
				return "", false, seg, false
			}
			collection = false
			continue
		case name == "$count":
			if !collection || !last || keyed {
				return "", false, seg, false
			}
			return "", false, "", true
		default:
			if p, nav, found := m.Property(typeName, name); found && nav && !collection {
				elem, many := strings.CutPrefix(p.Type, "Collection(")
				typeName, collection = m.local(strings.TrimSuffix(elem, ")")), many
				break
			}
			if last && !keyed && m.boundAction(typeName, collection, name) {
				return "", false, "", true
			}
			return "", false, name, false
		}
		if keyed {
			if !collection || !strings.HasSuffix(key, ")") || key == ")" {
				return "", false, name, false
			}
			collection = false
		}
	}
	return typeName, collection, "", true
}

// isKey reports whether a segment is a key placeholder, {…}.
func isKey(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// boundAction finds an action or function of that name bound to the type,
// or to one of its base types, one entity or a collection as addressed.
// The name may be qualified with the namespace or its alias.
func (m *Model) boundAction(typeName string, collection bool, name string) bool {
	if local := m.local(name); local != "" {
		name = local
	}
	for t := m.Types[typeName]; t != nil; t = m.Types[t.BaseType] {
		for _, a := range m.Actions {
			if a.Name == name && a.Binding == t.Name && a.BindingCollection == collection {
				return true
			}
		}
	}
	return false
}
