package conformance

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/authentication"
	nethttplibrary "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/teamsopstest"
)

// userClient is a v1.0 client signed in as a demo user with scopes: a
// delegated token from teamsops' issuer, as an interactive sign-in would
// give.
func userClient(t *testing.T, s *teamsopstest.Server, userID string, scopes ...string) *msgraphsdk.GraphServiceClient {
	t.Helper()
	tok := s.UserToken(userID, scopes...)
	u, _ := url.Parse(s.URL)
	hosts, err := authentication.NewAllowedHostsValidatorErrorCheck([]string{u.Hostname()})
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(authentication.NewBaseBearerTokenAuthenticationProvider(staticToken{tok, hosts}))
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(s.URL + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter)
}

// staticToken is a Kiota AccessTokenProvider with one token.
type staticToken struct {
	token string
	hosts *authentication.AllowedHostsValidator
}

func (p staticToken) GetAuthorizationToken(context.Context, *url.URL, map[string]any) (string, error) {
	return p.token, nil
}

func (p staticToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator { return p.hosts }

// TestListMine lists the signed-in user's joined teams and chats with
// Me().JoinedTeams() and Me().Chats().
func TestListMine(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	client := userClient(t, s, demo.UserAdele, "Team.ReadBasic.All", "Chat.ReadBasic")
	joined, err := client.Me().JoinedTeams().Get(ctx, nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	if v := joined.GetValue(); len(v) != 1 {
		t.Fatalf("joined teams %d", len(v))
	}
	checkString(t, "joined team id", joined.GetValue()[0].GetId(), demo.TeamID)
	checkString(t, "joined team displayName", joined.GetValue()[0].GetDisplayName(), "Contoso Marketing")

	chats, err := client.Me().Chats().Get(ctx, nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	if v := chats.GetValue(); len(v) != 1 {
		t.Fatalf("chats %d", len(v))
	}
	checkString(t, "chat id", chats.GetValue()[0].GetId(), demo.ChatID)
	checkEnum(t, "chatType", chats.GetValue()[0].GetChatType(), models.GROUP_CHATTYPE)
}

// TestBatchPollsOperations starts a team, then polls its operation twenty
// times per round with msgraph-sdk-go-core's BatchRequestCollection (which
// sends at most 19 requests a batch) until it succeeds.
func TestBatchPollsOperations(t *testing.T) {
	s := startServer(t)
	client := consoleClient(t, s)
	ctx := context.Background()
	teamID, opID := startTeam(t, client, "Batched")
	get, err := client.Teams().ByTeamId(teamID).Operations().ByTeamsAsyncOperationId(opID).ToGetRequestInformation(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		batch := msgraphcore.NewBatchRequestCollection(client.GetAdapter())
		var ids []string
		for range 20 {
			item, err := batch.AddBatchRequestStep(*get)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, *item.GetId())
		}
		res, err := batch.Send(ctx, client.GetAdapter())
		if err != nil {
			t.Fatal(describe(err))
		}
		var last models.TeamsAsyncOperationable
		for _, id := range ids {
			op, err := msgraphcore.GetBatchResponseById[models.TeamsAsyncOperationable](res, id, models.CreateTeamsAsyncOperationFromDiscriminatorValue)
			if err != nil {
				t.Fatalf("response %s: %s", id, describe(err))
			}
			checkString(t, "id", op.GetId(), opID)
			last = op
		}
		if st := last.GetStatus(); st != nil && *st == models.SUCCEEDED_TEAMSASYNCOPERATIONSTATUS {
			checkEnum(t, "operationType", last.GetOperationType(), models.CREATETEAM_TEAMSASYNCOPERATIONTYPE)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("operation %s never succeeded", opID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startTeam starts "Create team", checks the Location and
// Content-Location of its 202, and returns the team and operation ids.
func startTeam(t *testing.T, client *msgraphsdk.GraphServiceClient, name string) (string, string) {
	t.Helper()
	team := models.NewTeam()
	team.SetDisplayName(&name)
	team.SetAdditionalData(map[string]any{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"})
	owner := models.NewAadUserConversationMember()
	owner.SetRoles([]string{"owner"})
	owner.SetAdditionalData(map[string]any{"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + demo.UserAdele + "')"})
	team.SetMembers([]models.ConversationMemberable{owner})
	headers := nethttplibrary.NewHeadersInspectionOptions()
	headers.InspectResponseHeaders = true
	if _, err := client.Teams().Post(context.Background(), team, &teams.TeamsRequestBuilderPostRequestConfiguration{
		Options: []abstractions.RequestOption{headers},
	}); err != nil {
		t.Fatal(describe(err))
	}
	loc := headers.GetResponseHeaders().Get("Location")
	if len(loc) != 1 || !operationLocation.MatchString(loc[0]) {
		t.Fatalf("Location = %q", loc)
	}
	m := operationLocation.FindStringSubmatch(loc[0])
	if got := headers.GetResponseHeaders().Get("Content-Location"); len(got) != 1 || got[0] != "/teams('"+m[1]+"')" {
		t.Errorf("Content-Location = %q", got)
	}
	return m[1], m[2]
}

// TestRetryHandlerRecovers: the SDK's retry handler, on by default, waits
// the Retry-After of a 429 and sends the request again, so a client
// recovers from teamsops' throttling — Graph's limits scaled down — and
// from the throttle fault alike.
func TestRetryHandlerRecovers(t *testing.T) {
	// GET /teams/{team-id}: 3 a second per app and tenant, and the page's
	// 4 a second per app on one team, scaled to 0.4.
	s := startServer(t, teamsopstest.WithThrottle(0.1))
	client := consoleClient(t, s)
	ctx := context.Background()
	for i := range 5 {
		if _, err := client.Teams().ByTeamId(demo.TeamID).Get(ctx, nil); err != nil {
			t.Fatalf("GET %d: %s", i+1, describe(err))
		}
	}
	if throttled(t, s) == 0 {
		t.Error("five GETs at once were never throttled: the retry handler was not exercised")
	}

	// The fault refuses the first two requests that carry it; the retry
	// handler resends the same headers and the third goes through. On a
	// server of its own: the team's scaled bucket above is empty.
	client = consoleClient(t, startServer(t))
	headers := abstractions.NewRequestHeaders()
	headers.Add("X-Teamsops-Fault", "throttle=2; retry-after=1")
	channels, err := client.Teams().ByTeamId(demo.TeamID).Channels().Get(ctx, &teams.ItemChannelsRequestBuilderGetRequestConfiguration{Headers: headers})
	if err != nil {
		t.Fatal(describe(err))
	}
	if v := channels.GetValue(); len(v) != 1 {
		t.Errorf("channels after two 429s: %d", len(v))
	}
}

// throttled reads from /metrics how many requests throttling refused.
func throttled(t *testing.T, s *teamsopstest.Server) int {
	t.Helper()
	res, err := s.Client().Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	n := 0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "teamsops_throttled_requests_total{") {
			var v float64
			fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v)
			n += int(v)
		}
	}
	return n
}
