package http_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/service"
)

// pageFile is one Graph page's examples, recorded as the page shows them
// (testdata/pages/{version}/{page}.json).
type pageFile struct {
	// Page is the page's path in microsoftgraph/microsoft-graph-docs-contrib,
	// Commit the commit it was read at, where known.
	Page     string        `json:"page"`
	Commit   string        `json:"commit,omitempty"`
	Examples []pageExample `json:"examples"`
}

// pageExample is one example of a page: its request and response as the
// page writes them, and how teamsops replays it.
type pageExample struct {
	Name     string       `json:"name"` // the request block's name on the page
	Request  pageRequest  `json:"request"`
	Response pageResponse `json:"response"`
	Replay   pageReplay   `json:"replay"`
}

type pageRequest struct {
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type pageResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// pageReplay maps the page's example to the demo tenant.
type pageReplay struct {
	// IDs maps an id (or placeholder) the page writes to a demo object
	// (pageObjects); in a response's headers, every mapped id is tolerated.
	IDs map[string]string `json:"ids"`
	// User signs in as a demo user with these scopes, for a page that
	// shows delegated permissions; otherwise the ops console app calls.
	User   string   `json:"user,omitempty"`
	Scopes []string `json:"scopes,omitempty"`
	// Setup are requests run (and their operations followed) first.
	Setup []pageRequest `json:"setup,omitempty"`
	// FollowOn is the version a 202's Location is read on, if not the
	// example's own.
	FollowOn string `json:"followOn,omitempty"`
	// Differences are what teamsops knowingly answers otherwise, each with
	// the section of docs/compatibility.md that says why.
	Differences []pageDifference `json:"differences,omitempty"`
}

// pageDifference replaces one expectation of the page.
type pageDifference struct {
	What string `json:"what"`
	See  string `json:"see"`
	// Status, Header/Value: what teamsops answers instead.
	Status int    `json:"status,omitempty"`
	Header string `json:"header,omitempty"`
	Value  string `json:"value,omitempty"`
	// Property is a body property (a path with dots) teamsops leaves out.
	Property string `json:"property,omitempty"`
}

// pageObjects are the demo objects a page's ids map to.
var pageObjects = map[string]string{
	"team":          demo.TeamID,
	"channel":       service.GeneralChannelID(demo.TeamID),
	"salesGroup":    demo.SalesGroup,
	"legalGroup":    demo.LegalGroup,
	"chat":          demo.ChatID,
	"chatOperation": demo.ChatOperation,
	"teamsApp":      demo.TeamsAppID,
	"adele":         demo.UserAdele,
	"alex":          demo.UserAlex,
	"megan":         demo.UserMegan,
	"any":           "", // an id only the response has: tolerated
}

var pageUsers = map[string]string{"adele": demo.UserAdele, "alex": demo.UserAlex, "megan": demo.UserMegan}

// TestPageExamples replays the example requests of Graph's pages in scope
// against the demo tenant and compares the answers with the page's: the
// status, the headers the page shows (Content-Type, the form of Location
// and Content-Location, an empty body), and the body's properties with
// their JSON types; ids and timestamps may differ.
func TestPageExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "pages", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no page examples: %v", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var pf pageFile
		if err := json.Unmarshal(raw, &pf); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		version := filepath.Base(filepath.Dir(file))
		if !strings.Contains(pf.Page, "/"+version+"/") || len(pf.Examples) == 0 {
			t.Errorf("%s: page %q is not a %s page, or has no examples", file, pf.Page, version)
		}
		for _, ex := range pf.Examples {
			t.Run(version+"/"+strings.TrimSuffix(filepath.Base(file), ".json")+"/"+ex.Name, func(t *testing.T) {
				replayExample(t, version, ex)
			})
		}
	}
}

func replayExample(t *testing.T, version string, ex pageExample) {
	for _, d := range ex.Replay.Differences {
		if d.What == "" || !strings.HasPrefix(d.See, "docs/compatibility.md#") {
			t.Fatalf("difference %+v: say what and where docs/compatibility.md explains it", d)
		}
	}
	e := newEnv(t)
	token := e.consoleToken()
	if ex.Replay.User != "" {
		token = e.userToken(pageUsers[ex.Replay.User], ex.Replay.Scopes...)
	}
	for _, s := range ex.Replay.Setup {
		e.runOp(version, s.Method, ex.Replay.mapIDs(t, s.URL), token, rawBody(ex.Replay.mapIDs(t, string(s.Body))))
	}
	path := ex.Replay.mapIDs(t, strings.TrimPrefix(ex.Request.URL, "https://graph.microsoft.com"))
	if !strings.HasPrefix(path, "/v1.0/") && !strings.HasPrefix(path, "/beta/") {
		path = "/" + version + path // a page's URL relative to the version
	}
	if !strings.HasPrefix(path, "/"+version+"/") {
		t.Fatalf("request %s is not on %s", ex.Request.URL, version)
	}
	var headers []string
	for k, v := range ex.Request.Headers {
		headers = append(headers, k, v)
	}
	var body []byte
	if len(ex.Request.Body) > 0 {
		body = []byte(ex.Replay.mapIDs(t, string(ex.Request.Body)))
	}
	res := e.doBody(ex.Request.Method, path, token, body, headers...)

	want := ex.Response
	for _, d := range ex.Replay.Differences {
		if d.Status != 0 {
			want.Status = d.Status
		}
	}
	if res.status != want.Status {
		t.Fatalf("%s %s: status %d, the page's %d\n%s", ex.Request.Method, path, res.status, want.Status, res.body)
	}
	for name, value := range want.Headers {
		for _, d := range ex.Replay.Differences {
			if strings.EqualFold(d.Header, name) {
				value = d.Value
			}
		}
		got := res.header.Get(name)
		switch strings.ToLower(name) {
		case "content-type":
			gotType, _, _ := mime.ParseMediaType(got)
			wantType, _, _ := mime.ParseMediaType(value)
			if gotType != wantType {
				t.Errorf("Content-Type %q, the page's %q", got, value)
			}
		case "content-length":
			if value == "0" && len(res.body) != 0 {
				t.Errorf("a body %q, the page's is empty", res.body)
			}
		case "location", "content-location":
			if !ex.Replay.headerForm(value).MatchString(got) {
				t.Errorf("%s %q is not of the page's form %q", name, got, value)
			}
		}
	}
	if len(want.Body) > 0 {
		var page, ours any
		if err := json.Unmarshal(want.Body, &page); err != nil {
			t.Fatalf("the page's body: %v", err)
		}
		if err := json.Unmarshal(res.body, &ours); err != nil {
			t.Fatalf("the answer's body: %v\n%s", err, res.body)
		}
		var skip []string
		for _, d := range ex.Replay.Differences {
			if d.Property != "" {
				skip = append(skip, d.Property)
			}
		}
		for _, diff := range sameShape("", page, ours, skip) {
			t.Error(diff)
		}
	}
	if res.status == http.StatusAccepted && res.header.Get("Location") != "" {
		// The Location leads to the operation, and it ends.
		on := version
		if ex.Replay.FollowOn != "" {
			on = ex.Replay.FollowOn
		}
		op := poll(t, e, e.base+"/"+on+res.header.Get("Location"), token)
		if op["status"] != "succeeded" {
			t.Errorf("the operation %v", op)
		}
	}
}

