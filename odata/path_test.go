package odata

import (
	"reflect"
	"testing"

	"github.com/teamsops/teamsops"
)

const (
	chatID  = "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
	chatEsc = "19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2"
	opID    = "2432b57b-0abd-43db-aa7b-16eadd115d34-e88ae9aa-887e-4972-ac3e-bd578e38232e-cf58835e-43f0-4fc1-825e-5de55630e7e4"
	teamID  = "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"
)

func plain(name string) Segment      { return Segment{Name: name} }
func keyed(name, key string) Segment { return Segment{Name: name, Key: key, HasKey: true} }

var pathTests = []struct {
	name string
	path string
	want []Segment
}{
	{"root empty", "", nil},
	{"root slash", "/", nil},
	{"seed raw segments", "/chats/" + chatID + "/operations/" + opID,
		[]Segment{plain("chats"), plain(chatID), plain("operations"), plain(opID)}},
	{"segments percent-encoded", "/chats/" + chatEsc + "/operations",
		[]Segment{plain("chats"), plain(chatID), plain("operations")}},
	{"lower-case escapes", "/chats/19%3ac253a29b5f694b55a6baad8e83510af7%40thread.v2",
		[]Segment{plain("chats"), plain(chatID)}},
	{"key syntax encoded key", "/chats('" + chatEsc + "')/operations('" + opID + "')",
		[]Segment{keyed("chats", chatID), keyed("operations", opID)}},
	{"key syntax raw key", "/chats('" + chatID + "')/operations",
		[]Segment{keyed("chats", chatID), plain("operations")}},
	{"key syntax fully encoded", "/chats%28%27" + chatEsc + "%27%29/operations%28%27" + opID + "%27%29",
		[]Segment{keyed("chats", chatID), keyed("operations", opID)}},
	{"encoded quotes only", "/chats(%27" + chatEsc + "%27)", []Segment{keyed("chats", chatID)}},
	{"unquoted key", "/teams(" + teamID + ")", []Segment{keyed("teams", teamID)}},
	{"unquoted key then list", "/teams(" + teamID + ")/operations",
		[]Segment{keyed("teams", teamID), plain("operations")}},
	{"doubled quote", "/chats('it''s')", []Segment{keyed("chats", "it's")}},
	{"doubled quote encoded", "/chats(%27it%27%27s%27)", []Segment{keyed("chats", "it's")}},
	{"only a quote", "/chats('''')", []Segment{keyed("chats", "'")}},
	{"raw slash in quoted key", "/chats('a/b')/operations", []Segment{keyed("chats", "a/b"), plain("operations")}},
	{"encoded slash in quoted key", "/chats('a%2Fb')", []Segment{keyed("chats", "a/b")}},
	{"encoded slash in plain segment", "/chats/a%2Fb/operations",
		[]Segment{plain("chats"), plain("a/b"), plain("operations")}},
	{"parentheses in quoted key", "/chats('a(b)')", []Segment{keyed("chats", "a(b)")}},
	{"quote in plain segment", "/chats/it's/operations", []Segment{plain("chats"), plain("it's"), plain("operations")}},
	{"trailing slash", "/chats/" + chatID + "/operations/", []Segment{plain("chats"), plain(chatID), plain("operations")}},
	{"trailing slash after key", "/chats('x')/", []Segment{keyed("chats", "x")}},
	{"plus is not a space in a path", "/chats/a+b", []Segment{plain("chats"), plain("a+b")}},
	{"encoded space", "/chats/a%20b", []Segment{plain("chats"), plain("a b")}},
	{"utf-8 key", "/chats('%C3%A9')", []Segment{keyed("chats", "é")}},
}

func TestParsePath(t *testing.T) {
	for _, tt := range pathTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.path)
			if err != nil {
				t.Fatalf("ParsePath(%q): %v", tt.path, err)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParsePath(%q)\n got %#v\nwant %#v", tt.path, got, tt.want)
			}
		})
	}
}

