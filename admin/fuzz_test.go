package admin

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzBodyType: any Content-Type is read without a panic, and one the
// admin API does not read is refused with a reason.
func FuzzBodyType(f *testing.F) {
	for _, s := range []string{"", "application/json", "application/yaml; charset=utf-8", "text/yaml;charset=\"UTF-8\"",
		"application/x-www-form-urlencoded", "application/json; charset=latin1", ";", "application/", "a/b; c=\"", "application/merge-patch+json"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, contentType string) {
		if _, err := bodyType(contentType); err != nil && err.Error() == "" {
			t.Errorf("%q refused without a reason", contentType)
		}
	})
}

// FuzzJSONProblem: any body that is not JSON is placed at a line and a
// column inside it (or just past its end), without a panic.
func FuzzJSONProblem(f *testing.F) {
	for _, s := range []string{"", "{", "{}", "[1,]", "{\"a\":\n  tru}", "\n\n\"\\u12\"", "é{", strings.Repeat("[", 20_000)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p := jsonProblem(body)
		if p == nil {
			return
		}
		lines := strings.Split(string(body), "\n")
		if p.Line < 1 || p.Line > len(lines) || p.Column < 1 || p.Column > utf8.RuneCountInString(lines[p.Line-1])+1 {
			t.Errorf("%q: placed at %d:%d, outside the body", body, p.Line, p.Column)
		}
	})
}
