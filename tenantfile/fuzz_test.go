package tenantfile_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/sqlite"
	"github.com/teamsops/teamsops/tenantfile"
)

// FuzzDecode feeds the decoder arbitrary files: it never panics, it
// returns a declaration or errors (never both, never neither), every error
// has a place, and a declaration encodes to a document that decodes again.
// A declaration is then applied to a store: it applies whole or not at
// all, and applying it again changes nothing.
func FuzzDecode(f *testing.F) {
	store, err := sqlite.Open(context.Background(), ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	tenants := &service.Tenants{Store: store}
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
		tenantLines + apps + "faultRules:\n  - {app: console, operationType: createTeam, action: fail, errorCode: x, errorMessage: y}\n" +
			"  - {id: r-2, app: console, action: transient, attempts: 3}\n",
		tenantLines + "users:\n  - {userPrincipalName: a@b.c, password: pw}\n" + apps +
			"    certificates: [" + quote(newCertificate(f, rsaKey(f), "app")) + "]\n    publicClient: true\n" +
			"    redirectUris: [\"http://localhost\", \"msalapp://auth\"]\n    spaRedirectUris: [\"https://app.example/\"]\n" +
			"    identifierUris: [\"api://app\"]\n    exposedScopes: [access_as_user]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := tenantfile.Decode("fuzz.yaml", data)
		if (d == nil) == (err == nil) {
			t.Fatalf("Decode = %v, %v: want a declaration or an error", d, err)
		}
		if err != nil {
			checkErrors(t, err)
			return
		}
		doc, err := tenantfile.Encode(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tenantfile.Decode("encoded", doc); err != nil {
			t.Fatalf("a decoded tenant encodes to a document that does not decode: %v\n%s", err, doc)
		}
		checkApply(t, tenants, d)
	})
}

// checkApply applies d to a tenant that does not exist: if the apply
// fails, nothing of the tenant may be left; if it succeeds, a second apply
// must change nothing. Secrets and passwords are left out: bcrypt would
// make each run take a tenth of a second, and tests of package service
// cover them.
func checkApply(t *testing.T, tenants *service.Tenants, d *teamsops.Declaration) {
	ctx := context.Background()
	tenants.Delete(ctx, d.Tenant.ID)
	d.ClientSecrets, d.Passwords = nil, nil
	if err := tenants.Apply(ctx, d); err != nil {
		rows, err := testdb.TenantRows(ctx, tenants.Store, d.Tenant.ID)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range rows {
			if n > 0 {
				t.Fatalf("a failed apply left %d rows in %s", n, table)
			}
		}
		return
	}
	before, err := tenants.Get(ctx, d.Tenant.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := tenants.Apply(ctx, d); err != nil {
		t.Fatalf("a second apply failed: %v", err)
	}
	after, err := tenants.Get(ctx, d.Tenant.ID)
	if err != nil || !reflect.DeepEqual(before, after) {
		t.Fatalf("a second apply changed the tenant (%v)", err)
	}
	if err := tenants.Delete(ctx, d.Tenant.ID); err != nil {
		t.Fatal(err)
	}
}

// FuzzDecodeFaultRule feeds DecodeFaultRule, the admin API's reader of a
// rule, arbitrary bodies: it never panics, it returns a rule or errors
// with places, a rule validates as the store requires, and it encodes to
// a body that decodes to the same rule.
func FuzzDecodeFaultRule(f *testing.F) {
	d := decodeFile(f, "../examples/northwind.yaml")
	for _, r := range d.FaultRules {
		b, err := tenantfile.EncodeFaultRule(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "{}", "[]", "null", `{"app": "northwind desk"}`, "app: northwind desk\naction: transient\nattempts: 1001\n",
		`{"id": "x", "app": "northwind desk", "operationType": "createTeem", "action": "fail", "errorCode": "", "attempts": 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tenantfile.DecodeFaultRule("body", data, d)
		if (r == nil) == (err == nil) {
			t.Fatalf("DecodeFaultRule = %v, %v: want a rule or an error", r, err)
		}
		if err != nil {
			checkErrors(t, err)
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("a decoded rule does not validate: %v (%+v)", err, r)
		}
		b, err := tenantfile.EncodeFaultRule(r)
		if err != nil {
			t.Fatal(err)
		}
		if back, err := tenantfile.DecodeFaultRule("encoded", b, d); err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("%s decodes to %+v, %v; want %+v", b, back, err, r)
		}
	})
}

// checkErrors wants err to be Errors, each with a place and a message.
func checkErrors(t *testing.T, err error) {
	t.Helper()
	es, ok := err.(tenantfile.Errors)
	if !ok || len(es) == 0 {
		t.Fatalf("error %T %v, want Errors", err, err)
	}
	for _, e := range es {
		if e.Line < 1 || e.Column < 1 || e.Message == "" {
			t.Fatalf("error without a place or message: %+v", e)
		}
	}
}
