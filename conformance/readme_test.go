package conformance

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestREADMESnippets checks that each of the README's Go snippets is the
// code between the markers of a file here, which the tests run: the code
// users copy cannot drift from the code CI proves.
func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, section string }{
		{"snippet_test.go", "Using teamsops with the Graph SDKs"},
		{"lrosnippet_test.go", "Waiting for an operation"},
	} {
		src, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		_, snippet, _ := strings.Cut(string(src), "// README snippet begin\n")
		snippet, _, found := strings.Cut(snippet, "// README snippet end")
		if !found {
			t.Fatalf("%s lacks the README snippet markers", tt.file)
		}
		_, section, found := strings.Cut(string(readme), "\n## "+tt.section+"\n")
		if !found {
			t.Fatalf("README.md lacks the section %q", tt.section)
		}
		section, _, _ = strings.Cut(section, "\n## ")
		if blocks := fencedBlocks(section, "go"); !slices.Contains(blocks, strings.Trim(snippet, "\n")) {
			t.Errorf("README's Go snippet in %q differs from %s; copy the code between the markers into the README's go block", tt.section, tt.file)
		}
	}
}

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
