package conformance

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fencedBlocks returns the contents of the ```lang blocks of markdown text.
func fencedBlocks(text, lang string) []string {
	var blocks []string
	for {
		_, rest, ok := strings.Cut(text, "\n```"+lang+"\n")
		if !ok {
			return blocks
		}
		block, after, _ := strings.Cut(rest, "\n```")
		blocks = append(blocks, strings.Trim(block, "\n"))
		text = after
	}
}

// TestDocSnippets checks that every snippet a test marks for a guide,
// between the comments "docs/NAME.md snippet begin: what" and
// "docs/NAME.md snippet end", stands in one of that guide's go blocks, as
// the test runs it.
func TestDocSnippets(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range markedSnippets(string(src)) {
			found++
			guide, err := os.ReadFile(filepath.Join("..", s.doc))
			if err != nil {
				t.Fatalf("%s: snippet %q: %v", file, s.name, err)
			}
			if !slices.ContainsFunc(fencedBlocks(string(guide), "go"), func(b string) bool { return strings.Contains(b, s.code) }) {
				t.Errorf("%s's %q snippet is in none of %s's go blocks; copy it there:\n%s", file, s.name, s.doc, s.code)
			}
		}
	}
	if found == 0 {
		t.Fatal("no test marks a snippet for docs/")
	}
}

type snippet struct{ doc, name, code string }

// markedSnippets finds the snippets of src, each with its lines' common
// indentation (that of its begin marker) removed.
func markedSnippets(src string) []snippet {
	var out []snippet
	lines := strings.Split(src, "\n")
	for i := 0; i < len(lines); i++ {
		trimmed := strings.TrimLeft(lines[i], "\t")
		rest, ok := strings.CutPrefix(trimmed, "// docs/")
		if !ok {
			continue
		}
		doc, name, ok := strings.Cut(rest, " snippet begin")
		if !ok {
			continue
		}
		indent := lines[i][:len(lines[i])-len(trimmed)]
		var code []string
		for i++; i < len(lines) && !strings.HasPrefix(strings.TrimLeft(lines[i], "\t"), "// docs/"+doc+" snippet end"); i++ {
			code = append(code, strings.TrimPrefix(lines[i], indent))
		}
		out = append(out, snippet{doc: "docs/" + doc, name: strings.TrimPrefix(name, ": "), code: strings.Trim(strings.Join(code, "\n"), "\n")})
	}
	return out
}
