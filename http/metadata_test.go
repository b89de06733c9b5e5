package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/teamsops/teamsops/demo"
)

// TestContextResolves follows the @odata.context of answers to the part
// before '#': GET $metadata, without a token as on Graph, is the CSDL.
func TestContextResolves(t *testing.T) {
	e := newEnv(t)
	token := e.appToken(demo.ConsoleApp, demo.ConsoleRoles...)
	for _, path := range []string{
		seedPath, // chat operations are beta only: v1.0 answers them 400
		"/v1.0/teams/" + demo.TeamID + "/operations/" + demo.TeamOperation,
	} {
		t.Run(path, func(t *testing.T) {
			res := e.get(path, token)
			if res.status != http.StatusOK {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			ctx, _ := res.json(t)["@odata.context"].(string)
			doc, _, ok := strings.Cut(ctx, "#")
			if !ok || !strings.HasSuffix(doc, "/$metadata") {
				t.Fatalf("@odata.context %q", ctx)
			}
			md := e.get(doc, "")
			if md.status != http.StatusOK {
				t.Fatalf("GET %s: status %d: %s", doc, md.status, md.body)
			}
			if ct := md.header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.Contains(string(md.body), `EntityType Name="teamsAsyncOperation"`) {
				t.Errorf("%s has no teamsAsyncOperation", doc)
			}
		})
	}
	if res := e.do(http.MethodPost, "/v1.0/$metadata", ""); res.status != http.StatusMethodNotAllowed {
		t.Errorf("POST $metadata: status %d", res.status)
	}
}
