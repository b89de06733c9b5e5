package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// graphContentType is the Content-Type Graph sends with JSON bodies.
const graphContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

// object is a JSON object whose members keep their order, so responses
// read like Graph's own: @odata annotations first, then the properties in
// the order of the resource's page.
type object []member

type member struct {
	name  string
	value any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) { return appendJSON(nil, o) }

// appendJSON appends v's JSON to buf. The shapes responses are built of —
// objects, arrays, strings, numbers, booleans, null — are written
// directly, without reflection or the second pass encoding/json makes over
// a Marshaler's output; anything else goes through encoding/json. Nothing
// is HTML-escaped: Graph sends '<', '>' and '&' as they are.
func appendJSON(buf []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		return appendString(buf, v), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	case int:
		return strconv.AppendInt(buf, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case object:
		buf = append(buf, '{')
		for i, m := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(appendString(buf, m.name), ':')
			var err error
			if buf, err = appendJSON(buf, m.value); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case []object:
		buf = append(buf, '[')
		for i, o := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendJSON(buf, o); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case []string:
		if v == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '[')
		for i, s := range v {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, s)
		}
		return append(buf, ']'), nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...), nil
}

// appendString appends s as a JSON string exactly as encoding/json writes
// it without HTML escaping: quotes, backslashes and control characters
// escaped, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(append(buf, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(append(buf, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(buf, s[start:]...), '"')
}

// buffers recycles response buffers.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// writeJSON writes v as the response body with Graph's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	body, err := appendJSON((*bp)[:0], v)
	if err != nil {
		http.Error(w, `{"error":{"code":"InternalServerError","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	*bp = body
	h := w.Header()
	h.Set("Content-Type", graphContentType)
	h.Set("OData-Version", "4.0")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// formatTime writes a DateTimeOffset as Graph does: UTC, up to seven
// fractional digits (ticks), trailing zeros dropped and no fraction when it
// is zero. Graph's examples show all three: 2021-05-27T21:23:41.9085453Z
// (api-reference/beta/api/teamsasyncoperation-get.md),
// 2019-04-18T23:51:42.099Z (api-reference/v1.0/api/chat-get.md),
// 2012-02-20T00:00:00Z; "seven digits always" is not what Graph writes.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
}
