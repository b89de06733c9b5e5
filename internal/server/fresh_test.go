package server_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/tenantfile"
)

// A tenant whose chat has two members, one of them Ben, and whose bot
// holds an RSC grant on it; removed is the same tenant without Ben in the
// chat and without the grant.
const (
	freshTenant = "11111111-2222-4333-8444-555555555555"
	ben         = "aaaaaaaa-0000-4000-8000-000000000002"
	bot         = "bbbbbbbb-0000-4000-8000-000000000001"
	freshChat   = "19:00000000000000000000000000000001@thread.v2"
	freshOp     = "cccccccc-0000-4000-8000-000000000001"
)

func freshDoc(withBen bool) string {
	members, grants := "[ann@fresh.example, ben@fresh.example]", `
permissionGrants:
  - {app: bot, chat: T, permission: ChatSettings.Read.Chat}`
	if !withBen {
		members, grants = "[ann@fresh.example, cat@fresh.example]", ""
	}
	return `tenant: {id: ` + freshTenant + `, displayName: Fresh}
users:
  - {id: aaaaaaaa-0000-4000-8000-000000000001, userPrincipalName: ann@fresh.example}
  - {id: ` + ben + `, userPrincipalName: ben@fresh.example}
  - {id: aaaaaaaa-0000-4000-8000-000000000003, userPrincipalName: cat@fresh.example}
appRegistrations:
  - {clientId: ` + bot + `, displayName: bot, clientSecrets: [s]}
chats:
  - {id: "` + freshChat + `", chatType: group, topic: T, members: ` + members + `}` + grants + `
operations:
  - {id: ` + freshOp + `, chat: T, operationType: createChat, status: succeeded, createdDateTime: "2024-01-01T00:00:00Z"}
`
}

func decl(t *testing.T, doc string) *teamsops.Declaration {
	t.Helper()
	d, err := tenantfile.Decode("fresh.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// freshServer serves the fresh tenant on db with the admin API.
func freshServer(t *testing.T, db string) (*server.Server, string) {
	t.Helper()
	profile, _ := engine.ProfileByName("instant")
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	srv, err := server.Open(t.Context(), server.Config{DB: db, PublicURL: base, Profile: profile,
		Tenants: []*teamsops.Declaration{decl(t, freshDoc(true))}, AdminToken: "admin-secret"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs.Config.Handler = srv.Handler
	hs.Start()
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Drain)
	return srv, base
}

// refused GETs the chat's operation as Ben and as the bot, and reports
// the two statuses.
func statuses(t *testing.T, srv *server.Server, base string) (asBen, asBot int) {
	t.Helper()
	get := func(c identity.Claims) int {
		tok, err := srv.Issuer.Issue(c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/v1.0/chats/"+freshChat+"/operations/"+freshOp, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	return get(identity.Claims{TenantID: freshTenant, UserID: ben, AppID: bot, Scopes: []string{"Chat.Read"}}),
		get(identity.Claims{TenantID: freshTenant, AppID: bot})
}

func wantStatuses(t *testing.T, what string, srv *server.Server, base string, want int) {
	t.Helper()
	if ben, bot := statuses(t, srv, base); ben != want || bot != want {
		t.Errorf("%s: Ben got %d, the bot %d; want %d", what, ben, bot, want)
	}
}

// postTenant applies a tenant document through the admin API.
func postTenant(t *testing.T, base, doc string) {
	t.Helper()
	d := decl(t, doc)
	body, err := tenantfile.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/_teamsops/tenants", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer admin-secret")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("POST /_teamsops/tenants: %d", res.StatusCode)
	}
}

// A member removed from a chat and an RSC grant revoked are refused by the
// very next request — answers are cached (package cache) — whether the
// change came through the admin API or from a tenant file applied by
// another process on the same database ("teamsops apply"), and, on
// PostgreSQL, on every replica.
func TestChangesRefusedAtOnce(t *testing.T) {
	db := testdb.DSN(t)
	a, baseA := freshServer(t, db)
	servers := []struct {
		srv  *server.Server
		base string
	}{{a, baseA}}
	if strings.HasPrefix(db, "postgres") {
		b, baseB := freshServer(t, db)
		servers = append(servers, struct {
			srv  *server.Server
			base string
		}{b, baseB})
	}
	other := testdb.Open(t, db) // another process's store, as teamsops apply opens it
	apply := func(doc string) {
		if err := (&service.Tenants{Store: other}).Apply(context.Background(), decl(t, doc)); err != nil {
			t.Fatal(err)
		}
	}
	for round := range 3 {
		for _, s := range servers {
			wantStatuses(t, "before", s.srv, s.base, http.StatusOK)
		}
		if round%2 == 0 {
			postTenant(t, baseA, freshDoc(false))
		} else {
			apply(freshDoc(false))
		}
		for _, s := range servers {
			wantStatuses(t, "after the change", s.srv, s.base, http.StatusForbidden)
		}
		if round%2 == 0 {
			apply(freshDoc(true))
		} else {
			postTenant(t, baseA, freshDoc(true))
		}
	}
}
