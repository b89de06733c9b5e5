package tenantfile_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

// newCertificate returns a self-signed certificate of key, PEM-encoded
// as openssl writes one (64-character lines).
func newCertificate(t testing.TB, key crypto.Signer, name string) string {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func rsaKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func privateKeyPEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// quote writes s as a YAML (and JSON) string on one line.
func quote(s string) string { return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"` }

// TestSignInFields decodes every sign-in field, in YAML and in JSON, and
// encodes the tenant back: passwords are left out, certificates inline.
func TestSignInFields(t *testing.T) {
	cert := newCertificate(t, rsaKey(t), "console")
	yamlFile := tenantLines + `users:
  - userPrincipalName: adele@contoso.com
    password: adele-password-1
  - userPrincipalName: alex@contoso.com
appRegistrations:
  - displayName: console
    certificates:
      - |
` + indent(cert, "        ") + `    redirectUris: ["https://console.contoso.example/signin", "http://localhost:5000/cb"]
    spaRedirectUris: ["http://127.0.0.1:3000"]
    identifierUris: ["api://console.contoso.example"]
    exposedScopes: [access_as_user, Console.Admin]
  - displayName: cli
    publicClient: true
    redirectUris: ["http://localhost", "msalcli://auth", "myapp:/callback", "http://[::1]:8400"]
    delegatedPermissions: [User.Read, Chat.Read]
`
	jsonFile := `{"tenant": {"id": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"},
"users": [{"userPrincipalName": "adele@contoso.com", "password": "adele-password-1"}, {"userPrincipalName": "alex@contoso.com"}],
"appRegistrations": [
  {"displayName": "console", "certificates": [` + quote(cert) + `],
   "redirectUris": ["https://console.contoso.example/signin", "http://localhost:5000/cb"],
   "spaRedirectUris": ["http://127.0.0.1:3000"], "identifierUris": ["api://console.contoso.example"],
   "exposedScopes": ["access_as_user", "Console.Admin"]},
  {"displayName": "cli", "publicClient": true,
   "redirectUris": ["http://localhost", "msalcli://auth", "myapp:/callback", "http://[::1]:8400"],
   "delegatedPermissions": ["User.Read", "Chat.Read"]}]}`
	y := decodeBoth(t, yamlFile, jsonFile)
	adele, alex := y.Users[0].ID, y.Users[1].ID
	if !reflect.DeepEqual(y.Passwords, map[string]string{adele: "adele-password-1"}) || y.Users[0].PasswordHash != "" {
		t.Errorf("passwords %v, user %+v: want adele's password in Passwords only", y.Passwords, y.Users[0])
	}
	console, cli := y.AppRegistrations[0], y.AppRegistrations[1]
	want := &teamsops.AppRegistration{ClientID: console.ClientID, TenantID: y.Tenant.ID, DisplayName: "console",
		Certificates:    []string{cert},
		RedirectURIs:    []string{"https://console.contoso.example/signin", "http://localhost:5000/cb"},
		SPARedirectURIs: []string{"http://127.0.0.1:3000"}, IdentifierURIs: []string{"api://console.contoso.example"},
		ExposedScopes: []string{"access_as_user", "Console.Admin"}}
	if !reflect.DeepEqual(console, want) {
		t.Errorf("console:\n got %+v\nwant %+v", console, want)
	}
	if !cli.PublicClient || len(cli.RedirectURIs) != 4 || !reflect.DeepEqual(cli.DelegatedScopes, []string{"User.Read", "Chat.Read"}) {
		t.Errorf("cli: %+v", cli)
	}

	doc, err := tenantfile.Encode(y)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(doc), "password") {
		t.Errorf("the document holds a password: %s", doc)
	}
	back, err := tenantfile.Decode("encoded", doc)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	if back.Passwords[alex] != "" || len(back.Passwords) != 0 {
		t.Errorf("passwords read back: %v", back.Passwords)
	}
	y.Passwords = map[string]string{}
	if !reflect.DeepEqual(back, y) {
		t.Errorf("round trip changed the tenant:\n got %+v\nwant %+v", back, y)
	}
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// TestCertificates reads certificates inline and from files next to the
// tenant file, and checks each problem one can have.
func TestCertificates(t *testing.T) {
	key := rsaKey(t)
	cert := newCertificate(t, key, "app")
	other := newCertificate(t, key, "other")
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string]string{
		"certs/app.pem":      cert,
		"certs/bundle.pem":   "Bag Attributes\n    friendlyName: app\n" + cert,
		"certs/with-key.pem": cert + privateKeyPEM(t, key),
		"certs/ec.pem":       newCertificate(t, ecKey, "ec"),
		"certs/chain.pem":    cert + other,
		"certs/not-der.pem":  "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tenantFile := filepath.Join(dir, "tenant.yaml")
	// Each item is on line 5, at column 20 (after "    certificates: [").
	tests := []struct {
		name  string
		items string
		want  []string // certificates, or errors after "FILE:5:COLUMN: appRegistrations[0].certificates[i]: "
	}{
		{"inline", quote(cert), []string{cert}},
		{"a relative path", "certs/app.pem", []string{cert}},
		{"a path through ..", "../" + filepath.Base(dir) + "/certs/app.pem", []string{cert}},
		{"an absolute path", filepath.Join(dir, "certs/app.pem"), []string{cert}},
		{"text around the PEM", "certs/bundle.pem", []string{cert}},
		{"two of them", "certs/app.pem, " + quote(other), []string{cert, other}},
		{"missing", "certs/missing.pem",
			[]string{"20: cannot read the certificate: open " + filepath.Join(dir, "certs/missing.pem") + ": no such file or directory"}},
		{"a directory", "certs", []string{"20: cannot read the certificate: read " + filepath.Join(dir, "certs") + ": is a directory"}},
		{"with its private key", "certs/with-key.pem",
			[]string{`20: "certs/with-key.pem" holds a private key: list a certificate, not a private key`}},
		{"a private key inline", quote(privateKeyPEM(t, key)),
			[]string{`20: this value holds a private key: list a certificate, not a private key`}},
		{"not RSA", "certs/ec.pem",
			[]string{`20: "certs/ec.pem" holds a certificate with an ECDSA key: Entra takes client assertions signed with RSA keys only`}},
		{"a chain", "certs/chain.pem", []string{`20: "certs/chain.pem" holds 2 certificates: list each as an item of its own`}},
		{"not DER", "certs/not-der.pem", []string{`20: "certs/not-der.pem" is not an X.509 certificate: `}},
		{"listed twice", "certs/app.pem, certs/bundle.pem", []string{`35: this certificate is listed twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tenantLines + apps + "    certificates: [" + tt.items + "]\n"
			if err := os.WriteFile(tenantFile, []byte(file), 0o600); err != nil {
				t.Fatal(err)
			}
			ds, err := tenantfile.ReadFiles(tenantFile)
			if strings.HasPrefix(tt.want[0], "-----BEGIN") {
				if err != nil {
					t.Fatal(err)
				}
				if got := ds[0].AppRegistrations[0].Certificates; !reflect.DeepEqual(got, tt.want) {
					t.Errorf("certificates:\n%q\nwant\n%q", got, tt.want)
				}
				return
			}
			es, ok := err.(tenantfile.Errors)
			if !ok || len(es) != len(tt.want) {
				t.Fatalf("ReadFiles: %v; want %d errors", err, len(tt.want))
			}
			for i, e := range es {
				column, msg, _ := strings.Cut(tt.want[i], ": ")
				prefix := tenantFile + ":5:" + column + ": appRegistrations[0].certificates["
				if got := e.Error(); !strings.HasPrefix(got, prefix) || !strings.Contains(got, "]: "+msg) {
					t.Errorf("error %q, want %s…]: %s", got, prefix, msg)
				}
			}
		})
	}
}

// TestDecodeFS reads a tenant file and its certificate from a file
// system, as the demo reads its embedded file.
func TestDecodeFS(t *testing.T) {
	cert := newCertificate(t, rsaKey(t), "app")
	file := tenantLines + apps + "    certificates: [certs/app.pem]\n"
	fsys := fstest.MapFS{
		"tenants/tenant.yaml":   {Data: []byte(file)},
		"tenants/certs/app.pem": {Data: []byte(cert)},
		"escape.yaml":           {Data: []byte(tenantLines + apps + "    certificates: [../app.pem]\n")},
	}
	d, err := tenantfile.DecodeFS(fsys, "tenants/tenant.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.AppRegistrations[0].Certificates; len(got) != 1 || got[0] != cert {
		t.Errorf("certificates %q", got)
	}
	_, err = tenantfile.DecodeFS(fsys, "escape.yaml")
	if err == nil || !strings.HasPrefix(err.Error(), "escape.yaml:5:20: appRegistrations[0].certificates[0]: cannot read the certificate: open ../app.pem: ") {
		t.Errorf("a path out of the file system: %v", err)
	}
	_, err = tenantfile.DecodeFS(fsys, "missing.yaml")
	if err == nil || err.Error() != "missing.yaml:1:1: open missing.yaml: file does not exist" {
		t.Errorf("a missing file: %v", err)
	}
}
