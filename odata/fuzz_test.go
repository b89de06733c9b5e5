package odata

import (
	"errors"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// checkError fails unless err is an EINVALID *teamsops.Error: the parsers
// must never report anything a caller would turn into a 500.
func checkError(t *testing.T, err error) {
	t.Helper()
	var e *teamsops.Error
	if !errors.As(err, &e) || e.Code != teamsops.EINVALID || e.Message == "" {
		t.Fatalf("error %#v is not an EINVALID *teamsops.Error", err)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, tt := range pathTests {
		f.Add(tt.path)
	}
	for _, tt := range pathErrorTests {
		f.Add(tt.path)
	}
	f.Fuzz(func(t *testing.T, path string) {
		segs, err := ParsePath(path)
		if err != nil {
			checkError(t, err)
			return
		}
		rebuilt := ""
		for _, s := range segs {
			checkSegment(t, s)
			rebuilt += "/" + url.PathEscape(s.Name)
			if s.HasKey {
				rebuilt += "('" + EscapeKey(s.Key) + "')"
			}
		}
		again, err := ParsePath(rebuilt)
		if err != nil || !reflect.DeepEqual(again, segs) {
			t.Fatalf("ParsePath(%q) = %#v; rebuilt %q parses to %#v, %v", path, segs, rebuilt, again, err)
		}
	})
}

// checkSegment checks what the router may rely on in a parsed segment.
func checkSegment(t *testing.T, s Segment) {
	t.Helper()
	switch {
	case s.Name == "":
		t.Fatalf("segment %#v has no name", s)
	case s.HasKey && (s.Key == "" || slices.ContainsFunc([]rune(s.Name), func(r rune) bool { return r == '(' || r == ')' || r == '\'' })):
		t.Fatalf("keyed segment %#v", s)
	case !s.HasKey && (s.Key != "" || slices.Contains([]rune(s.Name), '(')):
		t.Fatalf("plain segment %#v", s)
	case !clean(s.Name) || !clean(s.Key):
		t.Fatalf("segment %#v is not clean UTF-8", s)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, tt := range queryTests {
		f.Add(tt.raw, tt.beta, tt.collection)
	}
	for _, tt := range queryErrorTests {
		f.Add(tt.raw, tt.beta, tt.collection)
	}
	f.Fuzz(func(t *testing.T, raw string, beta, collection bool) {
		q, err := ParseQuery(raw, props, beta, collection)
		if err != nil {
			checkError(t, err)
			return
		}
		checkSelect(t, q.Select, beta)
		if q.Top < 0 || q.Skip < 0 || q.Top > 1<<31-1 || q.Skip > 1<<31-1 || !q.HasTop && q.Top != 0 {
			t.Fatalf("ParseQuery(%q): Top %d (%v), Skip %d", raw, q.Top, q.HasTop, q.Skip)
		}
		if !collection && (q.Filter != nil || q.HasTop || q.Skip != 0 || q.Count) {
			t.Fatalf("ParseQuery(%q) on an entity = %#v", raw, q)
		}
		if q.Filter != nil {
			checkFilter(t, q.Filter, beta)
		}
	})
}

// checkSelect checks that names are canonical, known and unique.
func checkSelect(t *testing.T, names []string, beta bool) {
	t.Helper()
	if names != nil && len(names) == 0 {
		t.Fatalf("empty, non-nil Select")
	}
	for i, name := range names {
		p := exactProperty(name)
		if p == nil || p.BetaOnly && !beta || slices.Contains(names[:i], name) {
			t.Fatalf("Select %q: bad name %q", names, name)
		}
	}
}

func exactProperty(name string) *teamsops.Property {
	for i := range props {
		if props[i].Name == name {
			return &props[i]
		}
	}
	return nil
}

func FuzzParseFilter(f *testing.F) {
	for _, tt := range filterTests {
		f.Add(tt.filter, tt.beta)
	}
	for _, tt := range filterErrorTests {
		f.Add(tt.filter, tt.beta)
	}
	f.Fuzz(func(t *testing.T, filter string, beta bool) {
		got, err := ParseFilter(filter, props, beta)
		// Through ParseQuery, the same expression gives the same answer.
		q, qerr := ParseQuery("$filter="+url.QueryEscape(filter), props, beta, true)
		if !reflect.DeepEqual(q.Filter, got) || teamsops.ErrorMessage(err) != teamsops.ErrorMessage(qerr) {
			t.Fatalf("ParseFilter and ParseQuery disagree on %q: %v / %v", filter, err, qerr)
		}
		if err != nil {
			checkError(t, err)
			return
		}
		checkFilter(t, got, beta)
		text := formatFilter(got)
		if len(text) > MaxFilterLength {
			return
		}
		again, err := ParseFilter(text, props, beta)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("%q parses to %s, which parses to %s, %v", filter, text, formatFilter(again), err)
		}
	})
}

// checkFilter checks a parsed tree: well-formed nodes, comparisons on known
// filterable properties with values of the types teamsops.Filter documents,
// and a Match that does not panic.
func checkFilter(t *testing.T, f *teamsops.Filter, beta bool) {
	t.Helper()
	if f == nil {
		t.Fatalf("nil node")
	}
	switch f.Op {
	case teamsops.FilterAnd, teamsops.FilterOr:
		if f.Left == nil || f.Right == nil || f.Property != "" || f.Value != nil {
			t.Fatalf("bad %s node %#v", f.Op, f)
		}
		checkFilter(t, f.Left, beta)
		checkFilter(t, f.Right, beta)
	case teamsops.FilterNot:
		if f.Left == nil || f.Right != nil || f.Property != "" || f.Value != nil {
			t.Fatalf("bad not node %#v", f)
		}
		checkFilter(t, f.Left, beta)
	case eq, ne, gt, ge, lt, le:
		checkComparison(t, f, beta)
	default:
		t.Fatalf("unknown operator in %#v", f)
	}
	for _, op := range sampleOps {
		f.Match(op)
	}
}

func checkComparison(t *testing.T, f *teamsops.Filter, beta bool) {
	t.Helper()
	p := exactProperty(f.Property)
	if f.Left != nil || f.Right != nil || p == nil || !p.Filterable || p.BetaOnly && !beta {
		t.Fatalf("bad comparison %#v", f)
	}
	equality := f.Op == eq || f.Op == ne
	ok := false
	switch v := f.Value.(type) {
	case nil:
		ok = equality
	case string:
		m, member := teamsops.LookupEnumMember(p.Enum, v)
		ok = p.Type == teamsops.TypeString ||
			p.Type == teamsops.TypeEnum && equality && member && (beta || m.InV1)
	case int64:
		ok = p.Type == teamsops.TypeInt32
	case time.Time:
		ok = p.Type == teamsops.TypeDateTimeOffset && v.Location() == time.UTC
	}
	if !ok {
		t.Fatalf("comparison %#v does not type-check", f)
	}
}
