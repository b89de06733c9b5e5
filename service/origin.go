package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
)

type originKey struct{}

// maxOriginPath bounds the path an operation's origin keeps: enough for
// any path Graph's clients send, not a megabyte of query string.
const maxOriginPath = 2048

// WithOrigin returns ctx carrying o, the request a call comes from: an
// operation the call starts records it as its origin (the dashboard shows
// it). The HTTP edge sets it on the requests that may start one. Text that
// a store cannot keep (invalid UTF-8, NUL bytes) is replaced, and long
// text is cut.
func WithOrigin(ctx context.Context, o teamsops.Origin) context.Context {
	o.Method, o.ClientAppID, o.UserID = storable(o.Method, 64), storable(o.ClientAppID, 256), storable(o.UserID, 256)
	o.Path, o.Fault, o.RequestID = storable(o.Path, maxOriginPath), storable(o.Fault, 512), storable(o.RequestID, 64)
	return context.WithValue(ctx, originKey{}, &o)
}

// originOf returns the origin WithOrigin put on ctx, or nil.
func originOf(ctx context.Context) *teamsops.Origin {
	o, _ := ctx.Value(originKey{}).(*teamsops.Origin)
	return o
}

// storable is s as valid UTF-8 without NUL bytes, cut to at most max
// bytes on a rune boundary.
func storable(s string, max int) string {
	if !clean(s) {
		s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
	}
	if len(s) > max {
		n := max
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return s
}
