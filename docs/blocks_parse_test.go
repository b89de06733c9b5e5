package docs

import (
	"strings"
	"testing"
)

// TestParse checks how markers and fences are read: a block runs unless a
// marker says why not, and a misspelt marker is an error rather than a
// block silently skipped.
func TestParse(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []block // file, line, lang, skip and expect only
		serve      string
		errs       []string
	}{
		{name: "unmarked blocks run; others are shown",
			text: "# T\n\n```sh\ncurl x\n```\n\n```json\n{}\n```\n\n```http\nGET /v1.0/me\n```\n",
			want: []block{{line: 3, lang: "sh", expect: -1}, {line: 11, lang: "http", expect: -1}}},
		{name: "skip with a reason",
			text: "<!-- doctest: skip (starts a server) -->\n```sh\nteamsops serve\n```\n",
			want: []block{{line: 2, lang: "sh", skip: "starts a server", expect: -1}}},
		{name: "a blank line between marker and fence",
			text: "<!-- doctest: expect exit 3 -->\n\n```sh\nteamsops wait x\n```\n",
			want: []block{{line: 3, lang: "sh", expect: 3}}},
		{name: "expected status",
			text: "<!-- doctest: expect status 403 -->\n```http\nGET /v1.0/me\n```\n",
			want: []block{{line: 2, lang: "http", expect: 403}}},
		{name: "serve flags",
			text:  "<!-- doctest: serve --demo --admin-token x -->\n# T\n",
			serve: "--demo --admin-token x"},
		{name: "skip without a reason",
			text: "<!-- doctest: skip -->\n```sh\nx\n```\n",
			want: []block{{line: 2, lang: "sh", expect: -1}},
			errs: []string{`unknown marker "skip"`}},
		{name: "unknown marker",
			text: "<!-- doctest: ignore -->\n```sh\nx\n```\n",
			want: []block{{line: 2, lang: "sh", expect: -1}},
			errs: []string{`unknown marker "ignore"`}},
		{name: "a marker before prose",
			text: "<!-- doctest: skip (x) -->\nSome text.\n```sh\nx\n```\n",
			want: []block{{line: 3, lang: "sh", expect: -1}},
			errs: []string{"stands before no"}},
		{name: "a marker before a block that never runs",
			text: "<!-- doctest: skip (x) -->\n```yaml\nx: 1\n```\n",
			errs: []string{"which never runs"}},
		{name: "exit on an http block",
			text: "<!-- doctest: expect exit 1 -->\n```http\nGET /\n```\n",
			want: []block{{line: 2, lang: "http", expect: -1}},
			errs: []string{"expects status N"}},
		{name: "another shell dialect",
			text: "```bash\nx\n```\n",
			want: []block{{line: 1, lang: "sh", expect: -1}},
			errs: []string{"write ```sh, not ```bash"}},
		{name: "an unclosed block",
			text: "```sh\nx\n",
			want: []block{{line: 1, lang: "sh", expect: -1}},
			errs: []string{"never closed"}},
		{name: "a longer fence holds a shorter one",
			text: "````md\n```sh\nx\n```\n````\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, errs := parse("f.md", tt.text)
			var got []block
			for _, b := range p.blocks {
				got = append(got, block{line: b.line, lang: b.lang, skip: b.skip, expect: b.expect})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("blocks %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("block %d: %+v, want %+v", i, got[i], tt.want[i])
				}
			}
			if tt.serve != "" && strings.Join(p.serveFlags, " ") != tt.serve {
				t.Errorf("serve flags %q, want %q", p.serveFlags, tt.serve)
			}
			if len(errs) != len(tt.errs) {
				t.Fatalf("errors %v, want %d containing %q", errs, len(tt.errs), tt.errs)
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tt.errs[i]) || !strings.HasPrefix(err.Error(), "f.md:") {
					t.Errorf("error %q, want f.md:… %q", err, tt.errs[i])
				}
			}
		})
	}
}

// TestExpand checks that an http block's variables are expanded and
// OData's $ options are left alone.
func TestExpand(t *testing.T) {
	got := expand("GET /v1.0/teams/$TEAM?$select=id&${N}\nAuthorization: Bearer $TOKEN", map[string]string{"TEAM": "t1", "TOKEN": "x", "N": "n"})
	if want := "GET /v1.0/teams/t1?$select=id&n\nAuthorization: Bearer x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
