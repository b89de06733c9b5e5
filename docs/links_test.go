package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// linkRe finds Markdown links and images: [text](target).
var linkRe = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestLinks checks that every relative link of README.md and the guides
// reaches a file of the repository, and a heading of it when it names
// one: moving a section must not leave links behind.
func TestLinks(t *testing.T) {
	files := []string{"README.md"}
	guides, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range guides {
		files = append(files, "docs/"+g)
	}
	for _, file := range files {
		text, err := os.ReadFile(filepath.Join("..", file))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(outsideFences(string(text)), "\n") {
			for _, m := range linkRe.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, anchor, _ := strings.Cut(target, "#")
				resolved := file
				if path != "" {
					resolved = filepath.ToSlash(filepath.Join(filepath.Dir(file), path))
				}
				if _, err := os.Stat(filepath.Join("..", resolved)); err != nil {
					t.Errorf("%s:%d: the link %q reaches no file (%s)", file, i+1, target, resolved)
					continue
				}
				if anchor != "" && strings.HasSuffix(resolved, ".md") {
					body, _ := os.ReadFile(filepath.Join("..", resolved))
					if !headingAnchors(string(body))[anchor] {
						t.Errorf("%s:%d: the link %q names no heading of %s", file, i+1, target, resolved)
					}
				}
			}
		}
	}
}

// outsideFences blanks the lines of fenced blocks, keeping line numbers.
func outsideFences(text string) string {
	lines := strings.Split(text, "\n")
	fence := ""
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case fence == "" && strings.HasPrefix(trimmed, "```"):
			fence = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, "`"))]
			lines[i] = ""
		case fence != "":
			if trimmed == fence {
				fence = ""
			}
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// headingAnchors returns the anchors GitHub gives a file's headings:
// lower case, punctuation dropped, spaces as hyphens.
func headingAnchors(text string) map[string]bool {
	anchors := map[string]bool{}
	for _, line := range strings.Split(outsideFences(text), "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchors[b.String()] = true
	}
	return anchors
}
