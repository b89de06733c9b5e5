// Package lro waits for Microsoft Graph's long-running Teams operations
// (teamsAsyncOperation) to end, against Graph itself or against teamsops.
//
// # The flow
//
// Creating, cloning or archiving a team, creating a shared channel, or a
// chat with an app installed answers 202 Accepted and names an operation
// in its Location header, relative and without a version:
//
//	HTTP/1.1 202 Accepted
//	Location: /teams('{team-id}')/operations('{operation-id}')
//
// The client must append it to its base URL (…/v1.0 or …/beta) and GET it
// until the operation's status is succeeded or failed. A Poller does
// that: give it the 202 and wait. (Graph's v1.0 has no chat operations:
// for a chat created on v1.0, use NewFromLocation with the beta base URL.
// The poller itself knows no resource's versions, so that it keeps
// working as Graph's versions change.)
//
//	res, err := client.Do(req) // POST https://graph.microsoft.com/v1.0/teams
//	if err != nil {
//		return err
//	}
//	res.Body.Close()
//	p, err := lro.New(client, res, nil)
//	if err != nil {
//		return err // not a 202, no Location, or a Location on another host
//	}
//	op, err := p.PollUntilDone(ctx)
//	var failed *lro.OperationError
//	switch {
//	case errors.As(err, &failed):
//		// The operation failed: failed.Code, failed.Message, failed.Operation.
//	case err != nil:
//		// The wait failed: ctx ended, a 401 or 404 (*lro.ResponseError),
//		// or too many transient failures in a row.
//	default:
//		// op.Status is lro.StatusSucceeded; op.TargetResourceLocation
//		// names what it made, e.g. /teams('{team-id}').
//	}
//
// Without the response at hand — the Location came from elsewhere, or
// from an SDK — use NewFromLocation with the base URL.
//
// # Credentials
//
// The poller sends its requests with the *http.Client it is given, which
// may add credentials: an oauth2 client (golang.org/x/oauth2), or any
// client whose Transport sets an Authorization header. So that those never
// leave the host that started the operation, a poller sends requests only
// to that scheme and host: an absolute Location on another host is refused
// by New and NewFromLocation, and so is a redirect to another host.
//
// # When it polls
//
// Graph asks clients to wait more than 30 seconds between checks of an
// operation; teamsops' operations may end in milliseconds. The poller
// adapts to what the server says:
//
//   - Retry-After, on the 202, on an answer that the operation goes on, or
//     on a 429 or 503, is the wait before the next poll (seconds or an
//     HTTP-date; at most five minutes; never less than Options.MinDelay).
//   - Each GET carries "Prefer: wait=20" (RFC 7240 §4.3). A server that
//     applies it holds the request until the operation changes or the time
//     runs out, and says so with Preference-Applied; the next request then
//     goes at once. Graph ignores the preference, which costs nothing.
//   - Otherwise the poller backs off exponentially with jitter, from
//     Options.MinDelay (1 s) to Options.MaxDelay (40 s).
//
// Transport errors, 408, 429 and 5xx answers are retried, up to
// Options.MaxFailures in a row; any other answer ends the wait with a
// *ResponseError carrying Graph's error code, message and request-id.
// Options.OnRetry hears of each retry as it is decided, and a context
// that ends during retries names the last failure in its error.
// Each GET also asks for the evolvable members of operationType
// ("Prefer: include-unknown-enum-members"), so that a v1.0 teamifyGroup
// is not reported as unknownFutureValue.
//
// # Resuming
//
// ResumeToken returns a string that names the operation, and Resume
// carries on from it in another process — a CI job or a deployment that
// restarted mid-wait — without starting the operation again. The token
// holds no credentials.
//
// # With msgraph-sdk-go
//
// The Graph SDK for Go returns no headers of a 202; ask Kiota for them
// with a headers inspection option, then hand the Location and the
// adapter's base URL to NewFromLocation, with an *http.Client that adds
// the same token:
//
//	headers := nethttplibrary.NewHeadersInspectionOptions()
//	headers.InspectResponseHeaders = true
//	_, err := graph.Teams().Post(ctx, team, &teams.TeamsRequestBuilderPostRequestConfiguration{
//		Options: []abstractions.RequestOption{headers},
//	})
//	…
//	loc := headers.GetResponseHeaders().Get("Location")[0]
//	p, err := lro.NewFromLocation(httpClient, graph.GetAdapter().GetBaseUrl(), loc, nil)
package lro
