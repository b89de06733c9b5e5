// Package odata parses the OData parts of a Microsoft Graph request for
// teamsAsyncOperation and the chat resources around it: the resource path
// with its keys, and the system query options $select, $filter, $top,
// $skip, $count and, where a resource allows it, $expand. It follows the
// OData v4.01 URL conventions as Microsoft Graph applies them
// (https://learn.microsoft.com/graph/query-parameters).
//
// Every error is a *teamsops.Error with code teamsops.EINVALID and a message
// worded like Graph's, so the HTTP edge can answer 400 without further
// translation.
package odata

import (
	"unicode/utf8"

	"github.com/teamsops/teamsops"
)

// EntityTypeName is the qualified name of the entity type whose properties
// the query options address; Graph names it in "could not find a property"
// messages.
const EntityTypeName = "microsoft.graph.teamsAsyncOperation"

// errSyntax is Graph's message for a URL it cannot parse at all.
const errSyntax = "Bad Request - Error in query syntax."

// maxEcho bounds how much of a caller's input is repeated in a message, so
// an oversized query option does not produce an oversized error body.
const maxEcho = 256

// invalid returns a 400-class application error.
func invalid(format string, args ...any) error {
	return teamsops.Errorf(teamsops.EINVALID, format, args...)
}

// clip shortens s to at most maxEcho bytes, on a rune boundary, for use in
// error messages.
func clip(s string) string { return teamsops.Clip(s) }

// clean reports whether decoded text may reach the rest of the service:
// valid UTF-8 (it is echoed in JSON) and no NUL byte (PostgreSQL text
// cannot store one).
func clean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// lookupProperty finds a property by name, ignoring case as Graph does, and
// hides beta-only properties from v1.0 requests.
func lookupProperty(props []teamsops.Property, name string, beta bool) (teamsops.Property, bool) {
	for _, p := range props {
		if p.BetaOnly && !beta {
			continue
		}
		if equalFoldASCII(p.Name, name) {
			return p, true
		}
	}
	return teamsops.Property{}, false
}

// equalFoldASCII compares ASCII case-insensitively; property names and
// keywords are ASCII, and strings.EqualFold's Unicode folding (e.g. the
// Kelvin sign matching 'k') would let odd spellings through.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// unknownProperty is Graph's message for a name that is not a property of
// the entity type typeName, in $select, $expand and $filter alike.
func unknownProperty(name, typeName string) error {
	return invalid("Could not find a property named '%s' on type '%s'.", clip(name), typeName)
}

// toLowerASCII lowers ASCII letters only, for matching option names and
// keywords (see equalFoldASCII).
func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
