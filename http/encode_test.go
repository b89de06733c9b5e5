package http

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
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

// formatTime writes seven fractional digits at most and drops trailing
// zeros, as Graph's examples do: "2021-05-27T21:23:41.9085453Z" (beta
// teamsasyncoperation-get.md), "2019-04-18T23:51:42.099Z" (v1.0
// chat-get.md), "2016-12-31T23:59:43.797191-08:00" (v1.0 Intune pages:
// six digits where the seventh is zero), "2012-02-20T00:00:00Z" (no fraction).
func TestFormatTime(t *testing.T) {
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC), "2021-05-27T21:23:41.9085453Z"},
		{time.Date(2021, 5, 27, 21, 23, 41, 908545000, time.UTC), "2021-05-27T21:23:41.908545Z"},
		{time.Date(2019, 4, 18, 23, 51, 42, 99000000, time.UTC), "2019-04-18T23:51:42.099Z"},
		{time.Date(2012, 2, 20, 0, 0, 0, 0, time.UTC), "2012-02-20T00:00:00Z"},
		// Graph keeps ticks (100 ns): an eighth digit is cut, not rounded.
		{time.Date(2021, 5, 27, 21, 23, 41, 999999999, time.UTC), "2021-05-27T21:23:41.9999999Z"},
		{time.Date(2021, 5, 27, 23, 23, 41, 0, time.FixedZone("", 2*3600)), "2021-05-27T21:23:41Z"},
	} {
		if got := formatTime(c.in); got != c.want {
			t.Errorf("formatTime(%v) = %s, want %s", c.in, got, c.want)
		}
	}
}
