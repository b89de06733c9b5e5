package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
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
func (o object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Quote(m.name))
		buf.WriteByte(':')
		if err := encodeValue(&buf, m.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodeValue writes v without HTML escaping: Graph sends '<', '>' and '&'
// as they are.
func encodeValue(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	return nil
}

// writeJSON writes v as the response body with Graph's content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := encodeValue(&buf, v); err != nil {
		http.Error(w, `{"error":{"code":"InternalServerError","message":"encoding failed"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", graphContentType)
	w.Header().Set("OData-Version", "4.0")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// formatTime writes a DateTimeOffset as Graph does: UTC, up to seven
// fractional digits (the seed shows 2021-05-27T21:23:41.9085453Z).
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
}
