package conformance

// This file is the msgraph-sdk-go snippet of docs/waiting.md, verbatim
// between the markers; TestDocSnippets keeps the two identical, and
// TestWaitWithPoller runs it.

// docs/waiting.md snippet begin: msgraph-sdk-go and lro
import (
	"context"
	"errors"
	"net/http"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	nethttplibrary "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"

	"github.com/teamsops/teamsops/lro"
)

// startAndWait runs post — an SDK call that answers 202, given Kiota's
// headers inspection option — and waits with lro for the operation its
// Location names. httpClient must add the same token as the SDK, e.g.
// clientcredentials.Config's Client.
func startAndWait(ctx context.Context, graph *msgraphsdk.GraphServiceClient, httpClient *http.Client,
	post func(options []abstractions.RequestOption) error) (*lro.Operation, error) {
	headers := nethttplibrary.NewHeadersInspectionOptions()
	headers.InspectResponseHeaders = true // the SDK returns no headers otherwise
	if err := post([]abstractions.RequestOption{headers}); err != nil {
		return nil, err
	}
	location := headers.GetResponseHeaders().Get("Location")
	if len(location) == 0 {
		return nil, errors.New("the answer names no operation")
	}
	p, err := lro.NewFromLocation(httpClient, graph.GetAdapter().GetBaseUrl(), location[0], nil)
	if err != nil {
		return nil, err
	}
	return p.PollUntilDone(ctx)
}

// docs/waiting.md snippet end
