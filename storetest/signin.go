package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

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
	{"SignInGrants", testSignInGrants},
	{"SignInGrantTakenOnce", testSignInGrantTakenOnce},
	{"PruneSignInGrants", testPruneSignInGrants},
	{"DeleteTenantSignInGrants", testDeleteTenantSignInGrants},
	{"TenantByDomain", testTenantByDomain},
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

// grantOf returns a grant of tenant holding data, expiring in 2030.
func grantOf(tenant string, kind teamsops.SignInGrantKind, key, data string) *teamsops.SignInGrant {
	return &teamsops.SignInGrant{TenantID: tenant, Kind: kind, Key: key, Data: []byte(data),
		ExpiresAt: graphTime("2030-01-02T03:04:05.1234567Z")}
}

// testSignInGrants: grants are found by tenant, kind and key; Add refuses
// a key taken, Put replaces, Take and Delete remove; a grant of one tenant
// or kind is never found under another.
func testSignInGrants(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	const key = "h7Cq2v1cJ1h0kq6bTg4yVw"
	code := grantOf(tenantA, teamsops.GrantAuthorizationCode, key, `{"user":"1"}`)
	refresh := grantOf(tenantA, teamsops.GrantRefreshToken, key, `{"user":"1","scope":"openid"}`)
	codeB := grantOf(tenantB, teamsops.GrantAuthorizationCode, key, `{"user":"2"}`)
	noData := grantOf(tenantA, teamsops.GrantAssertionID, "jti-1", "")
	noData.Data = nil
	for _, g := range []*teamsops.SignInGrant{code, refresh, codeB, noData} {
		must(t, s.AddSignInGrant(ctx, g))
	}
	read := func(tenant string, kind teamsops.SignInGrantKind, key string) (*teamsops.SignInGrant, error) {
		t.Helper()
		return s.SignInGrant(ctx, tenant, kind, key)
	}
	for _, want := range []*teamsops.SignInGrant{code, refresh, codeB, noData} {
		got, err := read(want.TenantID, want.Kind, want.Key)
		must(t, err)
		wantEqual(t, fmt.Sprintf("%s grant of %s", want.Kind, want.TenantID[:4]), got, want)
	}
	missing := []struct {
		name   string
		tenant string
		kind   teamsops.SignInGrantKind
		key    string
	}{
		{"another tenant", tenantC, teamsops.GrantAuthorizationCode, key},
		{"another tenant's kind", tenantB, teamsops.GrantRefreshToken, key},
		{"another kind", tenantA, teamsops.GrantSession, key},
		{"another key", tenantA, teamsops.GrantAuthorizationCode, key + "x"},
		{"a key in another case", tenantA, teamsops.GrantAuthorizationCode, "H7CQ2V1CJ1H0KQ6BTG4YVW"},
	}
	for _, m := range missing {
		_, err := read(m.tenant, m.kind, m.key)
		wantCode(t, err, teamsops.ENOTFOUND, "")
		_, err = s.TakeSignInGrant(ctx, m.tenant, m.kind, m.key)
		wantCode(t, err, teamsops.ENOTFOUND, "")
		must(t, s.DeleteSignInGrant(ctx, m.tenant, m.kind, m.key))
	}

	// Add refuses a key taken, and leaves the grant as it was: a replayed
	// assertion id.
	replay := *code
	replay.Data, replay.ExpiresAt = []byte("replayed"), code.ExpiresAt.Add(time.Hour)
	wantCode(t, s.AddSignInGrant(ctx, &replay), teamsops.ECONFLICT, "")
	got, err := read(tenantA, code.Kind, key)
	must(t, err)
	wantEqual(t, "the grant after a refused Add", got, code)

	// Put replaces, and adds what is not there.
	must(t, s.PutSignInGrant(ctx, &replay))
	got, err = read(tenantA, code.Kind, key)
	must(t, err)
	wantEqual(t, "the grant after Put", got, &replay)
	session := grantOf(tenantA, teamsops.GrantSession, "session-1", "accounts")
	must(t, s.PutSignInGrant(ctx, session))
	got, err = read(tenantA, teamsops.GrantSession, "session-1")
	must(t, err)
	wantEqual(t, "a grant Put new", got, session)

	// Take returns the grant once; Delete removes it; neither touches the
	// same key of another kind or tenant.
	got, err = s.TakeSignInGrant(ctx, tenantA, teamsops.GrantRefreshToken, key)
	must(t, err)
	wantEqual(t, "the grant taken", got, refresh)
	_, err = s.TakeSignInGrant(ctx, tenantA, teamsops.GrantRefreshToken, key)
	wantCode(t, err, teamsops.ENOTFOUND, "")
	_, err = read(tenantA, teamsops.GrantRefreshToken, key)
	wantCode(t, err, teamsops.ENOTFOUND, "")
	must(t, s.DeleteSignInGrant(ctx, tenantA, teamsops.GrantAuthorizationCode, key))
	_, err = read(tenantA, teamsops.GrantAuthorizationCode, key)
	wantCode(t, err, teamsops.ENOTFOUND, "")
	for _, left := range []*teamsops.SignInGrant{codeB, noData, session} {
		got, err := read(left.TenantID, left.Kind, left.Key)
		must(t, err)
		wantEqual(t, fmt.Sprintf("%s grant left", left.Kind), got, left)
	}

	// Once removed, a key can be added again.
	must(t, s.AddSignInGrant(ctx, code))
	got, err = read(tenantA, code.Kind, key)
	must(t, err)
	wantEqual(t, "the grant added again", got, code)

	// A tenant that does not exist holds no grants.
	nowhere := grantOf("no-such-tenant", teamsops.GrantSession, "s", "x")
	wantCode(t, s.AddSignInGrant(ctx, nowhere), teamsops.EINVALID, "")
	wantCode(t, s.PutSignInGrant(ctx, nowhere), teamsops.EINVALID, "")
}

