package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/teams"

	"github.com/teamsops/teamsops/demo"
)

// TestErrors checks that each kind of failure surfaces as *ODataError with
// Graph's code, status and request ids.
func TestErrors(t *testing.T) {
	s := startServer(t)
	console := consoleClient(t, s)
	// Chats have operations on beta only.
	betaConsole := consoleClient(t, s)
	betaConsole.GetAdapter().SetBaseUrl(s.URL + "/beta")
	bot, err := newGraphClient(s.URL, demo.TenantID, demo.ChatBotApp, demo.ChatBotSecret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name   string
		call   func() error
		status int
		code   string
	}{
		{"missing team operation", func() error {
			_, err := console.Teams().ByTeamId(demo.TeamID).Operations().
				ByTeamsAsyncOperationId("00000000-0000-0000-0000-000000000000").Get(ctx, nil)
			return err
		}, 404, "NotFound"},
		{"missing chat operation", func() error {
			_, err := getChatOperation(ctx, betaConsole.GetAdapter(), demo.ChatID, "00000000-0000-0000-0000-000000000000")
			return err
		}, 404, "NotFound"},
		{"chat operation on v1.0", func() error {
			_, err := getChatOperation(ctx, console.GetAdapter(), demo.ChatID, demo.ChatOperation)
			return err
		}, 400, "BadRequest"},
		{"app without a Team role", func() error {
			_, err := bot.Teams().ByTeamId(demo.TeamID).Operations().ByTeamsAsyncOperationId(demo.TeamOperation).Get(ctx, nil)
			return err
		}, 403, "Forbidden"},
		{"unknown property in $select", func() error {
			_, err := console.Teams().ByTeamId(demo.TeamID).Operations().ByTeamsAsyncOperationId(demo.TeamOperation).
				Get(ctx, &teams.ItemOperationsTeamsAsyncOperationItemRequestBuilderGetRequestConfiguration{
					QueryParameters: &teams.ItemOperationsTeamsAsyncOperationItemRequestBuilderGetQueryParameters{
						Select: []string{"status", "nope"},
					},
				})
			return err
		}, 400, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var oe *odataerrors.ODataError
			if !errors.As(err, &oe) {
				t.Fatalf("error = %T %v, want *odataerrors.ODataError", err, err)
			}
			if oe.ResponseStatusCode != tt.status {
				t.Errorf("status = %d, want %d", oe.ResponseStatusCode, tt.status)
			}
			main := oe.GetErrorEscaped()
			if main == nil {
				t.Fatal("ODataError has no error member")
			}
			checkString(t, "error.code", main.GetCode(), tt.code)
			if m := main.GetMessage(); m == nil || *m == "" {
				t.Error("error.message is empty")
			}
			inner := main.GetInnerError()
			if inner == nil {
				t.Fatal("error.innerError is missing")
			}
			header := oe.GetResponseHeaders().Get("request-id")
			if len(header) != 1 || header[0] == "" {
				t.Fatalf("request-id header = %q", header)
			}
			checkString(t, "innerError.request-id", inner.GetRequestId(), header[0])
			if id := inner.GetClientRequestId(); id == nil || *id == "" {
				t.Error("innerError.client-request-id is empty")
			}
			// Graph writes the date in UTC without an offset, which the SDK
			// reads as local time: compare the wall clock.
			if d := inner.GetDate(); d == nil || wallClockUTC(*d).Sub(time.Now()).Abs() > time.Hour {
				t.Errorf("innerError.date = %v, want about now (UTC)", d)
			}
		})
	}
}

// TestTokenStaysHome checks the allowed-hosts validation of the snippet's
// token provider: the same server reached by another host name
// (localhost instead of 127.0.0.1) gets no token, and so answers 401.
func TestTokenStaysHome(t *testing.T) {
	s := startServer(t)
	adapter := consoleClient(t, s).GetAdapter()
	adapter.SetBaseUrl(strings.Replace(s.URL, "127.0.0.1", "localhost", 1) + "/beta")
	_, err := getChatOperation(context.Background(), adapter, demo.ChatID, demo.ChatOperation)
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) || oe.ResponseStatusCode != 401 {
		t.Fatalf("error = %v, want a 401 ODataError", describe(err))
	}
	checkString(t, "error.code", oe.GetErrorEscaped().GetCode(), "InvalidAuthenticationToken")
}
