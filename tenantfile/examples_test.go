package tenantfile_test

import (
	"os"
	"path/filepath"
	"strings"
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
			d := decodeFile(t, path)
			if len(d.Users) == 0 || len(d.Teams) == 0 || len(d.Chats) == 0 || len(d.Operations) == 0 {
				t.Errorf("%s declares too little: %d users, %d teams, %d chats, %d operations",
					path, len(d.Users), len(d.Teams), len(d.Chats), len(d.Operations))
			}
		})
	}
}

// guide is the tenant files' guide, whose examples these tests read.
const guide = "../docs/own-tenant.md"

// TestGuideExample decodes the tenant file docs/own-tenant.md shows.
func TestGuideExample(t *testing.T) {
	text, err := os.ReadFile(guide)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(text), "\n## The file\n")
	if !ok {
		t.Fatal(`docs/own-tenant.md lacks the section "The file"`)
	}
	_, block, ok := strings.Cut(section, "\n```yaml\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !closed {
		t.Fatal(`the section "The file" of docs/own-tenant.md lacks a yaml block`)
	}
	d, err := tenantfile.Decode("own-tenant.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 3 || len(d.Teams) != 2 || len(d.Chats) != 2 || len(d.Operations) != 2 || len(d.FaultRules) != 2 {
		t.Errorf("docs/own-tenant.md's example declares %d users, %d teams, %d chats, %d operations, %d fault rules",
			len(d.Users), len(d.Teams), len(d.Chats), len(d.Operations), len(d.FaultRules))
	}
}

// TestGuideSignInExample reads the sign-in example of docs/own-tenant.md
// as a file, with the certificate it names beside it.
func TestGuideSignInExample(t *testing.T) {
	text, err := os.ReadFile(guide)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(text), "\n## Signing in\n")
	_, block, ok2 := strings.Cut(section, "\n```yaml\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !ok2 || !closed {
		t.Fatal(`docs/own-tenant.md lacks the section "Signing in" or its yaml block`)
	}
	dir := t.TempDir()
	cert := newCertificate(t, rsaKey(t), "fabrikam daemon")
	if err := os.Mkdir(filepath.Join(dir, "certs"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"tenant.yaml": block, "certs/daemon.pem": cert} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := tenantfile.ReadFiles(filepath.Join(dir, "tenant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	if len(d.Passwords) != 1 || len(d.AppRegistrations) != 2 || len(d.AppRegistrations[0].Certificates) != 1 ||
		!d.AppRegistrations[1].PublicClient {
		t.Errorf("docs/own-tenant.md's sign-in example declares %+v", d)
	}
}
