// Command csdltrim trims Graph's published CSDL to the types, navigation
// properties and entity sets teamsops serves, for odata/metadata. It reads
// the file from a git copy of microsoftgraph/msgraph-metadata, so that the
// output's header names the commit the types come from:
//
//	go run ./internal/csdltrim -git-dir ~/msgraph-metadata/.git -path schemas/v1.0-Prod.csdl -out odata/metadata/v1.0.xml
//	go run ./internal/csdltrim -git-dir ~/msgraph-metadata/.git -path schemas/beta-Prod.csdl -out odata/metadata/beta.xml
//
// Types are kept transitively: a kept type's base type and the types of
// its properties and of its served actions' parameters. Descriptions and
// annotations are left out; navigation properties and bound actions are
// kept only where teamsops serves them, so that every route it serves
// resolves through the trimmed file (http/routes_test.go).
package main

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// served lists the entity types teamsops answers with and, for each, the
// navigation properties it routes (http/route.go, teamroute.go,
// listroute.go). A navigation the source lacks stays absent.
var served = map[string][]string{
	"entity":               nil,
	"directoryObject":      nil,
	"teamsAsyncOperation":  nil,
	"chat":                 {"operations", "permissionGrants", "members", "installedApps"},
	"team":                 {"operations", "members", "channels"},
	"channel":              nil,
	"group":                {"team"},
	"user":                 {"chats", "joinedTeams"},
	"subscription":         nil,
	"teamsAppInstallation": {"teamsApp"}, // $expand=teamsApp
	"teamsApp":             nil,
	// the @odata.type of a chat's and a team's members
	"aadUserConversationMember": nil,
}

// servedActions lists, for each entity type, the actions bound to it that
// teamsops serves (http/routes.go).
var servedActions = map[string][]string{
	"team":         {"archive", "unarchive", "clone"},
	"channel":      {"archive", "unarchive"},
	"subscription": {"reauthorize"},
}

// roots are kept besides the entity types' own references.
var roots = []string{"operationError", "teamsAsyncOperationType", "teamsAsyncOperationStatus"}

// containerMembers are the entity sets and singletons teamsops serves.
var containerMembers = []string{"chats", "teams", "groups", "users", "me", "subscriptions"}

// node is any XML element, kept with its attributes in source order.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

func main() {
	gitDir := flag.String("git-dir", "", "git directory of a copy of microsoftgraph/msgraph-metadata")
	path := flag.String("path", "", "the CSDL's path in that repository, e.g. schemas/v1.0-Prod.csdl")
	out := flag.String("out", "", "the trimmed file to write")
	flag.Parse()
	if *gitDir == "" || *path == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	stamp, err := git(*gitDir, "log", "-1", "--format=%H %cI", "HEAD", "--", *path)
	if err != nil {
		log.Fatal(err)
	}
	commit, date, _ := strings.Cut(strings.TrimSpace(string(stamp)), " ")
	src, err := git(*gitDir, "show", "HEAD:"+*path)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	header := fmt.Sprintf("Trimmed from github.com/microsoftgraph/msgraph-metadata, %s, commit %s (%s), by internal/csdltrim.", *path, commit, date)
	if err := trim(&buf, src, header); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"--git-dir", dir}, args...)...)
	cmd.Stderr = os.Stderr
	return cmd.Output()
}