// mapIDs writes the demo's ids for the page's.
func (r pageReplay) mapIDs(t *testing.T, s string) string {
	t.Helper()
	keys := make([]string, 0, len(r.IDs))
	for k := range r.IDs {
		keys = append(keys, k)
	}
	// Longer ids first, so that none is replaced inside another.
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	for _, k := range keys {
		obj, ok := pageObjects[r.IDs[k]]
		if !ok {
			t.Fatalf("id %q maps to %q, which is no demo object", k, r.IDs[k])
		}
		if obj != "" {
			s = strings.ReplaceAll(s, k, obj)
		}
	}
	return s
}

// headerForm is a pattern of the page's Location (or Content-Location):
// its ids and placeholders stand for any key, quoted or not.
func (r pageReplay) headerForm(value string) *regexp.Regexp {
	for k := range r.IDs {
		value = strings.ReplaceAll(value, k, "{id}")
	}
	placeholder := regexp.MustCompile(`'?\{[^{}]*\}'?|'[^']*'`)
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, m := range placeholder.FindAllStringIndex(value, -1) {
		b.WriteString(regexp.QuoteMeta(value[last:m[0]]))
		b.WriteString(`'?[^/()']+'?`)
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(value[last:]) + "$")
	return regexp.MustCompile(b.String())
}

// sameShape compares an answer with the page's body: every property the
// page shows is there with the same JSON type (a null on the page stands
// for any); arrays are compared by their first elements; @odata.context by
// its form after the host. skip lists the properties left out knowingly.
func sameShape(at string, page, ours any, skip []string) []string {
	if slices.Contains(skip, at) {
		return nil
	}
	switch p := page.(type) {
	case nil:
		return nil
	case map[string]any:
		o, ok := ours.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: %s, the page's an object", orRoot(at), jsonKind(ours))}
		}
		var diffs []string
		for k, v := range p {
			sub := strings.TrimPrefix(at+"."+k, ".")
			ov, present := o[k]
			switch {
			case slices.Contains(skip, sub):
			case !present:
				diffs = append(diffs, fmt.Sprintf("%s: missing, the page has %s", sub, jsonKind(v)))
			case k == "@odata.context":
				if contextForm(v) != contextForm(ov) {
					diffs = append(diffs, fmt.Sprintf("%s: %v, the page's %v", sub, ov, v))
				}
			default:
				diffs = append(diffs, sameShape(sub, v, ov, skip)...)
			}
		}
		return diffs
	case []any:
		o, ok := ours.([]any)
		switch {
		case !ok:
			return []string{fmt.Sprintf("%s: %s, the page's an array", orRoot(at), jsonKind(ours))}
		case len(p) > 0 && len(o) == 0:
			return []string{fmt.Sprintf("%s: empty, the page's is not", orRoot(at))}
		case len(p) > 0:
			return sameShape(at+"[0]", p[0], o[0], skip)
		}
		return nil
	}
	if jsonKind(page) != jsonKind(ours) {
		return []string{fmt.Sprintf("%s: %s, the page's %s", orRoot(at), jsonKind(ours), jsonKind(page))}
	}
	return nil
}

// contextForm is an @odata.context without its host and with its keys
// as placeholders.
func contextForm(v any) string {
	s, _ := v.(string)
	_, frag, _ := strings.Cut(s, "/$metadata#")
	_, version, _ := strings.Cut(strings.TrimSuffix(s, "/$metadata#"+frag), "://")
	if i := strings.Index(version, "/"); i >= 0 {
		version = version[i:]
	}
	return version + "#" + regexp.MustCompile(`'[^']*'`).ReplaceAllString(frag, "'…'")
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	}
	return "an object"
}

func orRoot(at string) string {
	if at == "" {
		return "the body"
	}
	return at
}

// rawBody is a request body as the page writes it, or none.
func rawBody(s string) any {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
