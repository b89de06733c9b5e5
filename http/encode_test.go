package http

import (
	"bytes"
	"encoding/json"
	"testing"
)

// appendJSON writes what encoding/json writes without HTML escaping, for
// every shape it handles itself.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	values := []any{
		nil, true, false, 0, -42, int64(1) << 40, "", "plain", `quote " backslash \ slash /`,
		"<html> & 'x'", "tab\tnew\nline\rcr\x00\x01\x1f\x7f", "é 日本 😀", "\u2028\u2029", "bad \xff\xfe utf8 \xe2\x82",
		[]string{"a", "b"}, []string(nil), []string{},
		object{{"a", 1}, {"b", object{{"c", nil}}}, {"d", []object{{{"e", "f"}}, {}}}},
		map[string]any{"z": 1.5, "a": []any{"x", nil}},
	}
	for _, v := range values {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Errorf("%#v:\n got  %s\n want %s", v, got, w)
		}
	}
}

// FuzzAppendString: any string is written as encoding/json writes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\xff", "\u2028", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		if got := appendString(nil, s); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%q: got %s, want %s", s, got, want.Bytes())
		}
	})
}
