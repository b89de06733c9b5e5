package conformance

import (
	"context"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/lro"
)

// TestWaitWithPoller creates a team with the SDK, clones it, and waits for
// both operations with lro, handed the Location each 202 carried through
// Kiota's headers inspection option (the snippet of docs/waiting.md).
func TestWaitWithPoller(t *testing.T) {
	s := startServer(t)
	graph := consoleClient(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The poller's client: the same app's token, from the same endpoint.
	httpClient := (&clientcredentials.Config{
		ClientID:     demo.ConsoleApp,
		ClientSecret: demo.ConsoleSecret,
		TokenURL:     s.URL + "/" + demo.TenantID + "/oauth2/v2.0/token",
		Scopes:       []string{"https://graph.microsoft.com/.default"},
	}).Client(ctx)

	team := models.NewTeam()
	team.SetDisplayName(ptr("Waited for"))
	team.SetAdditionalData(map[string]any{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"})
	owner := models.NewAadUserConversationMember()
	owner.SetRoles([]string{"owner"})
	owner.SetAdditionalData(map[string]any{"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + demo.UserAdele + "')"})
	team.SetMembers([]models.ConversationMemberable{owner})
	created, err := startAndWait(ctx, graph, httpClient, func(options []abstractions.RequestOption) error {
		_, err := graph.Teams().Post(ctx, team, &teams.TeamsRequestBuilderPostRequestConfiguration{Options: options})
		return err
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	if created.Status != lro.StatusSucceeded || created.OperationType != lro.TypeCreateTeam || created.TargetResourceID == "" {
		t.Fatalf("createTeam: %+v", created)
	}

	clone := teams.NewItemClonePostRequestBody()
	clone.SetDisplayName(ptr("Waited for, again"))
	clone.SetMailNickname(ptr("waitedforagain"))
	parts := models.ClonableTeamParts(models.APPS_CLONABLETEAMPARTS | models.SETTINGS_CLONABLETEAMPARTS | models.CHANNELS_CLONABLETEAMPARTS)
	clone.SetPartsToClone(&parts)
	cloned, err := startAndWait(ctx, graph, httpClient, func(options []abstractions.RequestOption) error {
		return graph.Teams().ByTeamId(created.TargetResourceID).Clone().Post(ctx, clone,
			&teams.ItemCloneRequestBuilderPostRequestConfiguration{Options: options})
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	if cloned.Status != lro.StatusSucceeded || cloned.OperationType != lro.TypeCloneTeam || cloned.TargetResourceID == created.TargetResourceID {
		t.Fatalf("cloneTeam: %+v", cloned)
	}
	for id, name := range map[string]string{created.TargetResourceID: "Waited for", cloned.TargetResourceID: "Waited for, again"} {
		got, err := graph.Teams().ByTeamId(id).Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		checkString(t, "displayName", got.GetDisplayName(), name)
	}
}

func ptr[T any](v T) *T { return &v }
