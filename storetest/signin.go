package storetest

import (
	"testing"

	"github.com/teamsops/teamsops"
)

// What sign-in needs of the store (issue 17): users' password hashes, the
// app registration's sign-in settings, sign-in grants, and the tenant of
// a user name's domain.

// signInTests are the suite's tests of what sign-in needs.
var signInTests = []struct {
	name string
	fn   func(t *testing.T, s teamsops.Store)
}{
	{"UserPassword", testUserPassword},
	{"AppSignInSettings", testAppSignInSettings},
}

// testUserPassword: a user's password hash reads back by id and by name,
// and a later write replaces or clears it.
func testUserPassword(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	u := userOf(tenantA, user1)
	for _, tt := range []struct {
		name, hash string
	}{
		{"a password", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"another password", "$2a$10$7EqJtq98hPqEX7fNZaFWoOa1r7lCIk0vU0gk0w1wSJ1n5aXh8mZ8K"},
		{"no password", ""},
		{"a password again", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
	} {
		u.PasswordHash = tt.hash
		must(t, s.CreateUser(ctx, u))
		for _, key := range []string{u.ID, u.UserPrincipalName} {
			got, err := s.User(ctx, tenantA, key)
			must(t, err)
			wantEqual(t, tt.name+": user by "+key, got, u)
		}
	}
	// The same id in another tenant keeps its own (no) password.
	got, err := s.User(ctx, tenantB, user1)
	must(t, err)
	wantEqual(t, "tenant B's user", got, userOf(tenantB, user1))

	// In a transaction too.
	u2 := userOf(tenantA, user2)
	u2.PasswordHash = "$2a$10$inatransaction"
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return tx.CreateUser(ctx, u2) }))
	got, err = s.User(ctx, tenantA, user2)
	must(t, err)
	wantEqual(t, "user written in a transaction", got, u2)
}

// testAppSignInSettings: certificates, redirect URIs, the public client
// flag and the exposed API read back, an update replaces each of them,
// and an empty list reads back as none (nil), as the other lists do.
func testAppSignInSettings(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	const clientID = "5e1d3c2b-9a8f-4e7d-b6c5-a4b3c2d1e0f9"
	const cert = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUG4Zz\n-----END CERTIFICATE-----\n"
	full := teamsops.AppRegistration{
		ClientID: clientID, TenantID: tenantA, DisplayName: "sign-in app",
		SecretHashes:    []string{"$2a$10$secret"},
		Roles:           []string{"Chat.Read.All"},
		DelegatedScopes: []string{"Chat.Read"},
		Certificates:    []string{cert, cert + "\n"},
		RedirectURIs:    []string{"https://app.example.com/callback", "http://localhost:8400/"},
		SPARedirectURIs: []string{"https://spa.example.com/"},
		PublicClient:    true,
		IdentifierURIs:  []string{"api://" + clientID},
		ExposedScopes:   []string{"access_as_user", "Files.Read"},
	}
	for _, tt := range []struct {
		name  string
		write teamsops.AppRegistration
		want  teamsops.AppRegistration
	}{
		{"every setting", full, full},
		{"none", teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA},
			teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA}},
		{"every setting again", full, full},
		{"empty lists", teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA, DisplayName: "emptied",
			Certificates: []string{}, RedirectURIs: []string{}, SPARedirectURIs: []string{},
			IdentifierURIs: []string{}, ExposedScopes: []string{}},
			teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA, DisplayName: "emptied"}},
		{"one of each", teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA,
			Certificates: []string{cert}, RedirectURIs: []string{"msal" + clientID + "://auth"},
			SPARedirectURIs: []string{"http://localhost:3000"}, IdentifierURIs: []string{"https://contoso.com/api"},
			ExposedScopes: []string{"user_impersonation"}},
			teamsops.AppRegistration{ClientID: clientID, TenantID: tenantA,
				Certificates: []string{cert}, RedirectURIs: []string{"msal" + clientID + "://auth"},
				SPARedirectURIs: []string{"http://localhost:3000"}, IdentifierURIs: []string{"https://contoso.com/api"},
				ExposedScopes: []string{"user_impersonation"}}},
	} {
		write := tt.write
		must(t, s.CreateAppRegistration(ctx, &write))
		got, err := s.AppRegistration(ctx, tenantA, clientID)
		must(t, err)
		wantEqual(t, tt.name, got, &tt.want)
		err = s.Update(ctx, func(tx teamsops.Tx) error {
			got, err := tx.AppRegistration(ctx, tenantA, clientID)
			if err == nil {
				wantEqual(t, tt.name+", read in a transaction", got, &tt.want)
			}
			return err
		})
		must(t, err)
	}

	// Written in a transaction, and kept apart from another tenant's app
	// of the same client id.
	inB := full
	inB.TenantID, inB.PublicClient, inB.ExposedScopes = tenantB, false, []string{"tenant_b"}
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return tx.CreateAppRegistration(ctx, &inB) }))
	got, err := s.AppRegistration(ctx, tenantB, clientID)
	must(t, err)
	wantEqual(t, "tenant B's app", got, &inB)
	got, err = s.AppRegistration(ctx, tenantA, clientID)
	must(t, err)
	if got.PublicClient || len(got.ExposedScopes) != 1 || got.ExposedScopes[0] != "user_impersonation" {
		t.Errorf("tenant A's app after tenant B's write: %s", show(got))
	}
}
