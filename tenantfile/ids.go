package tenantfile

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
)

// namespace is the name space of the ids derived for entities a file
// gives no id: any fixed GUID works, and this one must never change, or
// files without ids would name new entities.
var namespace = uuid.MustParse("5e1f0c4a-8d3b-4f6e-9a21-7c4b2d9e0f13")

// derive returns the name-based (version 5) GUID of an entity of kind
// named name in tenant: the same file yields the same ids on any machine.
func derive(tenant, kind, name string) uuid.UUID {
	return uuid.NewSHA1(namespace, []byte(tenant+"\x00"+kind+"\x00"+name))
}

// deriveGUID is derive as text.
func deriveGUID(tenant, kind, name string) string { return derive(tenant, kind, name).String() }

// deriveChatID is a group or meeting chat id in Graph's form,
// 19:{32 hex}@thread.v2 ("Create chat", example 2).
func deriveChatID(tenant, name string) string {
	u := derive(tenant, "chat", name)
	return "19:" + hex.EncodeToString(u[:]) + "@thread.v2"
}

// deriveOperationID is an operation id in Graph's form: three GUIDs
// joined by '-', as the seed's id shows.
func deriveOperationID(tenant, name string) string {
	var parts []string
	for i := range 3 {
		parts = append(parts, deriveGUID(tenant, "operation", fmt.Sprintf("%s\x00%d", name, i)))
	}
	return strings.Join(parts, "-")
}

// thread reports whether s is a Teams thread id, 19:{id}@{suffix} with
// one of suffixes, as chat and channel ids are: Graph's clients put them
// in URLs, so only letters, digits, '-', '_' and '.' may come between.
func thread(s string, suffixes ...string) bool {
	rest, ok := strings.CutPrefix(s, "19:")
	if !ok {
		return false
	}
	at := strings.LastIndexByte(rest, '@')
	if at <= 0 || !plainID(rest[:at]) {
		return false
	}
	for _, suffix := range suffixes {
		if rest[at+1:] == suffix {
			return true
		}
	}
	return false
}

// plainID reports whether s is made of letters, digits, '-', '_' and '.'
// only, so that it needs no escaping in a URL or an OData key.
func plainID(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// index finds entities of one kind by id or by name.
type index struct {
	// kind names the entity in messages: "user", "app registration"…
	kind string
	// of says what a missing one is not: "a user of this tenant"…
	of     string
	byID   map[string]string   // folded id → id
	byName map[string][]string // folded name → ids
	// known lists every id and name, to suggest one for a typo; budget is
	// what is left of suggestBudget.
	known  []string
	budget int
}

// suggestBudget bounds the work of suggesting names for one index's
// misses, in pairs of bytes compared, so that a file of many wrong
// references to many entities is still checked at once.
const suggestBudget = 50_000_000

func newIndex(kind, of string) *index {
	return &index{kind: kind, of: of, byID: map[string]string{}, byName: map[string][]string{}, budget: suggestBudget}
}

// add records an entity's id and names (empty names are skipped).
func (x *index) add(id string, names ...string) {
	x.byID[strings.ToLower(id)] = id
	x.known = append(x.known, id)
	for _, n := range names {
		if n != "" {
			key := strings.ToLower(n)
			if !slices.Contains(x.byName[key], id) {
				x.byName[key] = append(x.byName[key], id)
				x.known = append(x.known, n)
			}
		}
	}
}

// has reports whether id is an entity's id.
func (x *index) has(id string) bool { _, ok := x.byID[strings.ToLower(id)]; return ok }

// resolve returns the id ref names, or a message saying why none.
func (x *index) resolve(ref string) (string, string) {
	if id, ok := x.byID[strings.ToLower(ref)]; ok {
		return id, ""
	}
	switch ids := x.byName[strings.ToLower(ref)]; len(ids) {
	case 1:
		return ids[0], ""
	case 0:
		msg := fmt.Sprintf("%s %q is not %s", x.kind, clip(ref), x.of)
		if s := x.suggest(ref); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		return "", msg
	default:
		return "", fmt.Sprintf("%s %q names %d of them; use an id", x.kind, clip(ref), len(ids))
	}
}

// suggest returns the id or name closest to ref, if it is close enough to
// be what ref meant and the budget allows looking.
func (x *index) suggest(ref string) string {
	cost := 0
	for _, k := range x.known {
		cost += min(len(k), 257) * min(len(ref), 257)
	}
	if cost > x.budget {
		return ""
	}
	x.budget -= cost
	return suggest(ref, x.known)
}
