// Package storetest is the conformance suite of teamsops.Store: every
// implementation runs it, so "works on SQLite" and "works on PostgreSQL"
// are the same claim. It uses only the teamsops.Store interface.
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) teamsops.Store { … })
//	}
package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// Run runs the suite. open must return a new, empty store each time it is
// called; Run closes it when the subtest ends, and fails if Close does.
func Run(t *testing.T, open func(t *testing.T) teamsops.Store) {
	fresh := func(t *testing.T) teamsops.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s teamsops.Store)
	}{
		{"Tenant", testTenant},
		{"Chat", testChat},
		{"Team", testTeam},
		{"AppRegistration", testAppRegistration},
		{"TeamsAppAndInstallation", testTeamsApp},
		{"AppInstallations", testAppInstallations},
		{"User", testUser},
		{"MemberNames", testMemberNames},
		{"PermissionGrants", testPermissionGrants},
		{"Access", testAccess},
		{"Operation", testOperation},
		{"OperationIsolation", testOperationIsolation},
		{"OperationByID", testOperationByID},
		{"UpdateOperation", testUpdateOperation},
		{"UpdateCommits", testUpdateCommits},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"Deferred", testDeferred},                     // deferred.go
		{"HistoryInOneUpdate", testHistoryInOneUpdate}, // deferred.go
		{"RecordTransition", testRecordTransition},     // deferred.go
		{"TxReadsItsWrites", testTxReads},
		{"ListOperations", testListOperations},
		{"ListOperationsPaging", testListPaging},
		{"ListOperationsFilter", testListFilter},
		{"ListOperationsRandomFilters", testListRandomFilters},
		{"SigningKeys", testSigningKeys},
		{"SigningKeysConcurrent", testSigningKeysConcurrent},
		{"Group", testGroup},
		{"GroupAccess", testGroupAccess},
		{"Channels", testChannels},
		{"TxReadsTeams", testTxReadsTeams},
		{"Deletes", testDeletes},
		{"DeleteDirectory", testDeleteDirectory},
		{"Declared", testDeclared},
		{"DeleteTenant", testDeleteTenant},
		{"PublicURL", testPublicURL},
		{"Ping", testPing},
		{"Watch", testWatch},
		{"UserChats", testUserChats},               // lists.go
		{"TeamLists", testTeamLists},               // lists.go
		{"FaultRules", testFaultRules},             // faults.go
		{"History", testHistory},                   // history.go
		{"PruneHistory", testPruneHistory},         // history.go
		{"SearchOperations", testSearchOperations}, // history.go
		{"Tenants", testTenants},                   // history.go
	}
	tests = append(tests, subscriptionTests...)
	tests = append(tests, signInTests...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, fresh(t)) })
	}
}

// Two tenants share every id below, so a query that forgets its tenant
// returns the other tenant's row and fails the test.
const (
	tenantA = "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"
	tenantB = "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d"
	tenantC = "c0c0c0c0-2222-4e2b-9c3d-5e6f7a8b9c0d" // exists, but holds nothing

	user1 = "8b081ef6-4792-4def-b2c9-c363a1bf41d5"
	user2 = "82af01c5-f7cc-4a2e-a728-3a5df21afd9d"
	user3 = "3626a173-f2bc-4883-bcf7-01514c3bfb82"

	chatID  = "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
	chat2ID = "19:0f0e0d0c0b0a09080706050403020100@thread.v2"
	teamID  = "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77"
)

var (
	chatRef  = teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: chatID}
	chat2Ref = teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: chat2ID}
	teamRef  = teamsops.ResourceRef{Kind: teamsops.ResourceTeam, ID: teamID}
)

// graphTime parses a Graph timestamp; Graph writes 7 fractional digits.
func graphTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// must fails the test at once on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode checks that err carries the teamsops code, and, if mention is
// not empty, that its message names it.
func wantCode(t *testing.T, err error, code, mention string) {
	t.Helper()
	if got := teamsops.ErrorCode(err); got != code {
		t.Errorf("error code = %q (%v), want %q", got, err, code)
		return
	}
	if msg := teamsops.ErrorMessage(err); !strings.Contains(msg, mention) {
		t.Errorf("error message %q does not mention %q", msg, mention)
	}
}

// wantEqual compares with reflect.DeepEqual, which suits the domain types:
// times from a store must be UTC and without a monotonic reading.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %s\n want %s", what, show(got), show(want))
	}
}

func show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v)
}

// createTenants creates tenants A, B and C and users 1–3 in A and B.
func createTenants(t *testing.T, s teamsops.Store) {
	t.Helper()
	ctx := t.Context()
	for _, tenant := range []string{tenantA, tenantB, tenantC} {
		must(t, s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant, DisplayName: "Tenant " + tenant[:4]}))
	}
	for _, tenant := range []string{tenantA, tenantB} {
		for _, id := range []string{user1, user2, user3} {
			must(t, s.CreateUser(ctx, userOf(tenant, id)))
		}
	}
}

// userOf returns the user createTenants creates for id in tenant.
func userOf(tenant, id string) *teamsops.User {
	n := map[string]int{user1: 1, user2: 2, user3: 3}[id]
	return &teamsops.User{
		ID: id, TenantID: tenant, DisplayName: fmt.Sprintf("User %d", n),
		UserPrincipalName: fmt.Sprintf("user%d@%s.example.com", n, tenant[:4]),
	}
}
