package service_test

import (
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/testdb"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/tenantfile"
)

const northwind = "0d7c3a5e-9f1b-4e2d-8c6a-4b3e2d1c0f9a"

func decode(t *testing.T, name, text string) *teamsops.Declaration {
	t.Helper()
	d, err := tenantfile.Decode(name, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// applied decodes a tenant file and applies it.
func applied(t *testing.T, tenants *service.Tenants, name, text string) *teamsops.Declaration {
	t.Helper()
	d := decode(t, name, text)
	if err := tenants.Apply(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// changes records what a store reports while a test runs.
type changes struct {
	mu   sync.Mutex
	list []teamsops.Change
}

func record(t *testing.T, s teamsops.Store) *changes {
	c := &changes{}
	t.Cleanup(s.Watch(func(ch teamsops.Change) {
		c.mu.Lock()
		c.list = append(c.list, ch)
		c.mu.Unlock()
	}))
	return c
}

func (c *changes) take() []teamsops.Change {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.list
	c.list = nil
	return l
}

// TestApplyExamples applies every example and checks what a client reads.
func TestApplyExamples(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	tenants := &service.Tenants{Store: s}
	for _, path := range []string{"../examples/tenant.yaml", "../examples/northwind.yaml"} {
		if err := tenants.Apply(ctx, decode(t, path, readFile(t, path))); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	got, err := tenants.Get(ctx, northwind)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Users) != 33 || len(got.AppRegistrations) != 4 || len(got.Teams) != 3 || len(got.Chats) != 6 || len(got.Operations) != 6 {
		t.Errorf("northwind: %d users, %d apps, %d teams, %d chats, %d operations",
			len(got.Users), len(got.AppRegistrations), len(got.Teams), len(got.Chats), len(got.Operations))
	}
	// Apps and grants are read from their chat's or team's list.
	want := decode(t, "northwind.yaml", readFile(t, "../examples/northwind.yaml"))
	installID := func(i *teamsops.AppInstallation) string { return i.ID }
	grantID := func(g *teamsops.PermissionGrant) string { return g.ID }
	if got, want := idsOf(got.AppInstallations, installID), idsOf(want.AppInstallations, installID); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("northwind's app installations: %q, want %q", got, want)
	}
	if got, want := idsOf(got.PermissionGrants, grantID), idsOf(want.PermissionGrants, grantID); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("northwind's permission grants: %q, want %q", got, want)
	}
	op, err := s.OperationByID(ctx, northwind, "1d3f5b7a-9c2e-4a6d-8b0f-3e5a7c9d1b4f-aa01")
	if err != nil || op.Status != teamsops.OperationStatusFailed || op.Error == nil || op.Error.Code != "serviceNotAvailable" || op.AttemptsCount != 4 {
		t.Errorf("the failed operation: %+v, %v", op, err)
	}
	app, err := s.AppRegistration(ctx, northwind, "9b1d3f5a-7c2e-4a6b-8d0f-1e3c5a7b9d2f")
	if err != nil || len(app.SecretHashes) != 2 || !identity.CheckSecret(app.SecretHashes[1], "reporting-secret-next") {
		t.Errorf("the reporting app: %+v, %v", app, err)
	}
	for _, secret := range []string{"reporting-secret", "provisioning-secret"} {
		if strings.Contains(strings.Join(app.SecretHashes, " "), secret) {
			t.Errorf("a secret is stored in plain text: %v", app.SecretHashes)
		}
	}
}

// idsOf lists the ids of l, sorted.
func idsOf[T any](l []*T, id func(*T) string) []string {
	var ids []string
	for _, v := range l {
		ids = append(ids, id(v))
	}
	slices.Sort(ids)
	return ids
}

// TestApplyTwiceChangesNothing applies a file again: no entity is written,
// no change is reported, secrets keep their hashes.
func TestApplyTwiceChangesNothing(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	tenants := &service.Tenants{Store: s}
	applied(t, tenants, "northwind.yaml", readFile(t, "../examples/northwind.yaml"))
	before, err := tenants.Get(ctx, northwind)
	if err != nil {
		t.Fatal(err)
	}
	hashes, err := s.AppRegistration(ctx, northwind, "4e8a2c6d-1b3f-4d5e-9a7c-8b6d4f2e0a1c")
	if err != nil {
		t.Fatal(err)
	}
	seen := record(t, s)
	if err := tenants.Apply(ctx, decode(t, "northwind.yaml", readFile(t, "../examples/northwind.yaml"))); err != nil {
		t.Fatal(err)
	}
	if c := seen.take(); len(c) != 0 {
		t.Errorf("applying the same file again reported %d changes: %v", len(c), c)
	}
	after, err := tenants.Get(ctx, northwind)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("applying the same file again changed the tenant")
	}
	again, err := s.AppRegistration(ctx, northwind, "4e8a2c6d-1b3f-4d5e-9a7c-8b6d4f2e0a1c")
	if err != nil || !reflect.DeepEqual(again.SecretHashes, hashes.SecretHashes) {
		t.Errorf("secret hashes changed: %v, then %v (%v)", hashes.SecretHashes, again, err)
	}
}

const editTenant = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"

// version1 and version2 are a tenant file and its edit: version2 drops a
// user, a chat with its grant, a channel, an operation and a secret,
// renames a team, adds a group and a secret.
const version1 = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f, displayName: Contoso}
users:
  - userPrincipalName: adele@contoso.com
  - userPrincipalName: alex@contoso.com
  - userPrincipalName: megan@contoso.com
