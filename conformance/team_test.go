package conformance

import (
	"context"
	"regexp"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	nethttplibrary "github.com/microsoft/kiota-http-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"

	"github.com/teamsops/teamsops/demo"
)

// operationLocation is the Location of "Create team"'s 202:
// /teams('{team-id}')/operations('{operation-id}').
var operationLocation = regexp.MustCompile(`^/teams\('([^']+)'\)/operations\('([^']+)'\)$`)

// TestCreateTeamOperation starts a team with the SDK's Teams().Post,
// reads the Location of its 202 through Kiota's headers inspection, and
// polls the createTeam operation with Operations().ByTeamsAsyncOperationId()
// until it succeeds; then the team is there.
func TestCreateTeamOperation(t *testing.T) {
	s := startServer(t)
	client := consoleClient(t, s)
	ctx := context.Background()
	team := models.NewTeam()
	name := "Conformance"
	team.SetDisplayName(&name)
	team.SetAdditionalData(map[string]any{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"})
	owner := models.NewAadUserConversationMember()
	owner.SetRoles([]string{"owner"})
	owner.SetAdditionalData(map[string]any{"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + demo.UserAdele + "')"})
	team.SetMembers([]models.ConversationMemberable{owner})

	headers := nethttplibrary.NewHeadersInspectionOptions()
	headers.InspectResponseHeaders = true
	_, err := client.Teams().Post(ctx, team, &teams.TeamsRequestBuilderPostRequestConfiguration{
		Options: []abstractions.RequestOption{headers},
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	loc := headers.GetResponseHeaders().Get("Location")
	if len(loc) != 1 || !operationLocation.MatchString(loc[0]) {
		t.Fatalf("Location = %q", loc)
	}
	m := operationLocation.FindStringSubmatch(loc[0])
	teamID, opID := m[1], m[2]
	if got := headers.GetResponseHeaders().Get("Content-Location"); len(got) != 1 || got[0] != "/teams('"+teamID+"')" {
		t.Errorf("Content-Location = %q", got)
	}

	deadline := time.Now().Add(20 * time.Second)
	var op models.TeamsAsyncOperationable
	for {
		op, err = client.Teams().ByTeamId(teamID).Operations().ByTeamsAsyncOperationId(opID).Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if st := op.GetStatus(); st != nil && (*st == models.SUCCEEDED_TEAMSASYNCOPERATIONSTATUS || *st == models.FAILED_TEAMSASYNCOPERATIONSTATUS) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s never ended", opID)
		}
		time.Sleep(50 * time.Millisecond)
	}
	checkEnum(t, "status", op.GetStatus(), models.SUCCEEDED_TEAMSASYNCOPERATIONSTATUS)
	checkEnum(t, "operationType", op.GetOperationType(), models.CREATETEAM_TEAMSASYNCOPERATIONTYPE)
	checkString(t, "targetResourceId", op.GetTargetResourceId(), teamID)
	checkString(t, "targetResourceLocation", op.GetTargetResourceLocation(), "/teams('"+teamID+"')")

	got, err := client.Teams().ByTeamId(teamID).Get(ctx, nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkString(t, "displayName", got.GetDisplayName(), name)
	if a := got.GetIsArchived(); a == nil || *a {
		t.Errorf("isArchived = %v, want false", a)
	}
}
