package conformance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/teamsopstest"
)

// consoleClient is a v1.0 client signed in as the demo "ops console" app
// (Chat.Read.All, Team.ReadBasic.All).
func consoleClient(t *testing.T, s *teamsopstest.Server) *msgraphsdk.GraphServiceClient {
	t.Helper()
	client, err := newGraphClient(s.URL, demo.TenantID, demo.ConsoleApp, demo.ConsoleSecret)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func TestGetTeamOperation(t *testing.T) {
	s := startServer(t)
	op, err := consoleClient(t, s).Teams().ByTeamId(demo.TeamID).Operations().
		ByTeamsAsyncOperationId(demo.TeamOperation).Get(context.Background(), nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkEnum(t, "operationType", op.GetOperationType(), models.CREATETEAM_TEAMSASYNCOPERATIONTYPE)
	checkSucceeded(t, op, demo.TeamOperation, "2024-03-04T10:00:00Z", "2024-03-04T10:00:42Z",
		demo.TeamID, "/teams('"+demo.TeamID+"')")
	if op.GetError() != nil {
		t.Errorf("error = %v, want null", op.GetError())
	}
	checkContext(t, op.GetAdditionalData(), s.URL+"/v1.0/$metadata#teams('"+demo.TeamID+"')/operations/$entity")
}

func TestGetTeamOperationSelect(t *testing.T) {
	s := startServer(t)
	op, err := consoleClient(t, s).Teams().ByTeamId(demo.TeamID).Operations().
		ByTeamsAsyncOperationId(demo.TeamOperation).
		Get(context.Background(), &teams.ItemOperationsTeamsAsyncOperationItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &teams.ItemOperationsTeamsAsyncOperationItemRequestBuilderGetQueryParameters{
				Select: []string{"status", "id"},
			},
		})
	if err != nil {
		t.Fatal(describe(err))
	}
	checkString(t, "id", op.GetId(), demo.TeamOperation)
	checkEnum(t, "status", op.GetStatus(), models.SUCCEEDED_TEAMSASYNCOPERATIONSTATUS)
	if op.GetOperationType() != nil || op.GetCreatedDateTime() != nil || op.GetAttemptsCount() != nil {
		t.Errorf("$select=status,id: unselected properties came back: operationType %v, createdDateTime %v, attemptsCount %v",
			op.GetOperationType(), op.GetCreatedDateTime(), op.GetAttemptsCount())
	}
	checkContext(t, op.GetAdditionalData(), s.URL+"/v1.0/$metadata#teams('"+demo.TeamID+"')/operations(status,id)/$entity")
}

// The conformance suite's own tenant (testdata/paged.yaml): a team with
// eight operations, seven of them archiveTeam, and an app to read them.
const (
	pagedTenant = "3e5a7c9d-1b2f-4a6c-8e0d-2f4a6c8e0b1d"
	pagedTeam   = "9d1f3b5a-7c9e-4d2f-8a4c-6e8a0c2e4f6a"
	pagedReader = "7a9c1e3b-5d7f-4b1a-9c3e-5f7b9d1a3c5e"
)

// pagedOperations are the ids of the paged team's operations, all and
// archiveTeam only.
func pagedOperations() (all, archived []string) {
	all = []string{"0b9d6a3e-1c2f-4e5a-8b7c-000000000100"}
	for i := range 7 {
		id := fmt.Sprintf("0b9d6a3e-1c2f-4e5a-8b7c-%012d", i)
		all, archived = append(all, id), append(archived, id)
	}
	return all, archived
}

// pagedClient starts a server with the paged tenant only and returns a
// v1.0 client signed in as its reader app.
func pagedClient(t *testing.T) *msgraphsdk.GraphServiceClient {
	t.Helper()
	s := startServer(t, teamsopstest.WithTenantFile("testdata/paged.yaml"))
	client, err := newGraphClient(s.URL, pagedTenant, pagedReader, "reader-secret")
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// TestListTeamOperationsPaged lists the team's operations a few at a time
// with $top and walks every page with the SDK's page iterator; the
// @odata.nextLink it follows must keep $filter and $count.
func TestListTeamOperationsPaged(t *testing.T) {
	client := pagedClient(t)
	all, archived := pagedOperations()
	top, count := int32(3), true
	archiveTeam := "operationType eq 'archiveTeam'"
	tests := []struct {
		name string
		q    teams.ItemOperationsRequestBuilderGetQueryParameters
		want []string
	}{
		{"top", teams.ItemOperationsRequestBuilderGetQueryParameters{Top: &top, Count: &count}, all},
		{"top and filter", teams.ItemOperationsRequestBuilderGetQueryParameters{Top: &top, Count: &count, Filter: &archiveTeam}, archived},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first, err := client.Teams().ByTeamId(pagedTeam).Operations().Get(context.Background(),
				&teams.ItemOperationsRequestBuilderGetRequestConfiguration{QueryParameters: &tt.q})
			if err != nil {
				t.Fatal(describe(err))
			}
			if n := len(first.GetValue()); n != int(top) {
				t.Errorf("first page has %d operations, want $top=%d", n, top)
			}
			if c := first.GetOdataCount(); c == nil || *c != int64(len(tt.want)) {
				t.Errorf("@odata.count = %v, want %d", deref(c), len(tt.want))
			}
			if first.GetOdataNextLink() == nil {
				t.Fatal("first page has no @odata.nextLink")
			}
			got := iterate(t, client, first)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("iterated operations:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestCountTeamOperations calls the SDK's Count() builder:
// GET .../operations/$count, answered in text/plain.
func TestCountTeamOperations(t *testing.T) {
	client := pagedClient(t)
	archiveTeam := "operationType eq 'archiveTeam'"
	tests := []struct {
		name   string
		filter *string
		want   int32
	}{
		{"all", nil, 8},
		{"filtered", &archiveTeam, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := client.Teams().ByTeamId(pagedTeam).Operations().Count().Get(context.Background(),
				&teams.ItemOperationsCountRequestBuilderGetRequestConfiguration{
					QueryParameters: &teams.ItemOperationsCountRequestBuilderGetQueryParameters{Filter: tt.filter},
				})
			if err != nil {
				t.Fatal(describe(err))
			}
			if n == nil || *n != tt.want {
				t.Errorf("count = %v, want %d", deref(n), tt.want)
			}
		})
	}
}

// iterate walks every page from first with msgraphcore's page iterator and
// returns the ids it met, sorted.
func iterate(t *testing.T, client *msgraphsdk.GraphServiceClient, first models.TeamsAsyncOperationCollectionResponseable) []string {
	t.Helper()
	iter, err := msgraphcore.NewPageIterator[models.TeamsAsyncOperationable](first, client.GetAdapter(),
		models.CreateTeamsAsyncOperationCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = iter.Iterate(context.Background(), func(op models.TeamsAsyncOperationable) bool {
		got = append(got, *op.GetId())
		if op.GetStatus() == nil || op.GetOperationType() == nil {
			t.Errorf("operation %s: status %v, operationType %v", *op.GetId(), deref(op.GetStatus()), deref(op.GetOperationType()))
		}
		return true
	})
	if err != nil {
		t.Fatal(describe(err))
	}
	slices.Sort(got)
	return got
}

// chatOperationTemplate is the URL template of Graph's "Get
// teamsAsyncOperation" on a chat, for which the v1.0 SDK has no builder.
const chatOperationTemplate = "{+baseurl}/chats/{chat%2Did}/operations/{teamsAsyncOperation%2Did}{?%24select}"

// getChatOperation reads a chat's operation through the SDK's request
// adapter, as any path without a fluent builder is called.
func getChatOperation(ctx context.Context, adapter abstractions.RequestAdapter, chatID, operationID string) (models.TeamsAsyncOperationable, error) {
	info := abstractions.NewRequestInformationWithMethodAndUrlTemplateAndPathParameters(abstractions.GET, chatOperationTemplate,
		map[string]string{"chat%2Did": chatID, "teamsAsyncOperation%2Did": operationID})
	info.Headers.TryAdd("Accept", "application/json")
	res, err := adapter.Send(ctx, info, models.CreateTeamsAsyncOperationFromDiscriminatorValue,
		abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue})
	if err != nil {
		return nil, err
	}
	return res.(models.TeamsAsyncOperationable), nil
}

// TestGetChatOperation reads the seed's operation on beta. On v1.0, whose
// metadata has no operations on chat, the SDK surfaces Graph's answer to a
// path outside the version: a 400 ODataError, "Resource not found for the
// segment 'operations'.".
func TestGetChatOperation(t *testing.T) {
	s := startServer(t)
	adapter := consoleClient(t, s).GetAdapter()
	adapter.SetBaseUrl(s.URL + "/v1.0")
	_, err := getChatOperation(context.Background(), adapter, demo.ChatID, demo.ChatOperation)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 400 {
		t.Fatalf("v1.0: error = %v, want a 400 ODataError", describe(err))
	}
	checkString(t, "error.code", oe.GetErrorEscaped().GetCode(), "BadRequest")
	checkString(t, "error.message", oe.GetErrorEscaped().GetMessage(), "Resource not found for the segment 'operations'.")

	adapter.SetBaseUrl(s.URL + "/beta")
	op, err := getChatOperation(context.Background(), adapter, demo.ChatID, demo.ChatOperation)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkSucceeded(t, op, demo.ChatOperation, "2021-05-27T21:23:41.9085453Z", "2021-05-27T21:23:45.1899277Z",
		demo.ChatID, "/chats('"+demo.ChatID+"')")
	checkContext(t, op.GetAdditionalData(),
		s.URL+"/beta/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations/$entity")
	// createChat is not a member the v1.0 SDK knows: it parses as nil.
	if op.GetOperationType() != nil {
		t.Errorf("operationType = %v, want nil (createChat is beta-only)", op.GetOperationType())
	}
	values := op.GetAdditionalData()["values"]
	if s, ok := values.(*string); !ok || *s != `{"appIds":["`+demo.TeamsAppID+`"]}` {
		t.Errorf("values = %#v, want the seed's", values)
	}
}