// testSignInGrantTakenOnce: of callers taking the same grant at once,
// exactly one gets it.
func testSignInGrantTakenOnce(t *testing.T, s teamsops.Store) {
	createTenants(t, s)
	takenOnce(t, []teamsops.Store{s})
}

// takenOnce adds grants through the first store and has 8 callers take
// each at once, spread over stores: exactly one must get it, whole, and
// the others ENOTFOUND.
func takenOnce(t *testing.T, stores []teamsops.Store) {
	t.Helper()
	ctx := t.Context()
	const callers = 8
	for round := range 5 {
		g := grantOf(tenantA, teamsops.GrantAuthorizationCode, fmt.Sprintf("code-%d", round), "redeem me once")
		must(t, stores[0].AddSignInGrant(ctx, g))
		got := make([]*teamsops.SignInGrant, callers)
		errs := make([]error, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				<-start
				got[i], errs[i] = stores[i%len(stores)].TakeSignInGrant(ctx, g.TenantID, g.Kind, g.Key)
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i := range callers {
			switch {
			case errs[i] == nil:
				winners++
				wantEqual(t, "the grant taken", got[i], g)
			case teamsops.ErrorCode(errs[i]) != teamsops.ENOTFOUND:
				t.Errorf("round %d, caller %d: %v, want the grant or ENOTFOUND", round, i, errs[i])
			}
		}
		if winners != 1 {
			t.Errorf("round %d: %d callers took the grant, want exactly 1", round, winners)
		}
	}
}

// testPruneSignInGrants: a prune deletes the grants of every tenant that
// expired before its time, none expiring at it or later, and counts them.
func testPruneSignInGrants(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	at := graphTime("2025-06-01T12:00:00.0000001Z")
	grants := []struct {
		tenant  string
		key     string
		expires time.Time
		pruned  bool
	}{
		{tenantA, "long-gone", at.Add(-24 * time.Hour), true},
		{tenantB, "just-gone", at.Add(-100 * time.Nanosecond), true},
		{tenantA, "zero-time", time.Time{}, true},
		{tenantA, "expiring-now", at, false},
		{tenantB, "later", at.Add(100 * time.Nanosecond), false},
		{tenantA, "much-later", at.Add(90 * 24 * time.Hour), false},
	}
	for _, g := range grants {
		must(t, s.PutSignInGrant(ctx, &teamsops.SignInGrant{TenantID: g.tenant, Kind: teamsops.GrantRefreshToken,
			Key: g.key, Data: []byte(g.key), ExpiresAt: g.expires}))
	}
	n, err := s.PruneSignInGrants(ctx, at)
	must(t, err)
	if n != 3 {
		t.Errorf("pruned %d grants, want 3", n)
	}
	for _, g := range grants {
		_, err := s.SignInGrant(ctx, g.tenant, teamsops.GrantRefreshToken, g.key)
		if g.pruned {
			wantCode(t, err, teamsops.ENOTFOUND, "")
		} else if err != nil {
			t.Errorf("grant %s after the prune: %v", g.key, err)
		}
	}
	if n, err := s.PruneSignInGrants(ctx, at); err != nil || n != 0 {
		t.Errorf("a second prune = %d, %v; want nothing deleted", n, err)
	}
	if n, err := s.PruneSignInGrants(ctx, at.Add(100*365*24*time.Hour)); err != nil || n != 3 {
		t.Errorf("a prune of everything = %d, %v; want 3", n, err)
	}
}

// testDeleteTenantSignInGrants: a tenant's deletion takes its grants, and
// only its own.
func testDeleteTenantSignInGrants(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	for _, tenant := range []string{tenantA, tenantB} {
		must(t, s.AddSignInGrant(ctx, grantOf(tenant, teamsops.GrantSession, "session", tenant)))
	}
	deleteTenantRolledBack(t, s, tenantA)
	if _, err := s.SignInGrant(ctx, tenantA, teamsops.GrantSession, "session"); err != nil {
		t.Errorf("the grant after a deletion rolled back: %v", err)
	}
	must(t, s.Update(ctx, func(tx teamsops.Tx) error { return tx.DeleteTenant(ctx, tenantA) }))
	_, err := s.SignInGrant(ctx, tenantA, teamsops.GrantSession, "session")
	wantCode(t, err, teamsops.ENOTFOUND, "")
	got, err := s.SignInGrant(ctx, tenantB, teamsops.GrantSession, "session")
	must(t, err)
	wantEqual(t, "tenant B's grant", got, grantOf(tenantB, teamsops.GrantSession, "session", tenantB))

	// Made again, the tenant starts without grants: the same key is free.
	must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: tenantA}))
	must(t, s.AddSignInGrant(ctx, grantOf(tenantA, teamsops.GrantSession, "session", "new")))
}

