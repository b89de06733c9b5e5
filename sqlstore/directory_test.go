package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// Names that Entra compares ignoring case are folded in ASCII letters
// only, alike on both back ends (testdb chooses which): "É" and "é" stay
// two names, which may belong to two users or groups of the tenant.
func TestNamesFoldASCIIOnly(t *testing.T) {
	ctx := context.Background()
	s := testdb.New(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateTenant(ctx, &teamsops.Tenant{ID: "t1", DisplayName: "Contoso"}))
	must(s.CreateUser(ctx, &teamsops.User{ID: "u1", TenantID: "t1", UserPrincipalName: "Élodie@Contoso.com"}))
	must(s.CreateUser(ctx, &teamsops.User{ID: "u2", TenantID: "t1", UserPrincipalName: "élodie@contoso.com"}))
	created := time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC)
	must(s.CreateGroup(ctx, &teamsops.Group{ID: "g1", TenantID: "t1", MailNickname: "Ünits", CreatedDateTime: created}))
	must(s.CreateGroup(ctx, &teamsops.Group{ID: "g2", TenantID: "t1", MailNickname: "ünits", CreatedDateTime: created}))

	for name, want := range map[string]string{
		"Élodie@Contoso.com": "u1", "ÉLODIE@CONTOSO.COM": "u1",
		"élodie@contoso.com": "u2", "éLODIE@contoso.COM": "u2",
	} {
		u, err := s.User(ctx, "t1", name)
		if err != nil || u.ID != want {
			t.Errorf("User(%q) = %v, %v; want %s", name, u, err, want)
		}
	}
	for nickname, want := range map[string]string{"ÜNITS": "g1", "Ünits": "g1", "üNITS": "g2"} {
		g, err := s.GroupByMailNickname(ctx, "t1", nickname)
		if err != nil || g.ID != want {
			t.Errorf("GroupByMailNickname(%q) = %v, %v; want %s", nickname, g, err, want)
		}
	}
	// ASCII letters fold in the unique index too.
	err := s.CreateUser(ctx, &teamsops.User{ID: "u3", TenantID: "t1", UserPrincipalName: "ÉLODIE@contoso.com"})
	if teamsops.ErrorCode(err) != teamsops.ECONFLICT {
		t.Errorf("a user named as u1 but for ASCII case: %v, want ECONFLICT", err)
	}
}
