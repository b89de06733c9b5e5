package conformance

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// TestREADMESnippet checks that the README's Go snippet is the code between
// the markers of snippet_test.go, which every test here runs: the code
// users copy cannot drift from the code CI proves.
func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("snippet_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, snippet, _ := strings.Cut(string(src), "// README snippet begin\n")
	snippet, _, found := strings.Cut(snippet, "// README snippet end")
	if !found {
		t.Fatal("snippet_test.go lacks the README snippet markers")
	}
	_, section, found := strings.Cut(string(readme), "\n## Using teamsops with the Graph SDKs\n")
	if !found {
		t.Fatal(`README.md lacks the section "Using teamsops with the Graph SDKs"`)
	}
	if blocks := fencedBlocks(section, "go"); !slices.Contains(blocks, strings.Trim(snippet, "\n")) {
		t.Errorf("README's Go snippet differs from snippet_test.go; copy the code between the markers into the README's go block")
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
