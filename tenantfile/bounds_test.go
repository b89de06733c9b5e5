package tenantfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// deepDocument is a tenant document whose users are n lists deep, in
// style "json", or YAML's "flow" or "block".
func deepDocument(n int, style string) []byte {
	const tenant = "tenant:\n  id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f\n"
	switch style {
	case "block":
		return []byte(tenant + "users:\n" + strings.Repeat("- ", n) + "x\n")
	case "flow":
		return []byte(tenant + "users: " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n")
	}
	return []byte(`{"tenant":{"id":"b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"},"users":` +
		strings.Repeat("[", n) + strings.Repeat("]", n) + "}")
}

// TestDecodeDeepDocument: a document nesting 100,000 levels (200 KB) is
// refused before the parser sees it, at the bracket that passed the
// limit, allocating next to nothing; the parser alone would take
// gigabytes and seconds.
func TestDecodeDeepDocument(t *testing.T) {
	for _, tc := range []struct {
		style string
		pos   Pos
	}{
		{"json", Pos{1, len(`{"tenant":{"id":"b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"},"users":`) + maxScanDepth - 2}}, // the line's level counts two, '{' one
		{"flow", Pos{3, len("users: ") + maxScanDepth - 1}},                                                          // the mapping counts two
		{"block", Pos{4, maxScanDepth + 1}},                                                                          // the 32nd "- " starts level 66
	} {
		t.Run(tc.style, func(t *testing.T) {
			data := deepDocument(100_000, tc.style)
			var err error
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err = Decode("deep.yaml", data)
			runtime.ReadMemStats(&after)
			var es Errors
			if !errors.As(err, &es) || len(es) != 1 {
				t.Fatalf("Decode = %v, want one error", err)
			}
			if !strings.Contains(es[0].Message, "nests more than 64 levels deep") || es[0].File != "deep.yaml" {
				t.Errorf("error %q, want the depth named", es[0])
			}
			if es[0].Pos != tc.pos {
				t.Errorf("error at %v, want %v", es[0].Pos, tc.pos)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 50<<20 {
				t.Errorf("Decode allocated %d MB, want less than 50", alloc>>20)
			}
		})
	}
}

// TestScanDepthExamples: every real tenant file passes the scan with
// room to spare.
func TestScanDepthExamples(t *testing.T) {
	for _, p := range examplePaths(t) {
		if err := scanDepth(readExample(t, p), maxScanDepth/2); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
}

// TestScanDepth: what the scan counts, and what it skips.
func TestScanDepth(t *testing.T) {
	for _, tc := range []struct {
		doc   string
		depth int // the least limit it passes
	}{
		{"", 0},
		{"a: b", 2},
		{"a:\n  b:\n    c: d\n", 6},
		{"- - - x", 8},
		{"- a: 1\n  b:\n    - c\n", 8},
		{"[[[]]]", 5},
		{"{a: [b, {c: d}]}", 5},
		{`a: "[[[[[[\"[["`, 2},
		{"a: '[[[['' [[['", 2},
		{"a: b [[[[ c", 2},
		{"a: b # [[[[[", 2},
		{"# [[[[[[\na: b", 2},
		{"a: |\n  [[[[[[\n  {{{{\nb: c", 2},
		{"a: >-\n    [[[[\n\n    [[[[\n", 2},
		{"a: |\n    x\n  [[[[\n", 8},
		{"a: |\n---\n[[[[\n", 6},
		{`{"a": "x]]]]", "b": [[[1]]]}`, 6},
		{"[a'b, [[[[]]]]]", 7},
		{"a: 'x\n---\n[[[[", 6},
		{"&a [*a, !!str [b]]", 4},
		{"a: b\n  [[[[\n", 4},
		{"a#b: [[[", 5},
	} {
		got := 0
		for ; got < 100 && scanDepth([]byte(tc.doc), got) != nil; got++ {
		}
		if got != tc.depth {
			t.Errorf("%q counts %d, want %d", tc.doc, got, tc.depth)
		}
	}
}

// FuzzScanDepth: the scan never panics, and it is an upper bound: a
// document it passes at some limit never nests deeper than that once
// parsed.
func FuzzScanDepth(f *testing.F) {
	for _, p := range examplePaths(f) {
		f.Add(readExample(f, p))
	}
	for _, s := range []string{"- - - x", "[[[]]]", "{a: [b, {c: d}]}", `a: "[[\"["`, "a: '[[''['",
		"a: |\n  [[[\nb: c", "a: b [[ c", "? - a\n: - b", "a: &x [*x]", "- a: 1\n  b:\n    - c\n",
		"[a'b, [[[]]]]", "a: 'x\n---\n[[[[", "a: b\n  c: [[["} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const limit = 8
		err := scanDepth(data, limit)
		if err != nil {
			if err.Line < 1 || err.Column < 1 || !strings.Contains(err.Message, "levels deep") {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(data) > 4096 {
			return // keep the parser's time per input small
		}
		f, perr := parser.ParseBytes(data, 0)
		if perr != nil {
			return
		}
		for _, d := range f.Docs {
			if n := nesting(d.Body); n > limit {
				t.Fatalf("the scan passed at %d a document nesting %d deep", limit, n)
			}
		}
	})
}

func examplePaths(t testing.TB) []string {
	var paths []string
	for _, g := range []string{"../examples/*.yaml", "../conformance/testdata/*.yaml", "../demo/*.yaml"} {
		m, err := filepath.Glob(g)
		if err != nil || len(m) == 0 {
			t.Fatalf("no files match %s", g)
		}
		paths = append(paths, m...)
	}
	return paths
}

func readExample(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// nesting is how many mappings and lists nest in n, as the parser built
// them: the reference FuzzScanDepth holds the scan to.
func nesting(n ast.Node) int {
	deepest := func(ns []ast.Node) int {
		m := 0
		for _, c := range ns {
			m = max(m, nesting(c))
		}
		return m
	}
	switch v := n.(type) {
	case nil:
		return 0
	case *ast.MappingNode:
		var ns []ast.Node
		for _, mv := range v.Values {
			ns = append(ns, mv.Key, mv.Value)
		}
		return 1 + deepest(ns)
	case *ast.MappingValueNode:
		return 1 + deepest([]ast.Node{v.Key, v.Value})
	case *ast.SequenceNode:
		return 1 + deepest(v.Values)
	case *ast.AnchorNode:
		return nesting(v.Value)
	case *ast.TagNode:
		return nesting(v.Value)
	case *ast.MappingKeyNode:
		return nesting(v.Value)
	case *ast.DocumentNode:
		return nesting(v.Body)
	}
	return 0
}

// TestReadFilesBounds: a tenant file too deep is refused naming the file,
// and one too large is refused without being read whole.
func TestReadFilesBounds(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "deep.json")
	if err := os.WriteFile(deep, deepDocument(100_000, "json"), 0o600); err != nil {
		t.Fatal(err)
	}
	large := filepath.Join(dir, "large.yaml")
	f, err := os.Create(large)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 30); err != nil { // sparse: takes no room
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = ReadFiles(deep, large)
	runtime.ReadMemStats(&after)
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("ReadFiles = %v, want two errors", err)
	}
	if es[0].File != deep || !strings.Contains(es[0].Message, "levels deep") || es[0].Line != 1 {
		t.Errorf("first error %v, want the depth of %s", es[0], deep)
	}
	if es[1].File != large || !strings.Contains(es[1].Message, "larger than") {
		t.Errorf("second error %v, want the size of %s", es[1], large)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 50<<20 {
		t.Errorf("ReadFiles allocated %d MB, want less than 50", alloc>>20)
	}
}
