package teamsopstest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/teamsops/teamsops/teamsopstest"
	"github.com/teamsops/teamsops/tenantfile"
)

// faultTenant declares two apps that may create teams, and a rule that
// fails every team the first one creates.
const faultTenant = `tenant: {id: 3f2e1d0c-4b5a-4c6d-8e7f-9a0b1c2d3e4f}
users:
  - userPrincipalName: owner@faults.example.com
appRegistrations:
  - displayName: failing
    applicationPermissions: [Team.Create, Team.ReadBasic.All]
  - displayName: working
    applicationPermissions: [Team.Create, Team.ReadBasic.All]
faultRules:
  - app: failing
    operationType: createTeam
    action: fail
    errorCode: QuotaExceeded
    errorMessage: The tenant has reached its quota of teams.
`

// TestFaultRuleOfTenantFile: a rule a tenant file declares fails the
// createTeam operations of its app with the declared error, and of no
// other app; a request's own X-Teamsops-Fault wins over it.
func TestFaultRuleOfTenantFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	if err := os.WriteFile(path, []byte(faultTenant), 0o600); err != nil {
		t.Fatal(err)
	}
	ds, err := tenantfile.ReadFiles(path)
	if err != nil {
		t.Fatal(err)
	}
	d := ds[0]
	srv := teamsopstest.NewServer(t, teamsopstest.WithTenantFile(path))
	failing, working := srv.AppToken(d.AppRegistrations[0].ClientID), srv.AppToken(d.AppRegistrations[1].ClientID)
	team := func(name string) string {
		return fmt.Sprintf(`{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')",
			"displayName": %q, "members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('%s')"}]}`, name, d.Users[0].ID)
	}

	op := accepted(t, srv, failing, "POST", "/v1.0/teams", team("Refused"))
	if op.Status != "failed" || op.AttemptsCount != 1 || op.Error == nil ||
		op.Error.Code != "QuotaExceeded" || op.Error.Message != "The tenant has reached its quota of teams." {
		t.Errorf("the failing app's createTeam: %+v (error %+v)", op, op.Error)
	}
	if op := accepted(t, srv, working, "POST", "/v1.0/teams", team("Allowed")); op.Status != "succeeded" {
		t.Errorf("the other app's createTeam: %+v", op)
	}
	op = accepted(t, srv, failing, "POST", "/v1.0/teams", team("Header"), "X-Teamsops-Fault", "transient=1")
	if op.Status != "succeeded" || op.AttemptsCount != 2 {
		t.Errorf("with X-Teamsops-Fault: transient=1, the failing app's createTeam: %+v, want succeeded at the second attempt", op)
	}
}
