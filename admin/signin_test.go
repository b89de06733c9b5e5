package admin_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testcert"
)

// signInDoc is a tenant with a user's password, an app's certificate and
// a public client.
func signInDoc(t *testing.T, cert string) []byte {
	t.Helper()
	c, err := json.Marshal(cert)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(fmt.Sprintf(`{"tenant": {"id": %q},
	"users": [{"id": %q, "userPrincipalName": "adele@t.example.com", "password": "adele-password"}],
	"appRegistrations": [
		{"clientId": %q, "displayName": "console", "certificates": [%s],
		 "identifierUris": ["api://console"], "exposedScopes": ["access_as_user"]},
		{"clientId": %q, "displayName": "cli", "publicClient": true, "redirectUris": ["http://localhost"],
		 "delegatedPermissions": ["User.Read", "Chat.Read"]}]}`, tenantA, adele, console, c, botApp))
}

// TestSignInFields posts a document with sign-in fields: the answer never
// holds the password or its hash, posting it again changes nothing, and a
// certificate given by path is refused, as a posted document has no
// directory to read it from.
func TestSignInFields(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	doc := signInDoc(t, testcert.SelfSigned(t, "console"))
	status, body, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, doc)
	if status != 201 {
		t.Fatalf("POST: status %d: %s", status, body)
	}
	for _, s := range []string{"password", "adele-password", "$2a$", "$2b$"} {
		if bytes.Contains(body, []byte(s)) {
			t.Errorf("the answer holds %q: %s", s, body)
		}
	}
	if status, again, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, doc); status != 200 || !bytes.Equal(again, body) {
		t.Errorf("POST again: status %d: %s", status, again)
	}
	if status, got, _ := e.do(t, "GET", "/_teamsops/tenants/"+tenantA, "Bearer "+adminToken, nil); status != 200 || !bytes.Equal(got, body) {
		t.Errorf("GET: status %d: %s", status, got)
	}

	withPath := bytes.Replace(doc, []byte(`"certificates": [`), []byte(`"certificates": ["certs/console.pem", `), 1)
	status, body, _ = e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, withPath)
	_, _, inner := graphError(t, body)
	problems, _ := inner["errors"].([]any)
	if status != 400 || len(problems) != 1 {
		t.Fatalf("a certificate path: status %d: %s", status, body)
	}
	want := map[string]any{"file": "request body", "line": float64(4), "column": float64(99), "path": "appRegistrations[0].certificates[0]",
		"message": `"certs/console.pem" is a path, and this document was not read from a file: give the certificate inline, as PEM`}
	if !reflect.DeepEqual(problems[0], want) {
		t.Errorf("problem %v\nwant %v", problems[0], want)
	}
}

// TestSignInFieldsRead reads the sign-in fields back from the answer, as
// the store keeps them.
func TestSignInFieldsRead(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	storeKeepsSignIn(t, e.srv.Store)
	cert := testcert.SelfSigned(t, "console")
	status, body, _ := e.do(t, "POST", "/_teamsops/tenants", "Bearer "+adminToken, signInDoc(t, cert))
	if status != 201 {
		t.Fatalf("POST: status %d: %s", status, body)
	}
	var got struct {
		AppRegistrations []struct {
			Certificates   []string
			PublicClient   bool
			RedirectURIs   []string `json:"redirectUris"`
			IdentifierURIs []string `json:"identifierUris"`
			ExposedScopes  []string
		}
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if a := got.AppRegistrations; len(a) != 2 || !reflect.DeepEqual(a[0].Certificates, []string{cert}) ||
		!reflect.DeepEqual(a[0].IdentifierURIs, []string{"api://console"}) || !reflect.DeepEqual(a[0].ExposedScopes, []string{"access_as_user"}) ||
		!a[1].PublicClient || !reflect.DeepEqual(a[1].RedirectURIs, []string{"http://localhost"}) {
		t.Errorf("the answer's apps: %+v", a)
	}
}

// storeKeepsSignIn skips a test that reads back what a store keeps of
// sign-in — password hashes, certificates, redirect URIs — from a store
// that does not keep it yet.
func storeKeepsSignIn(t *testing.T, s teamsops.Store) {
	t.Helper()
	ctx := t.Context()
	const tenant = "0a7d2f4c-2222-4e2b-9c3d-5e6f7a8b9c0d"
	a := &teamsops.AppRegistration{ClientID: "2e1b6d9f-4c3a-4b7e-8f0d-1a2b3c4d5e6f", TenantID: tenant, DisplayName: "probe",
		Certificates: []string{"probe"}, RedirectURIs: []string{"https://probe.example/"}, PublicClient: true}
	for _, err := range []error{s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant}), s.CreateAppRegistration(ctx, a)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.AppRegistration(ctx, tenant, a.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Certificates) == 0 || len(got.RedirectURIs) == 0 || !got.PublicClient {
		t.Skip("the store does not keep apps' sign-in fields yet")
	}
}
