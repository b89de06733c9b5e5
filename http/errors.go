package http

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/teamsops/teamsops"
)

// statusOf maps an application error code to its HTTP status and Graph
// error code: the application's own (teamsops.GraphStatuses) and those
// only the Graph edge writes.
var statusOf = func() map[string]teamsops.GraphStatus {
	m := teamsops.GraphStatuses()
	for code, st := range map[string]teamsops.GraphStatus{
		eUnsupportedEncoding: {Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType"}, // encoding.go
		eTooManyRequests:     {Status: http.StatusTooManyRequests, Code: "TooManyRequests"},           // edge.go
		eFailedDependency:    {Status: http.StatusFailedDependency, Code: "FailedDependency"},         // batch.go
		eUserNotFound:        {Status: http.StatusNotFound, Code: "Request_ResourceNotFound"},         // users.go
		eUserDenied:          {Status: http.StatusForbidden, Code: "Authorization_RequestDenied"},     // users.go
		eClientGone:          {Status: statusClientClosedRequest, Code: "ClientClosedRequest"},
	} {
		m[code] = st
	}
	return m
}()

// eClientGone is the code of a request whose client went away before it
// was answered: whatever failed then failed because the request's context
// was cancelled, not because the server broke.
const eClientGone = "client_gone"

// statusClientClosedRequest is the status a request abandoned by its
// client is recorded with (nginx's 499): no client reads it, but the
// request log and the metrics then count it apart from the server's own
// failures.
const statusClientClosedRequest = 499

// codeOf is err's application code, or eClientGone when the request's
// client went away and err is what that cancellation caused.
func codeOf(r *http.Request, err error) string {
	code := teamsops.ErrorCode(err)
	if code == teamsops.EINTERNAL && errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled) {
		return eClientGone
	}
	return code
}

// writeError writes err in Graph's error envelope
// (https://learn.microsoft.com/graph/errors): code, message and an
// innerError with the date and both request ids.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := codeOf(r, err)
	m, ok := statusOf[code]
	if !ok {
		m = statusOf[teamsops.EINTERNAL]
	}
	switch {
	case m.Status >= 500:
		s.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestID(r),
			"method", r.Method, "path", r.URL.EscapedPath(), "status", m.Status, "err", err)
	case code == eClientGone:
		s.Logger.InfoContext(r.Context(), "request abandoned by its client", "request_id", requestID(r),
			"method", r.Method, "path", r.URL.EscapedPath(), "err", err)
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.logged = true
	}
	switch m.Status {
	case http.StatusUnauthorized:
		// Graph names the authority a client should get a token from.
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="`+s.PublicURL+
			`/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
	}
	var later *retryLater
	if errors.As(err, &later) {
		w.Header().Set("Retry-After", later.after)
	}
	date := time.Now().UTC().Format("2006-01-02T15:04:05")
	inner := object{{"date", date}, {"request-id", requestID(r)}, {"client-request-id", w.Header().Get("client-request-id")}}
	if m.Status == http.StatusTooManyRequests {
		// The throttling page's sample adds the status as code and status,
		// and its own message (concepts/throttling.md, "Sample response").
		inner = object{{"code", "429"}, {"date", date}, {"message", "Please retry after"},
			{"request-id", requestID(r)}, {"status", "429"}, {"client-request-id", w.Header().Get("client-request-id")}}
	}
	body := object{{"error", object{
		{"code", m.Code},
		{"message", teamsops.ErrorMessage(err)},
		{"innerError", inner},
	}}}
	writeJSON(w, m.Status, body)
}

// logRequest records one finished request with stable keys, at debug
// level: a line per request costs more than the rest of a cached GET, and
// failures are logged on their own (writeError).
func (s *Server) logRequest(r *http.Request, status int, took time.Duration) {
	if !s.Logger.Enabled(r.Context(), slog.LevelDebug) {
		return
	}
	s.Logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
		slog.String("request_id", requestID(r)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Duration("took", took))
}