appRegistrations:
  - displayName: console
    clientSecrets: [kept, dropped]
    applicationPermissions: [Chat.Read.All]
teams:
  - displayName: Sales
    members: [{user: adele, roles: [owner]}, megan]
    channels: [{displayName: Deals}, {displayName: Old}]
  - displayName: Legal
    members: [{user: alex, roles: [owner]}]
chats:
  - chatType: group
    topic: Launch
    members: [adele, megan]
  - chatType: oneOnOne
    members: [adele, alex]
permissionGrants:
  - {app: console, chat: Launch, permission: ChatSettings.Read.Chat}
operations:
  - {team: Sales, operationType: createTeam, status: succeeded}
  - {team: Legal, operationType: createTeam, status: inProgress}
`

const version2 = `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f, displayName: Contoso}
users:
  - userPrincipalName: adele@contoso.com
  - userPrincipalName: alex@contoso.com
appRegistrations:
  - displayName: console
    clientSecrets: [kept, added]
    applicationPermissions: [Chat.Read.All]
groups:
  - displayName: Finance
teams:
  - displayName: Sales
    members: [{user: adele, roles: [owner]}]
    channels: [{displayName: Deals}]
  - displayName: Legal
    description: Contracts.
    members: [{user: alex, roles: [owner]}]
chats:
  - chatType: oneOnOne
    members: [adele, alex]
operations:
  - {team: Sales, operationType: createTeam, status: succeeded}
