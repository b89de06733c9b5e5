package tenantfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/teamsops/teamsops/tenantfile"
)

// FuzzDecode feeds the decoder arbitrary files: it never panics, it
// returns a declaration or errors (never both, never neither), every error
// has a place, and a declaration encodes to a document that decodes again.
func FuzzDecode(f *testing.F) {
	paths, _ := filepath.Glob("../examples/*.yaml")
	for _, p := range append(paths, "../demo/tenant.yaml") {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"", "tenant:", "{}", "[]", "a: &a [*a]", "a: &x 1\nb: *x", "tenant: !!str 1", "- - - -",
		tenantLines + users + "chats:\n  - chatType: oneOnOne\n    members: [adele, alex]\n",
		`{"tenant": {"id": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"}, "users": [{"userPrincipalName": "a@b.c"}]}`,
		tenantLines + teamT + "    settings: {funSettings: {giphyContentRating: strict}}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := tenantfile.Decode("fuzz.yaml", data)
		if (d == nil) == (err == nil) {
			t.Fatalf("Decode = %v, %v: want a declaration or an error", d, err)
		}
		if err != nil {
			es, ok := err.(tenantfile.Errors)
			if !ok || len(es) == 0 {
				t.Fatalf("error %T %v, want Errors", err, err)
			}
			for _, e := range es {
				if e.Line < 1 || e.Column < 1 || e.Message == "" {
					t.Fatalf("error without a place or message: %+v", e)
				}
			}
			return
		}
		doc, err := tenantfile.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tenantfile.Decode("encoded", doc); err != nil {
			t.Fatalf("a decoded tenant encodes to a document that does not decode: %v\n%s", err, doc)
		}
	})
}
