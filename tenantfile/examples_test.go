package tenantfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/teamsops/teamsops/tenantfile"
)

// TestExamples decodes every example tenant file and the demo tenant, so
// that they can never rot; package service's tests apply them.
func TestExamples(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("examples: %v %v", files, err)
	}
	for _, path := range append(files, "../demo/tenant.yaml") {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := tenantfile.Decode(filepath.Base(path), data)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Users) == 0 || len(d.Teams) == 0 || len(d.Chats) == 0 || len(d.Operations) == 0 {
				t.Errorf("%s declares too little: %d users, %d teams, %d chats, %d operations",
					path, len(d.Users), len(d.Teams), len(d.Chats), len(d.Operations))
			}
		})
	}
}