`

// TestApplyEdited applies a file, lets a client change things at run
// time, then applies an edit: the tenant becomes what the edit says, but
// what clients made stays, and what neither changed is not rewritten.
func TestApplyEdited(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	first := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := first
	tenants := &service.Tenants{Store: s, Now: func() time.Time { return clock }}
	v1 := applied(t, tenants, "v1.yaml", version1)
	app := v1.AppRegistrations[0].ClientID
	stored, err := s.AppRegistration(ctx, editTenant, app)
	if err != nil {
		t.Fatal(err)
	}
	keptHash := stored.SecretHashes[0]
	sales, legal := v1.Teams[0].ID, v1.Teams[1].ID
	launch, oneOnOne := v1.Chats[0].ID, v1.Chats[1].ID
	megan := v1.Users[2].ID

	// A client's changes: a chat of its own, an operation of its own,
	// and the Sales team archived.
	clientChat := &teamsops.Chat{ID: "19:00000000000000000000000000000abc@thread.v2", TenantID: editTenant, ChatType: "group",
		CreatedDateTime: first, Members: []teamsops.Member{{UserID: v1.Users[0].ID}, {UserID: megan}}}
	clientOp := &teamsops.Operation{ID: "client-op", TenantID: editTenant, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: sales},
		Type: teamsops.OperationTypeArchiveTeam, Status: teamsops.OperationStatusSucceeded, CreatedDateTime: first, LastActionDateTime: first}
	archived, err := s.Team(ctx, editTenant, sales)
	if err != nil {
		t.Fatal(err)
	}
	archived.IsArchived = true
	renamed, err := s.Chat(ctx, editTenant, oneOnOne)
	if err != nil {
		t.Fatal(err)
	}
	renamed.Topic = "renamed by a client"
	for _, err := range []error{s.CreateChat(ctx, clientChat), s.CreateOperation(ctx, clientOp), s.CreateTeam(ctx, archived), s.CreateChat(ctx, renamed)} {
		if err != nil {
			t.Fatal(err)
		}
	}

	clock = first.Add(time.Hour)
	v2 := applied(t, tenants, "v2.yaml", version2)

	// Gone: what v2 no longer declares.
	for _, read := range []struct {
		what string
		err  error
	}{
		{"user megan", second(s.User(ctx, editTenant, megan))},
		{"chat Launch", second(s.Chat(ctx, editTenant, launch))},
		{"channel Old", second(s.Channel(ctx, editTenant, sales, v1.Channels[1].ID))},
		{"Legal's operation", second(s.OperationByID(ctx, editTenant, v1.Operations[1].ID))},
	} {
		if teamsops.ErrorCode(read.err) != teamsops.ENOTFOUND {
			t.Errorf("%s: %v, want it deleted", read.what, read.err)
		}
	}
	// Kept: what clients made, with megan gone from the client's chat.
	if c, err := s.Chat(ctx, editTenant, clientChat.ID); err != nil || len(c.Members) != 1 {
		t.Errorf("the client's chat: %+v, %v", c, err)
	}
	if _, err := s.OperationByID(ctx, editTenant, clientOp.ID); err != nil {
		t.Errorf("the client's operation: %v", err)
	}
	// Sales changed (megan left it), so it was written as declared; Legal
	// changed too; the one-on-one chat did not: it is not rewritten, and
	// keeps what the client changed.
	if team, err := s.Team(ctx, editTenant, sales); err != nil || team.IsArchived || len(team.Members) != 1 || !team.CreatedDateTime.Equal(first) {
		t.Errorf("Sales: %+v, %v", team, err)
	}
	if team, err := s.Team(ctx, editTenant, legal); err != nil || team.Description != "Contracts." || !team.CreatedDateTime.Equal(first) {
		t.Errorf("Legal: %+v, %v", team, err)
	}
	if c, err := s.Chat(ctx, editTenant, oneOnOne); err != nil || !c.CreatedDateTime.Equal(first) || c.Topic != renamed.Topic {
		t.Errorf("the one-on-one chat: %+v, %v", c, err)
	}
	if g, err := s.Group(ctx, editTenant, v2.Groups[0].ID); err != nil || !g.CreatedDateTime.Equal(clock) {
		t.Errorf("the new group: %+v, %v", g, err)
	}
	// Secrets: the kept one keeps its hash, the dropped one no longer works.
	stored, err = s.AppRegistration(ctx, editTenant, app)
	if err != nil || len(stored.SecretHashes) != 2 || stored.SecretHashes[0] != keptHash ||
		!identity.CheckSecret(stored.SecretHashes[1], "added") || identity.CheckSecret(stored.SecretHashes[1], "dropped") {
		t.Errorf("secrets after the edit: %+v, %v", stored, err)
	}
	if grants, err := s.PermissionGrants(ctx, editTenant, teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: launch}); err == nil {
		t.Errorf("Launch's grants outlived it: %v", grants)
	}
	// The record is v2's: applying v2 again changes nothing.
	seen := record(t, s)
	if err := tenants.Apply(ctx, decode(t, "v2.yaml", version2)); err != nil {
		t.Fatal(err)
	}
	if c := seen.take(); len(c) != 0 {
		t.Errorf("applying v2 again reported %v", c)
	}
}

// TestApplyIsAtomic applies a declaration the store refuses halfway (a
// group's mailNickname is a client's group's): nothing of it is written.
func TestApplyIsAtomic(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	tenants := &service.Tenants{Store: s}
	applied(t, tenants, "v1.yaml", version1)
	before, err := tenants.Get(ctx, editTenant)
	if err != nil {
		t.Fatal(err)
	}
	taken := &teamsops.Group{ID: "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", TenantID: editTenant, DisplayName: "Mine", MailNickname: "Finance",
		CreatedDateTime: time.Now()}
	if err := s.CreateGroup(ctx, taken); err != nil {
		t.Fatal(err)
	}
	err = tenants.Apply(ctx, decode(t, "v2.yaml", version2))
	if teamsops.ErrorCode(err) != teamsops.ECONFLICT || !strings.Contains(err.Error(), "group") {
		t.Fatalf("Apply = %v, want a conflict on the group", err)
	}
	after, err := tenants.Get(ctx, editTenant)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("a failed apply changed the tenant")
	}

	// A new tenant whose apply fails is not created at all.
	other := decode(t, "other.yaml", strings.Replace(version2, editTenant, "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", 1))
	other.Chats[0].Members[0].UserID = "no-such-user"
	if err := tenants.Apply(ctx, other); err == nil {
		t.Fatal("a chat with an unknown member was applied")
	}
	if _, err := s.Tenant(ctx, other.Tenant.ID); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("the failed tenant exists: %v", err)
	}
}

// TestDeleteTenant deletes one of two tenants.
func TestDeleteTenant(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	tenants := &service.Tenants{Store: s}
	nw := decode(t, "northwind.yaml", readFile(t, "../examples/northwind.yaml"))
	if err := tenants.Apply(ctx, nw, decode(t, "v1.yaml", version1)); err != nil {
		t.Fatal(err)
	}
	if err := tenants.Delete(ctx, editTenant); err != nil {
		t.Fatal(err)
	}
	if _, err := tenants.Get(ctx, editTenant); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("Get after Delete: %v", err)
	}
	if err := tenants.Delete(ctx, editTenant); teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		t.Errorf("Delete again: %v", err)
	}
	if got, err := tenants.Get(ctx, northwind); err != nil || len(got.Users) != 33 {
		t.Errorf("the other tenant: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestApplyConcurrently applies the same file from several processes'
// stores at once, as replicas starting together with --tenant-file do:
// every apply succeeds, and the tenant is declared once.
func TestApplyConcurrently(t *testing.T) {
	dsn := testdb.DSN(t)
	const n = 4
	errs := make(chan error, n)
	var stores []teamsops.Store
	for range n {
		stores = append(stores, testdb.Open(t, dsn))
	}
	for _, s := range stores {
		d := decode(t, "northwind.yaml", readFile(t, "../examples/northwind.yaml"))
		d.ClientSecrets = nil // bcrypt would only slow the test
		go func() { errs <- (&service.Tenants{Store: s}).Apply(t.Context(), d) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	declared, err := stores[0].Declared(t.Context(), northwind)
	if err != nil || len(declared) == 0 {
		t.Fatalf("declared: %d entities, %v", len(declared), err)
	}
	got, err := (&service.Tenants{Store: stores[0]}).Get(t.Context(), northwind)
	if err != nil || len(got.Users) != 33 {
		t.Errorf("the tenant after concurrent applies: %v", err)
	}
}

// TestApplySummary applies a file and its edit: the summary counts, per
// kind, what each apply created, changed, deleted and left alone.
func TestApplySummary(t *testing.T) {
	ctx := t.Context()
	tenants := &service.Tenants{Store: testdb.New(t)}
	show := func(sums []service.Summary) string {
		var b strings.Builder
		for _, sum := range sums {
			fmt.Fprintf(&b, "%s %s:", sum.TenantID, sum.DisplayName)
			var kinds []string
			for _, kind := range teamsops.DeclaredKinds {
				if c := sum.Kinds[kind]; c != nil {
					kinds = append(kinds, fmt.Sprintf("%s %+v", kind, *c))
				}
			}
			b.WriteString(" " + strings.Join(kinds, " "))
		}
		return b.String()
	}
	for _, step := range []struct{ file, want string }{
		{version1, "user {Created:3 Changed:0 Deleted:0 Unchanged:0} appRegistration {Created:1 Changed:0 Deleted:0 Unchanged:0} " +
			"group {Created:2 Changed:0 Deleted:0 Unchanged:0} team {Created:2 Changed:0 Deleted:0 Unchanged:0} " +
			"channel {Created:4 Changed:0 Deleted:0 Unchanged:0} chat {Created:2 Changed:0 Deleted:0 Unchanged:0} " +
			"permissionGrant {Created:1 Changed:0 Deleted:0 Unchanged:0} operation {Created:2 Changed:0 Deleted:0 Unchanged:0}"},
		// The secret edit changes the app; the membership edits change
		// the teams, their groups and a General channel.
		{version2, "user {Created:0 Changed:0 Deleted:1 Unchanged:2} appRegistration {Created:0 Changed:1 Deleted:0 Unchanged:0} " +
			"group {Created:1 Changed:2 Deleted:0 Unchanged:0} team {Created:0 Changed:2 Deleted:0 Unchanged:0} " +
			"channel {Created:0 Changed:1 Deleted:1 Unchanged:2} chat {Created:0 Changed:0 Deleted:1 Unchanged:1} " +
			"permissionGrant {Created:0 Changed:0 Deleted:1 Unchanged:0} operation {Created:0 Changed:0 Deleted:1 Unchanged:1}"},
		// Again: nothing changes, and the grants, gone, are not listed.
		{version2, "user {Created:0 Changed:0 Deleted:0 Unchanged:2} appRegistration {Created:0 Changed:0 Deleted:0 Unchanged:1} " +
			"group {Created:0 Changed:0 Deleted:0 Unchanged:3} team {Created:0 Changed:0 Deleted:0 Unchanged:2} " +
			"channel {Created:0 Changed:0 Deleted:0 Unchanged:3} chat {Created:0 Changed:0 Deleted:0 Unchanged:1} " +
			"operation {Created:0 Changed:0 Deleted:0 Unchanged:1}"},
	} {
		sums, err := tenants.ApplySummary(ctx, decode(t, "t.yaml", step.file))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := show(sums), editTenant+" Contoso: "+step.want; got != want {
			t.Errorf("summary\n%s\nwant\n%s", got, want)
		}
	}
}