var pathErrorTests = []struct {
	name, path, message string
}{
	{"no leading slash", "chats", errSyntax},
	{"empty middle segment", "/chats//operations", errSyntax},
	{"leading double slash", "//chats", errSyntax},
	{"two trailing slashes", "/chats//", errSyntax},
	{"bad escape", "/chats/%zz", errSyntax},
	{"truncated escape", "/chats/%4", errSyntax},
	{"escape at end", "/chats/%", errSyntax},
	{"invalid utf-8", "/chats/%FF", errSyntax},
	{"nul byte", "/chats/a%00b", errSyntax},
	{"empty key", "/chats()", "Unrecognized key syntax in segment 'chats()'."},
	{"empty quoted key", "/chats('')", "Unrecognized key syntax in segment 'chats('')'."},
	{"unterminated quote", "/chats('abc)", "Unrecognized key syntax in segment 'chats('abc)'."},
	{"unterminated quote swallows path", "/chats('a/b)/operations", "Unrecognized key syntax in segment 'chats('a/b)/operations'."},
	{"missing close paren", "/chats('abc'", "Unrecognized key syntax in segment 'chats('abc''."},
	{"text after close paren", "/chats('a')x", "Unrecognized key syntax in segment 'chats('a')x'."},
	{"text after quote", "/chats('a'b)", "Unrecognized key syntax in segment 'chats('a'b)'."},
	{"lone quote inside", "/chats('a'b')", "Unrecognized key syntax in segment 'chats('a'b')'."},
	{"no name", "/('a')", "Unrecognized key syntax in segment '('a')'."},
	{"named key", "/chats(id='a')", "Unrecognized key syntax in segment 'chats(id='a')'."},
	{"composite key", "/chats(a,b)", "Unrecognized key syntax in segment 'chats(a,b)'."},
	{"quote in unquoted key", "/teams(a'b)", "Unrecognized key syntax in segment 'teams(a'b)'."},
	{"quote in name", "/ch'ats('a')", "Unrecognized key syntax in segment 'ch'ats('a')'."},
	{"paren in plain segment", "/chats/a(b", "Unrecognized key syntax in segment 'a(b'."},
	{"encoded paren in plain segment", "/chats/a%28b", "Unrecognized key syntax in segment 'a%28b'."},
}

func TestParsePathErrors(t *testing.T) {
	for _, tt := range pathErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.path)
			if err == nil {
				t.Fatalf("ParsePath(%q) = %#v, want an error", tt.path, got)
			}
			wantInvalid(t, err, tt.message)
		})
	}
}

// wantInvalid checks that err is an EINVALID *teamsops.Error with message
// (any message when message is empty).
func wantInvalid(t *testing.T, err error, message string) {
	t.Helper()
	e, ok := err.(*teamsops.Error)
	if !ok {
		t.Fatalf("error %v is a %T, want *teamsops.Error", err, err)
	}
	if e.Code != teamsops.EINVALID {
		t.Errorf("code = %q, want %q", e.Code, teamsops.EINVALID)
	}
	if message != "" && e.Message != message {
		t.Errorf("message = %q\n         want %q", e.Message, message)
	}
}

func TestEscapeKey(t *testing.T) {
	tests := []struct{ key, want string }{
		{chatID, chatEsc}, // the seed's @odata.context
		{opID, opID},
		{"it's", "it%27%27s"},
		{"a b/c?d#e&f", "a%20b%2Fc%3Fd%23e%26f"},
		{"A-Z.a_z~0", "A-Z.a_z~0"},
		{"(x)", "%28x%29"},
		{"é", "%C3%A9"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := EscapeKey(tt.key); got != tt.want {
			t.Errorf("EscapeKey(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

// TestEscapeKeyRoundTrip checks that a key written with EscapeKey into key
// syntax, as a Location header does, parses back to the same key.
func TestEscapeKeyRoundTrip(t *testing.T) {
	for _, key := range []string{chatID, opID, "it's", "''", "a/b", "a(b)c", "x y", "é", "%41"} {
		segs, err := ParsePath("/chats('" + EscapeKey(key) + "')/operations")
		if err != nil {
			t.Fatalf("key %q: %v", key, err)
		}
		if want := []Segment{keyed("chats", key), plain("operations")}; !reflect.DeepEqual(segs, want) {
			t.Errorf("key %q: got %#v", key, segs)
		}
	}
}