// testTenantByDomain: a verified domain names its tenant, ignoring ASCII
// case only; else the domain of users' principal names does, when one
// tenant alone has such users.
func testTenantByDomain(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s) // user1@b33c.example.com in A, user1@0a7d.example.com in B
	tenants := map[string]*teamsops.Tenant{}
	for id, domain := range map[string]string{tenantA: "Contoso.onmicrosoft.com", tenantC: "straße.example"} {
		tenants[id] = &teamsops.Tenant{ID: id, DisplayName: "Tenant " + id[:4], VerifiedDomain: domain}
		must(t, s.CreateTenant(ctx, tenants[id]))
	}
	tenants[tenantB] = &teamsops.Tenant{ID: tenantB, DisplayName: "Tenant " + tenantB[:4]}
	for _, u := range []*teamsops.User{
		{ID: "shared-b", TenantID: tenantB, UserPrincipalName: "b@shared.example.org"},
		{ID: "shared-c", TenantID: tenantC, UserPrincipalName: "c@SHARED.example.org"},
		{ID: "fabrikam", TenantID: tenantB, UserPrincipalName: "AdeleV@Fabrikam.com"},
		{ID: "umlaut", TenantID: tenantB, UserPrincipalName: "jürgen@bücher.example"},
		{ID: "verified-elsewhere", TenantID: tenantB, UserPrincipalName: "guest@contoso.onmicrosoft.com"},
	} {
		must(t, s.CreateUser(ctx, u))
	}
	for _, tt := range []struct {
		domain string
		want   string // tenant id; "" for ENOTFOUND
	}{
		{"Contoso.onmicrosoft.com", tenantA},
		{"contoso.onmicrosoft.com", tenantA}, // not B, whose user's name ends in it
		{"CONTOSO.ONMICROSOFT.COM", tenantA},
		{"onmicrosoft.com", ""},
		{"contoso.onmicrosoft", ""},
		{"straße.example", tenantC},
		{"STRAßE.EXAMPLE", tenantC},
		{"STRASSE.EXAMPLE", ""},
		{"b33c.example.com", tenantA},
		{"B33C.Example.COM", tenantA},
		{"0a7d.example.com", tenantB},
		{"fabrikam.com", tenantB},
		{"bücher.example", tenantB},
		{"BÜCHER.example", ""}, // ASCII case only, as Entra's names compare
		{"example.com", ""},    // user1@b33c.example.com is not of it
		{"33c.example.com", ""},
		{"shared.example.org", ""}, // users of B and C: ambiguous
		{"nowhere.example", ""},
		{"", ""}, // B has no verified domain, and no name ends in "@"
	} {
		got, err := s.TenantByDomain(ctx, tt.domain)
		if tt.want == "" {
			wantCode(t, err, teamsops.ENOTFOUND, "")
			continue
		}
		must(t, err)
		wantEqual(t, "tenant of "+tt.domain, got, tenants[tt.want])
	}
}
