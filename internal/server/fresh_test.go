package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/tenantfile"
)

// A tenant whose chat has two members, one of them Ben, and whose bot
// holds an RSC grant on it; freshDoc(false) is the same tenant without
// Ben in the chat and without the grant.
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
type freshServer struct {
	srv  *server.Server
	base string
}

// wantStatuses GETs the chat's operation as Ben (delegated) and as the
// bot (application, by its RSC grant), and wants status for both.
func (f freshServer) wantStatuses(t *testing.T, what string, want int) {
	t.Helper()
	get := func(c identity.Claims) int {
		tok, err := f.srv.Issuer.Issue(c, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return call(t, http.MethodGet, f.base+"/beta/chats/"+freshChat+"/operations/"+freshOp, tok, "").StatusCode
	}
	asBen := get(identity.Claims{TenantID: freshTenant, UserID: ben, AppID: bot, Scopes: []string{"Chat.Read"}})
	asBot := get(identity.Claims{TenantID: freshTenant, AppID: bot})
	if asBen != want || asBot != want {
		t.Errorf("%s, on %s: Ben got %d, the bot %d; want %d", what, f.base, asBen, asBot, want)
	}
}

// A member removed from a chat and an RSC grant revoked are refused by the
// very next request — answers are cached (package cache) — whether the
// change came through the admin API, from a tenant file applied by another
// process on the same database ("teamsops apply"), or straight into that
// process's store; and, on PostgreSQL, on every replica.
func TestChangesRefusedAtOnce(t *testing.T) {
	db := testdb.DSN(t)
	replicas := 1
	if strings.HasPrefix(db, "postgres") {
		replicas = 2
	}
	var servers []freshServer
	for range replicas {
		srv, base := serveConfig(t, server.Config{DB: db, Tenants: []*teamsops.Declaration{decl(t, freshDoc(true))}, AdminToken: "admin-secret"})
		servers = append(servers, freshServer{srv, base})
	}
	other := testdb.Open(t, db) // another process's store, as teamsops apply opens it
	apply := func(doc string) {
		if err := (&service.Tenants{Store: other}).Apply(context.Background(), decl(t, doc)); err != nil {
			t.Fatal(err)
		}
	}
	// In a fixed order, the change straight into the store first, so that
	// what follows shows the restore after it worked.
	changes := []struct {
		how    string
		change func()
	}{
		{"in the store", func() {
			ctx := context.Background()
			grants, err := other.PermissionGrants(ctx, freshTenant, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: freshChat})
			if err != nil || len(grants) == 0 {
				t.Fatalf("the chat's grants: %v, %v", grants, err)
			}
			err = other.Update(ctx, func(tx teamsops.Tx) error {
				c, err := tx.Chat(ctx, freshTenant, freshChat)
				if err != nil {
					return err
				}
				c.Members = slices.DeleteFunc(c.Members, func(m teamsops.Member) bool { return m.UserID == ben })
				if err := tx.CreateChat(ctx, c); err != nil {
					return err
				}
				for _, g := range grants {
					if err := tx.DeletePermissionGrant(ctx, freshTenant, g.ID); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
		{"through the admin API", func() {
			body, err := tenantfile.Encode(decl(t, freshDoc(false)))
			if err != nil {
				t.Fatal(err)
			}
			if res := call(t, http.MethodPost, servers[0].base+"/_teamsops/tenants", "admin-secret", string(body)); res.StatusCode/100 != 2 {
				t.Fatalf("POST /_teamsops/tenants: %d", res.StatusCode)
			}
		}},
		{"by teamsops apply", func() { apply(freshDoc(false)) }},
	}
	for _, c := range changes {
		for _, s := range servers {
			s.wantStatuses(t, "before the change "+c.how, http.StatusOK)
		}
		c.change()
		for _, s := range servers {
			s.wantStatuses(t, "after the change "+c.how, http.StatusForbidden)
		}
		// Applying the file that is already on record writes nothing (a
		// change made at run time stays; docs/own-tenant.md, "Applying, and applying
		// again"), so the restore applies the other file first.
		apply(freshDoc(false))
		apply(freshDoc(true))
	}
}
