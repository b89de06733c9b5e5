package csdl

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Check compares a JSON object with the entity or complex type typeName
// and returns the differences, each naming the property's path: names the
// type does not declare (on a type that is not open), values of the wrong
// JSON type for their Edm type, null where the property is not nullable,
// and enum values that are not members. With includeUnknown false, the
// members declared after unknownFutureValue are differences too: Graph
// sends them only to clients that ask with Prefer:
// include-unknown-enum-members (the evolvable enums of
// https://learn.microsoft.com/graph/best-practices-concept).
// An object's @odata.type, when it has one, is the type it is checked
// against (a derived type of an abstract one, say); other instance
// annotations (names with '@') are not checked.
func (m *Model) Check(typeName string, body []byte, includeUnknown bool) []string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	c := checker{m: m, includeUnknown: includeUnknown}
	c.object("", typeName, v)
	return c.diffs
}

type checker struct {
	m              *Model
	includeUnknown bool
	diffs          []string
}

func (c *checker) addf(format string, args ...any) {
	c.diffs = append(c.diffs, fmt.Sprintf(format, args...))
}

func (c *checker) object(path, typeName string, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		c.addf("%s: %s is %s, not an object", orRoot(path), typeName, kind(v))
		return
	}
	if cast, ok := obj["@odata.type"].(string); ok {
		// A derived type names itself: #microsoft.graph.aadUserConversationMember.
		name := strings.TrimPrefix(cast, "#")
		if local := c.m.local(name); local != "" {
			name = local
		}
		typeName = name
	}
	if _, ok := c.m.Types[typeName]; !ok {
		c.addf("%s: type %s is not in the metadata", orRoot(path), typeName)
		return
	}
	names := make([]string, 0, len(obj))
	for name := range obj {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.Contains(name, "@") {
			continue
		}
		p, _, ok := c.m.Property(typeName, name)
		if !ok {
			if !c.m.open(typeName) {
				c.addf("%s: %s has no property %q", orRoot(path), typeName, name)
			}
			continue
		}
		c.value(join(path, name), p, obj[name])
	}
}

func (c *checker) value(path string, p Property, v any) {
	if elem, ok := strings.CutPrefix(p.Type, "Collection("); ok {
		items, ok := v.([]any)
		if !ok {
			c.addf("%s: %s is %s, not an array", path, p.Type, kind(v))
			return
		}
		item := Property{Name: p.Name, Type: strings.TrimSuffix(elem, ")"), Nullable: p.Nullable}
		for i, it := range items {
			c.value(fmt.Sprintf("%s[%d]", path, i), item, it)
		}
		return
	}
	if v == nil {
		if !p.Nullable {
			c.addf("%s: null, but %s is not nullable", path, p.Name)
		}
		return
	}
	if local := c.m.local(p.Type); local != "" {
		if e, ok := c.m.Enums[local]; ok {
			c.enum(path, e, v)
			return
		}
		c.object(path, local, v)
		return
	}
	c.primitive(path, p.Type, v)
}

func (c *checker) enum(path string, e *EnumType, v any) {
	s, ok := v.(string)
	if !ok {
		c.addf("%s: %s is %s, not a member name", path, e.Name, kind(v))
		return
	}
	values := []string{s}
	if e.Flags {
		values = strings.Split(s, ",")
	}
	sentinel := slices.Index(e.Members, "unknownFutureValue")
	for _, name := range values {
		i := slices.Index(e.Members, strings.TrimSpace(name))
		switch {
		case i < 0:
			c.addf("%s: %q is not a member of %s", path, name, e.Name)
		case !c.includeUnknown && sentinel >= 0 && i > sentinel:
			c.addf("%s: %q comes after unknownFutureValue in %s: sent only with Prefer: include-unknown-enum-members", path, name, e.Name)
		}
	}
}

func (c *checker) primitive(path, edm string, v any) {
	switch edm {
	case "Edm.Boolean":
		if _, ok := v.(bool); !ok {
			c.addf("%s: %s is %s", path, edm, kind(v))
		}
	case "Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			c.addf("%s: %s is %s", path, edm, kind(v))
		}
	case "Edm.Double", "Edm.Single", "Edm.Decimal":
		if _, ok := v.(float64); !ok {
			c.addf("%s: %s is %s", path, edm, kind(v))
		}
	case "Edm.DateTimeOffset":
		s, ok := v.(string)
		if !ok {
			c.addf("%s: %s is %s", path, edm, kind(v))
		} else if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			c.addf("%s: %q is not a DateTimeOffset", path, s)
		}
	default: // Edm.String, Edm.Guid, Edm.Date, Edm.Duration, Edm.Binary…
		if _, ok := v.(string); !ok {
			c.addf("%s: %s is %s", path, edm, kind(v))
		}
	}
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orRoot(path string) string {
	if path == "" {
		return "(body)"
	}
	return path
}
