package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/testcert"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
)

// handed records what applies hand the store inside their transactions:
// the users and app registrations written, as the store received them,
// whether or not it keeps every field.
type handed struct {
	teamsops.Store
	mu    sync.Mutex
	users []teamsops.User
	apps  []teamsops.AppRegistration
}

func (h *handed) Update(ctx context.Context, fn func(teamsops.Tx) error) error {
	return h.Store.Update(ctx, func(tx teamsops.Tx) error { return fn(handedTx{tx, h}) })
}

// take returns what was handed since the last take.
func (h *handed) take() ([]teamsops.User, []teamsops.AppRegistration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	users, apps := h.users, h.apps
	h.users, h.apps = nil, nil
	return users, apps
}

// apply applies a tenant file and returns the users and apps it handed
// the store, and the changes the store reported meanwhile.
func (h *handed) apply(t *testing.T, tenants *service.Tenants, file string) ([]teamsops.User, []teamsops.AppRegistration, []teamsops.Change) {
	t.Helper()
	seen := record(t, h)
	applied(t, tenants, "t.yaml", file)
	users, apps := h.take()
	return users, apps, seen.take()
}

type handedTx struct {
	teamsops.Tx
	h *handed
}

func (tx handedTx) CreateUser(ctx context.Context, u *teamsops.User) error {
	tx.h.mu.Lock()
	tx.h.users = append(tx.h.users, *u)
	tx.h.mu.Unlock()
	return tx.Tx.CreateUser(ctx, u)
}

func (tx handedTx) CreateAppRegistration(ctx context.Context, a *teamsops.AppRegistration) error {
	tx.h.mu.Lock()
	tx.h.apps = append(tx.h.apps, *a)
	tx.h.mu.Unlock()
	return tx.Tx.CreateAppRegistration(ctx, a)
}

// withPasswords is a tenant of two users: %s are Adele's password line
// and Alex's display name.
const withPasswords = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
users:
  - userPrincipalName: adele@contoso.com
    %s
  - userPrincipalName: alex@contoso.com
    displayName: %s
`

func passwordFile(adele, alexName string) string {
	line := "password: " + adele
	if adele == "" {
		line = "displayName: Adele"
	}
	return fmt.Sprintf(withPasswords, line, alexName)
}

// TestApplyPasswords applies a file with a password, again, and edited:
// the store is handed a bcrypt hash, never the password; applying the
// same file again writes nothing; changing only the password rewrites
// that user alone, and so does changing another field, keeping the hash.
func TestApplyPasswords(t *testing.T) {
	ctx := t.Context()
	s := &handed{Store: testdb.New(t)}
	tenants := &service.Tenants{Store: s}
	users, _, _ := s.apply(t, tenants, passwordFile("first-password", "Alex"))
	if len(users) != 2 || !identity.CheckSecret(users[0].PasswordHash, "first-password") || users[1].PasswordHash != "" {
		t.Fatalf("first apply handed %+v", users)
	}
	declared, err := s.Declared(ctx, editTenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range declared {
		if strings.Contains(e.Digest, "first-password") {
			t.Errorf("the record holds the password: %+v", e)
		}
	}

	tests := []struct {
		name, file string
		want       []string // the users written, by display name or first password
	}{
		{"the same file", passwordFile("first-password", "Alex"), nil},
		{"only the password changed", passwordFile("second-password", "Alex"), []string{"second-password"}},
		{"the same again", passwordFile("second-password", "Alex"), nil},
		{"another field changed", passwordFile("second-password", "Alex Wilber"), []string{"Alex Wilber"}},
		{"back to the first password", passwordFile("first-password", "Alex Wilber"), []string{"first-password"}},
		{"the password dropped", passwordFile("", "Alex Wilber"), []string{""}},
	}
	for _, tt := range tests {
		users, _, changes := s.apply(t, tenants, tt.file)
		var got []string
		for _, u := range users {
			switch {
			case u.DisplayName != "" && u.DisplayName != "Adele":
				got = append(got, u.DisplayName)
			case u.PasswordHash == "":
				got = append(got, "")
			case identity.CheckSecret(u.PasswordHash, "first-password"):
				got = append(got, "first-password")
			case identity.CheckSecret(u.PasswordHash, "second-password"):
				got = append(got, "second-password")
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: wrote %q, want %q", tt.name, got, tt.want)
		}
		if (len(changes) == 0) != (tt.want == nil) {
			t.Errorf("%s: %d changes reported", tt.name, len(changes))
		}
	}
}

// TestApplyPasswordKeepsHash: editing a user keeps its password's hash,
// rather than hashing it anew.
func TestApplyPasswordKeepsHash(t *testing.T) {
	ctx := t.Context()
	s := &handed{Store: testdb.New(t)}
	tenants := &service.Tenants{Store: s}
	file := passwordFile("pw", "Alex")
	for _, f := range []string{file, strings.Replace(file, "adele@", "Adele@", 1)} {
		if err := tenants.Apply(ctx, decode(t, "t.yaml", f)); err != nil {
			t.Fatal(err)
		}
	}
	users, _ := s.take()
	if len(users) != 3 || users[2].UserPrincipalName != "Adele@contoso.com" || users[2].PasswordHash != users[0].PasswordHash {
		t.Errorf("handed %+v: want Adele twice with one hash, Alex once", users)
	}
}

// storeKeepsSignIn skips a test that reads back what a store keeps of
// sign-in — password hashes, certificates, redirect URIs — from a store
// that does not keep it yet.
func storeKeepsSignIn(t *testing.T, s teamsops.Store) {
	t.Helper()
	ctx := t.Context()
	const tenant = "0a7d2f4c-2222-4e2b-9c3d-5e6f7a8b9c0d"
	u := &teamsops.User{ID: "1d0a5c8e-3b2f-4a6d-9e7c-0f1b2a3c4d5e", TenantID: tenant, UserPrincipalName: "probe@contoso.com", PasswordHash: "probe"}
	a := &teamsops.AppRegistration{ClientID: "2e1b6d9f-4c3a-4b7e-8f0d-1a2b3c4d5e6f", TenantID: tenant, DisplayName: "probe",
		Certificates: []string{"probe"}, RedirectURIs: []string{"https://probe.example/"}, PublicClient: true}
	for _, err := range []error{s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant}), s.CreateUser(ctx, u), s.CreateAppRegistration(ctx, a)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	gotUser, err := s.User(ctx, tenant, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotApp, err := s.AppRegistration(ctx, tenant, a.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if gotUser.PasswordHash == "" || len(gotApp.Certificates) == 0 || len(gotApp.RedirectURIs) == 0 || !gotApp.PublicClient {
		t.Skip("the store does not keep users' password hashes and apps' sign-in fields yet")
	}
}

// TestStoredPasswordHash reads back the hash an apply stored.
func TestStoredPasswordHash(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	storeKeepsSignIn(t, s)
	tenants := &service.Tenants{Store: s}
	d := applied(t, tenants, "t.yaml", passwordFile("first-password", "Alex"))
	u, err := s.User(ctx, editTenant, d.Users[0].ID)
	if err != nil || !identity.CheckSecret(u.PasswordHash, "first-password") {
		t.Fatalf("stored user %+v, %v", u, err)
	}
	if err := tenants.Apply(ctx, decode(t, "t.yaml", passwordFile("first-password", "Alex Wilber"))); err != nil {
		t.Fatal(err)
	}
	again, err := s.User(ctx, editTenant, d.Users[0].ID)
	if err != nil || again.PasswordHash != u.PasswordHash {
		t.Errorf("the hash changed though the password did not: %q, then %q (%v)", u.PasswordHash, again.PasswordHash, err)
	}
	got, err := tenants.Get(ctx, editTenant)
	if err != nil || got.Users[0].PasswordHash != "" || len(got.Passwords) != 0 {
		t.Errorf("Get returns a password or its hash: %+v, %v", got, err)
	}
}

// signInApps declares apps with every sign-in field; %s is the console's
// redirect URI.
const signInApps = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
appRegistrations:
  - displayName: console
    certificates: [%q]
    redirectUris: [%s]
    identifierUris: ["api://console"]
    exposedScopes: [access_as_user]
  - displayName: cli
    publicClient: true
    redirectUris: ["http://localhost"]
`

