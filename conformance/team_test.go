package conformance

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
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
	name := "Conformance"
	teamID, opID := startTeam(t, client, name)

	deadline := time.Now().Add(20 * time.Second)
	var op models.TeamsAsyncOperationable
	var err error
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
