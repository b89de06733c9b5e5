package odata

import "strings"

// Segment is one segment of a resource path. A segment in OData key syntax,
// name('key') or name(key), has Name and Key set and HasKey true. A plain
// segment has only Name: the router decides whether it is a key, as in
// /chats/{chat-id}.
type Segment struct {
	Name   string
	Key    string
	HasKey bool
}

// ParsePath splits an escaped URL path, the part after /v1.0 or /beta, into
// segments. Keys come as plain segments (/chats/19:...@thread.v2) or in
// OData key syntax (/chats('19%3A...%40thread.v2')), raw or percent-encoded,
// as PRODUCT.md's "Paths" requires. Names and keys are percent-decoded; in a
// quoted key, a doubled single quote stands for one (OData ABNF,
// SQUOTE-in-string).
//
// The path must start with '/'; "" and "/" give no segments. One trailing
// slash is tolerated; an empty segment anywhere else is an error. A raw '/'
// inside a quoted key does not split the path. Keys are never empty.
func ParsePath(escapedPath string) ([]Segment, error) {
	if escapedPath == "" || escapedPath == "/" {
		return nil, nil
	}
	if escapedPath[0] != '/' {
		return nil, invalid(errSyntax)
	}
	parts, err := splitPath(escapedPath[1:])
	if err != nil {
		return nil, err
	}
	if last := parts[len(parts)-1]; last.raw == "" {
		parts = parts[:len(parts)-1] // one trailing slash
	}
	segs := make([]Segment, 0, len(parts))
	for _, part := range parts {
		if part.raw == "" {
			return nil, invalid(errSyntax)
		}
		seg, err := parseSegment(part)
		if err != nil {
			return nil, err
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// pathPart is one segment as sent (raw) and percent-decoded (text).
type pathPart struct {
	raw  string
	text string
}

// splitPath splits p on raw '/' characters and decodes each part. A '/'
// that is percent-encoded, or that stands inside a quoted key literal of a
// name('...') segment, belongs to the segment. Quotes count only after a
// '(' so that a plain segment holding a quote (/chats/it's) still splits.
func splitPath(p string) ([]pathPart, error) {
	var parts []pathPart
	var text []byte
	start := 0
	inKey, inQuote := false, false
	for i := 0; i < len(p); {
		c, n, ok := decodeAt(p, i)
		if !ok {
			return nil, invalid(errSyntax)
		}
		if n == 1 && c == '/' && !inQuote {
			parts = append(parts, pathPart{raw: p[start:i], text: string(text)})
			text = text[:0]
			start, i = i+1, i+1
			inKey = false
			continue
		}
		switch {
		case c == '(' && !inKey:
			inKey = true
		case c == '\'' && inKey:
			inQuote = !inQuote
		case c == ')' && inKey && !inQuote:
			inKey = false
		}
		text = append(text, c)
		i += n
	}
	parts = append(parts, pathPart{raw: p[start:], text: string(text)})
	return parts, nil
}

// decodeAt returns the byte at p[i], decoding a %XX escape, and how many
// bytes of p it took.
func decodeAt(p string, i int) (byte, int, bool) {
	if p[i] != '%' {
		return p[i], 1, true
	}
	if i+2 >= len(p) {
		return 0, 0, false
	}
	hi, ok1 := unhex(p[i+1])
	lo, ok2 := unhex(p[i+2])
	if !ok1 || !ok2 {
		return 0, 0, false
	}
	return hi<<4 | lo, 3, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// parseSegment reads one decoded segment: plain text, or name(key) where
// key is a quoted string literal or an unquoted literal such as a GUID.
func parseSegment(part pathPart) (Segment, error) {
	text := part.text
	if !clean(text) {
		return Segment{}, invalid(errSyntax)
	}
	open := strings.IndexByte(text, '(')
	if open < 0 {
		return Segment{Name: text}, nil
	}
	name, inner := text[:open], text[open+1:]
	bad := invalid("Unrecognized key syntax in segment '%s'.", clip(part.raw))
	if name == "" || strings.ContainsAny(name, "')") || !strings.HasSuffix(inner, ")") {
		return Segment{}, bad
	}
	key, ok := parseKey(inner[:len(inner)-1])
	if !ok {
		return Segment{}, bad
	}
	return Segment{Name: name, Key: key, HasKey: true}, nil
}

// parseKey reads the literal between the parentheses of key syntax.
func parseKey(lit string) (string, bool) {
	if !strings.HasPrefix(lit, "'") {
		ok := lit != "" && !strings.ContainsAny(lit, "'()=, ")
		return lit, ok
	}
	key, rest, ok := unquote(lit)
	if !ok || rest != "" || key == "" {
		return "", false
	}
	return key, true
}

// unquote reads an OData string literal at the start of s: quoted, with a
// doubled quote for a quote. It returns the value and what follows it.
func unquote(s string) (value, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

// EscapeKey writes a key as it appears inside @odata.context and Location:
// single quotes doubled as in an OData string literal, then every byte but
// RFC 3986's unreserved characters percent-encoded. Graph's seed example
// shows 19:c253...@thread.v2 as 19%3Ac253...%40thread.v2.
func EscapeKey(key string) string {
	const hexDigits = "0123456789ABCDEF"
	key = strings.ReplaceAll(key, "'", "''")
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		c := key[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// unreserved reports RFC 3986 section 2.3's unreserved characters.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
