// Package http is teamsops' HTTP edge: it routes Graph and OData URLs,
// authenticates the bearer token, parses query options, calls the domain
// service and writes Graph's JSON. Graph's wire shapes exist only here.
package http

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
	"github.com/teamsops/teamsops/throttle"
)

// Authenticator turns a bearer token into a principal, or fails with
// EUNAUTHORIZED. identity.Validator is the implementation.
type Authenticator interface {
	Validate(ctx context.Context, rawToken string) (teamsops.Principal, error)
}

// Server serves Graph's API under /v1.0 and /beta, the identity endpoints
// of the local issuer, and /healthz and /readyz.
type Server struct {
	// PublicURL is the base URL clients reach the server at, without a
	// trailing slash; @odata.context and links are built on it.
	PublicURL string
	Service   *service.Service
	Auth      Authenticator
	// Identity serves /{tenant}/v2.0/..., /{tenant}/discovery/...,
	// /common/UserRealm/... and
	// /{tenant}/oauth2/...: the local issuer's endpoints.
	Identity http.Handler
	// Admin serves every path under /_teamsops/ (package admin); nil
	// answers 404 there, as when no admin token is set.
	Admin http.Handler
	// Ready reports whether the server can serve requests (for /readyz).
	Ready func(ctx context.Context) error
	// Observer, if set, hears of every request and accepted operation.
	Observer Observer
	// Spans, if set, names and annotates each request's trace span.
	Spans Spans
	// PollInterval is how long clients are told to wait before they look
	// at an operation that has not ended (Retry-After, rounded up to
	// seconds; 0 says at once).
	PollInterval time.Duration
	Logger       *slog.Logger
	// Throttle applies Graph's throttling limits; nil turns them off.
	Throttle *throttle.Throttler

	// faultCounts counts the requests of throttle=N and unavailable=N.
	faultCounts faultCounters
	// batchHold is how long a batch may hold its client; 0 is maxWait.
	// Only tests change it (export_test.go), to scale the limit down.
	batchHold time.Duration
}

// ServeHTTP dispatches on the first path segment. It does not use
// http.ServeMux at the top so that no path is cleaned or redirected: keys
// may hold characters a mux would rewrite.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	r = withRequestIDs(rec, r)
	defer func() {
		if v := recover(); v != nil {
			s.writeError(rec, r, fmt.Errorf("panic: %v", v))
		}
		took := time.Since(start)
		if rec.status >= 500 && !rec.logged {
			// A server error written past writeError (an encoding failure,
			// the identity or admin handlers): logged all the same, so that
			// every 5xx can be found by its request-id.
			s.Logger.ErrorContext(r.Context(), "request answered with a server error", "request_id", requestID(r),
				"method", r.Method, "path", r.URL.EscapedPath(), "status", rec.status)
		}
		s.logRequest(r, rec.status, took)
		if s.Observer != nil {
			s.Observer.Request(rec.route, r.Method, rec.status, took)
		}
	}()

	first, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	rec.route = routeUnknown
	switch first {
	case "v1.0", "beta":
		if isMetadataPath(rest) {
			s.serveMetadata(rec, r, first)
			return
		}
		if err := decodeBody(r); err != nil {
			s.writeError(rec, r, err)
			return
		}
		s.serveGraph(rec, r, first, "/"+rest)
	case "healthz":
		rec.route = routeHealth
		writeJSON(rec, http.StatusOK, object{{"status", "ok"}})
	case "readyz":
		rec.route = routeReady
		s.serveReady(rec, r)
	case "_teamsops":
		if s.Admin == nil {
			s.writeError(rec, r, teamsops.Errorf(teamsops.ENOTFOUND, "The admin API is off: start the server with --admin-token."))
			return
		}
		s.Admin.ServeHTTP(rec, r)
	default:
		second, _, _ := strings.Cut(rest, "/")
		// Entra's endpoints, and its user realm discovery, which MSAL asks
		// at /common/UserRealm/{user}.
		if s.Identity != nil && (second == "v2.0" || second == "discovery" || second == "oauth2" ||
			first == "common" && strings.EqualFold(second, "userrealm")) {
			rec.route = routeIdentity
			s.Identity.ServeHTTP(rec, r)
			return
		}
		s.writeError(rec, r, teamsops.Errorf(teamsops.EINVALID, "Invalid version: %s", first))
	}
}

func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.writeError(w, r, teamsops.Errorf(teamsops.EUNAVAILABLE, "Not ready: %v", err))
			return
		}
	}
	writeJSON(w, http.StatusOK, object{{"status", "ready"}})
}

type ctxKey int

const requestIDKey ctxKey = 0

// withRequestIDs gives every response a request-id and echoes the
// client's client-request-id, or the request-id when it sent none, as
// Graph does (https://learn.microsoft.com/graph/errors).
func withRequestIDs(w http.ResponseWriter, r *http.Request) *http.Request {
	id := newGUID()
	client := r.Header.Get("client-request-id")
	if client == "" {
		client = id
	}
	w.Header().Set("request-id", id)
	w.Header().Set("client-request-id", client)
	return r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// newGUID returns a random (version 4) GUID for a request id. Request ids
// need to be unique, not unguessable, so they come from math/rand/v2's
// per-thread generator rather than from the kernel, a system call that
// cost more than the rest of the id.
func newGUID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 9562 variant
	return uuid.UUID(b).String()
}

// statusRecorder remembers the status code and the route template, for
// the request log and the Observer, and whether writeError has logged the
// failure already.
type statusRecorder struct {
	http.ResponseWriter
	status int
	route  string
	logged bool
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
