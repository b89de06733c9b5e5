package authz

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestKnownListsEveryRule parses this package and checks that every
// package-level Rule variable is listed in rules, which Known reads, so
// that a table added later cannot be forgotten.
func TestKnownListsEveryRule(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	ruleVars := map[string]bool{}
	var listed []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				switch v := vs.Values[i].(type) {
				case *ast.CompositeLit:
					if typ, ok := v.Type.(*ast.Ident); ok && typ.Name == "Rule" {
						ruleVars[id.Name] = true
					}
					if id.Name == "rules" {
						for _, e := range v.Elts {
							listed = append(listed, e.(*ast.UnaryExpr).X.(*ast.Ident).Name)
						}
					}
				case *ast.Ident:
					ruleVars[id.Name] = true // an alias such as TeamRead = TeamOperationsRead
				}
			}
			return true
		})
	}
	for name := range ruleVars {
		if !slices.Contains(listed, name) && ast.IsExported(name) {
			t.Errorf("Rule %s is not in known.go's rules: Known would miss its permissions", name)
		}
	}
	if len(listed) < 10 {
		t.Errorf("found only %d rules listed: is the test still reading known.go?", len(listed))
	}
}

func TestKnown(t *testing.T) {
	k := Known()
	for _, tt := range []struct {
		list []string
		want string
	}{
		{k.Application, "Chat.Read.All"},
		{k.Application, "Team.Create"},
		{k.Application, "GroupMember.Read.All"},
		{k.Delegated, "Chat.Read"},
		{k.Delegated, "User.Read"},
		{k.Application, "User.ReadBasic.All"},
		{k.ResourceSpecific, "ChatSettings.Read.Chat"},
		{k.ResourceSpecific, "TeamSettings.ReadWrite.Group"},
	} {
		if !slices.Contains(tt.list, tt.want) {
			t.Errorf("Known() lacks %s", tt.want)
		}
	}
	for _, list := range [][]string{k.Delegated, k.Application, k.ResourceSpecific} {
		if !slices.IsSorted(list) || len(slices.Compact(slices.Clone(list))) != len(list) {
			t.Errorf("not sorted or has duplicates: %v", list)
		}
	}
	if slices.Contains(k.Application, "Chat.Read") {
		t.Error("a delegated scope is listed as an application permission")
	}
}