func signInFile(cert, redirect string) string { return fmt.Sprintf(signInApps, cert, redirect) }

// TestApplySignInFields: an app's certificates and redirect URIs are
// part of its declaration: changing one rewrites the app, and applying
// the same file again writes nothing.
func TestApplySignInFields(t *testing.T) {
	s := &handed{Store: testdb.New(t)}
	tenants := &service.Tenants{Store: s}
	cert := testcert.SelfSigned(t, "console")
	_, apps, _ := s.apply(t, tenants, signInFile(cert, "https://console.example/a"))
	if len(apps) != 2 || len(apps[0].Certificates) != 1 || apps[0].Certificates[0] != cert ||
		!slices.Equal(apps[0].RedirectURIs, []string{"https://console.example/a"}) || !apps[1].PublicClient {
		t.Fatalf("first apply handed %+v", apps)
	}
	if _, apps, changes := s.apply(t, tenants, signInFile(cert, "https://console.example/a")); len(apps) != 0 || len(changes) != 0 {
		t.Errorf("the same file again: wrote %+v, reported %v", apps, changes)
	}
	_, apps, changes := s.apply(t, tenants, signInFile(cert, "https://console.example/b"))
	if len(apps) != 1 || !slices.Equal(apps[0].RedirectURIs, []string{"https://console.example/b"}) || len(changes) == 0 {
		t.Errorf("a redirect URI changed: wrote %+v, reported %v", apps, changes)
	}
	_, apps, _ = s.apply(t, tenants, signInFile(testcert.SelfSigned(t, "console"), "https://console.example/b"))
	if len(apps) != 1 || apps[0].Certificates[0] == cert {
		t.Errorf("the certificate changed: wrote %+v", apps)
	}
}

// TestStoredSignInFields reads back an app's sign-in fields as stored.
func TestStoredSignInFields(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	storeKeepsSignIn(t, s)
	cert := testcert.SelfSigned(t, "console")
	d := decode(t, "t.yaml", signInFile(cert, "https://console.example/a"))
	if err := (&service.Tenants{Store: s}).Apply(ctx, d); err != nil {
		t.Fatal(err)
	}
	signIn := func(a *teamsops.AppRegistration) [][]string {
		return [][]string{a.Certificates, a.RedirectURIs, a.SPARedirectURIs, a.IdentifierURIs, a.ExposedScopes, {fmt.Sprint(a.PublicClient)}}
	}
	for _, want := range d.AppRegistrations {
		got, err := s.AppRegistration(ctx, editTenant, want.ClientID)
		if err != nil || !slices.EqualFunc(signIn(got), signIn(want), slices.Equal) {
			t.Errorf("stored %+v, %v\nwant %+v", got, err, want)
		}
	}
}