// trim writes the kept part of the microsoft.graph schema of src.
func trim(w io.Writer, src []byte, header string) error {
	var doc node
	if err := xml.Unmarshal(src, &doc); err != nil {
		return err
	}
	schema, ok := findSchema(doc)
	if !ok {
		return fmt.Errorf("no microsoft.graph schema")
	}
	types := map[string]node{}
	for _, n := range schema.Nodes {
		switch n.XMLName.Local {
		case "EntityType", "ComplexType", "EnumType":
			types[n.attr("Name")] = n
		}
	}
	keep := map[string]bool{}
	var visit func(name string) error
	visit = func(name string) error {
		if keep[name] {
			return nil
		}
		t, ok := types[name]
		if !ok {
			return fmt.Errorf("type %q is not in the microsoft.graph schema", name)
		}
		keep[name] = true
		refs := []string{t.attr("BaseType")}
		for _, p := range members(t) {
			refs = append(refs, p.attr("Type"))
		}
		for _, r := range refs {
			if local, ok := graphType(r); ok {
				if err := visit(local); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
		}
		return nil
	}
	for name := range served {
		if err := visit(name); err != nil {
			return err
		}
	}
	for _, name := range roots {
		if err := visit(name); err != nil {
			return err
		}
	}
	for _, n := range schema.Nodes {
		if served, _ := servedAction(n); served {
			for _, p := range n.Nodes {
				if local, ok := graphType(p.attr("Type")); ok {
					if err := visit(local); err != nil {
						return fmt.Errorf("action %s: %w", n.attr("Name"), err)
					}
				}
			}
		}
	}

	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- %s -->\n", header)
	fmt.Fprint(w, "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n  <edmx:DataServices>\n")
	fmt.Fprint(w, "    <Schema Namespace=\"microsoft.graph\" Alias=\"graph\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n")
	for _, n := range schema.Nodes {
		switch n.XMLName.Local {
		case "EntityType", "ComplexType", "EnumType":
			if keep[n.attr("Name")] {
				n.Nodes = members(n)
				write(w, n, 3)
			}
		case "Action", "Function":
			if served, _ := servedAction(n); served {
				for i := range n.Nodes {
					n.Nodes[i].Nodes = nil // annotations
				}
				write(w, n, 3)
			}
		case "EntityContainer":
			c := n
			c.Nodes = nil
			for _, m := range n.Nodes {
				if slices.Contains(containerMembers, m.attr("Name")) {
					m.Nodes = nil // bindings lead to types left out
					c.Nodes = append(c.Nodes, m)
				}
			}
			write(w, c, 3)
		}
	}
	fmt.Fprint(w, "    </Schema>\n  </edmx:DataServices>\n</edmx:Edmx>\n")
	return nil
}

// servedAction reports whether n is an action bound to one entity of a
// type in servedActions, by that type's list.
func servedAction(n node) (bool, string) {
	if n.XMLName.Local != "Action" || n.attr("IsBound") != "true" || len(n.Nodes) == 0 {
		return false, ""
	}
	binding := n.Nodes[0].attr("Type")
	local, ok := graphType(binding)
	if !ok || strings.HasPrefix(binding, "Collection(") {
		return false, ""
	}
	return slices.Contains(servedActions[local], n.attr("Name")), local
}

func findSchema(n node) (node, bool) {
	if n.XMLName.Local == "Schema" && n.attr("Namespace") == "microsoft.graph" {
		return n, true
	}
	for _, c := range n.Nodes {
		if s, ok := findSchema(c); ok {
			return s, true
		}
	}
	return node{}, false
}

// members returns the children of a type that are kept: properties,
// enum members, and the navigation properties teamsops serves.
func members(t node) []node {
	var kept []node
	for _, c := range t.Nodes {
		switch c.XMLName.Local {
		case "Key":
			kept = append(kept, c)
		case "Property", "Member":
			c.Nodes = nil // annotations
			kept = append(kept, c)
		case "NavigationProperty":
			if t.XMLName.Local == "EntityType" && slices.Contains(served[t.attr("Name")], c.attr("Name")) {
				c.Nodes = nil
				kept = append(kept, c)
			}
		}
	}
	return kept
}

// graphType returns the local name of a microsoft.graph type reference,
// Collection() removed.
func graphType(ref string) (string, bool) {
	ref = strings.TrimSuffix(strings.TrimPrefix(ref, "Collection("), ")")
	for _, prefix := range []string{"graph.", "microsoft.graph."} {
		if local, ok := strings.CutPrefix(ref, prefix); ok && !strings.Contains(local, ".") {
			return local, true
		}
	}
	return "", false
}

func write(w io.Writer, n node, depth int) {
	indent := strings.Repeat("  ", depth)
	fmt.Fprintf(w, "%s<%s", indent, n.XMLName.Local)
	for _, a := range n.Attrs {
		if a.Name.Space != "" {
			continue
		}
		var esc bytes.Buffer
		xml.EscapeText(&esc, []byte(a.Value))
		fmt.Fprintf(w, " %s=\"%s\"", a.Name.Local, esc.String())
	}
	if len(n.Nodes) == 0 {
		fmt.Fprint(w, " />\n")
		return
	}
	fmt.Fprint(w, ">\n")
	for _, c := range n.Nodes {
		write(w, c, depth+1)
	}
	fmt.Fprintf(w, "%s</%s>\n", indent, n.XMLName.Local)
}
