// Package admin is teamsops' admin API, under /_teamsops/ (the convention
// of LocalStack's /_localstack/): tests that share one server create and
// delete tenants of their own through it. It is not Graph and has its own
// audience, so it is not part of the Graph edge; it answers in Graph's
// error envelope all the same, so that clients read its errors alike.
//
//	POST   /_teamsops/tenants        a tenant document → 201 Created, or 200 OK when the tenant existed
//	GET    /_teamsops/tenants/{id}   → 200 OK with the tenant's document
//	DELETE /_teamsops/tenants/{id}   → 204 No Content: every row of the tenant is gone
//	GET    /_teamsops/tenants/{id}/faultRules             → 200 OK with {"value": [rules]}
//	POST   /_teamsops/tenants/{id}/faultRules             a rule → 201 Created, or 200 OK when its id existed;
//	                                                      409 Conflict when another rule has its app and operationType
//	GET    /_teamsops/tenants/{id}/faultRules/{rule-id}   → 200 OK with the rule
//	DELETE /_teamsops/tenants/{id}/faultRules/{rule-id}   → 204 No Content
//
// A tenant document is a tenant file, but for one thing: it has no
// directory, so its certificates are inline PEM, not paths. It, and a
// rule, is read by its Content-Type: application/json, application/yaml
// (or the older application/x-yaml, text/yaml), or none (read as YAML,
// which JSON is); any other is 415 Unsupported Media Type. Its problems
// are a 400 whose message lists them as "teamsops apply" prints them,
// FILE:LINE:COLUMN: PATH: MESSAGE, and whose innerError.errors holds
// each. Answers are JSON, and leave client secrets and passwords out.
//
// A rule has the shape of an entry of a tenant file's faultRules. Rules
// created here are the run time's: an apply of the tenant's file does not
// delete them. A tenant holds one rule per app and operation type, as a
// tenant file does, whichever way its rules came: of two, only the first
// by id could ever apply. So a rule beside another of its app and type is
// refused, naming that rule (post it with that rule's id to replace it),
// and so is an apply that declares one beside a rule created here.
//
// Every request must carry Authorization: Bearer {admin token}, compared
// in constant time. The admin token is not a JWT, and Graph's tokens never
// open the admin API. After a handful of wrong tokens from one client
// address within a minute, that address gets 429 with Retry-After for
// every request, right token or not, until the window has passed
// (package authlimit).
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/authlimit"
	"github.com/teamsops/teamsops/tenantfile"
)

// Tenants is what the admin API does with tenants; service.Tenants
// implements it.
type Tenants interface {
	Apply(ctx context.Context, ds ...*teamsops.Declaration) error
	Get(ctx context.Context, id string) (*teamsops.Declaration, error)
	Delete(ctx context.Context, id string) error
	FaultRules(ctx context.Context, tenantID string) ([]*teamsops.FaultRule, error)
	PutFaultRule(ctx context.Context, r *teamsops.FaultRule) (created bool, err error)
	DeleteFaultRule(ctx context.Context, tenantID, id string) error
}

// Handler serves the admin API.
type Handler struct {
	tokenSum [sha256.Size]byte
	tenants  Tenants
	log      *slog.Logger
	// Failures throttles wrong tokens per client address. New gives the
	// handler its own; the server shares one with the dashboard's login,
	// so that a guesser gets one budget across both.
	Failures *authlimit.Limiter
}

// New returns the admin API opened by token, acting on tenants. It refuses
// an empty token and one shaped like a JWT: the admin token must never be
// mistaken for a Graph token, nor a Graph token for it.
func New(token string, tenants Tenants, log *slog.Logger) (*Handler, error) {
	if strings.TrimSpace(token) == "" || strings.ContainsAny(token, " \t\r\n") {
		return nil, errors.New("the admin token must be non-empty, without spaces")
	}
	if parts := strings.Split(token, "."); len(parts) == 3 {
		return nil, errors.New("the admin token must not be shaped like a JWT (three parts joined by dots)")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{tokenSum: sha256.Sum256([]byte(token)), tenants: tenants, log: log,
		Failures: authlimit.New(authlimit.DefaultMax, authlimit.DefaultWindow)}, nil
}

// Prefix is the path every admin endpoint starts with.
const Prefix = "/_teamsops/"

// ServeHTTP authenticates the request, then routes it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr := authlimit.ClientAddress(r)
	if wait, ok := h.Failures.Allow(addr); !ok {
		// Checked before the token, so that a right guess is no different
		// from a wrong one while the address is throttled.
		after := authlimit.RetryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(after))
		writeError(w, r, teamsops.Errorf(eTooManyRequests,
			"Too many requests with a wrong admin token came from this address; retry after %d seconds.", after), nil)
		return
	}
	if !h.authorized(r) {
		if guess(r) {
			h.Failures.Fail(addr)
			h.log.WarnContext(r.Context(), "admin token refused", "remote_addr", r.RemoteAddr)
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="teamsops admin"`)
		writeError(w, r, teamsops.Errorf(teamsops.EUNAUTHORIZED,
			"The admin API requires the admin token: Authorization: Bearer {the --admin-token of the server}."), nil)
		return
	}
	path := strings.TrimPrefix(r.URL.EscapedPath(), Prefix)
	// tenants, tenants/{id}, tenants/{id}/faultRules[/{rule-id}]
	seg := strings.Split(path, "/")
	tenant := len(seg) >= 2 && seg[0] == "tenants" && seg[1] != ""
	switch {
	case path == "tenants" && r.Method == http.MethodPost:
		h.create(w, r)
	case path == "tenants":
		notAllowed(w, r, http.MethodPost)
	case tenant && len(seg) == 2 && r.Method == http.MethodGet:
		h.get(w, r, seg[1])
	case tenant && len(seg) == 2 && r.Method == http.MethodDelete:
		h.delete(w, r, seg[1])
	case tenant && len(seg) == 2:
		notAllowed(w, r, http.MethodGet+", "+http.MethodDelete)
	case tenant && len(seg) == 3 && seg[2] == "faultRules":
		h.faultRules(w, r, seg[1])
	case tenant && len(seg) == 4 && seg[2] == "faultRules" && seg[3] != "":
		h.faultRule(w, r, seg[1], seg[3])
	default:
		writeError(w, r, teamsops.Errorf(teamsops.ENOTFOUND, "No admin endpoint at %s.", teamsops.Clip(r.URL.Path)), nil)
	}
}

// authorized compares the bearer token with the admin token in constant
// time: their hashes, so that even the length does not leak.
func (h *Handler) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) == 1
}

// guess reports whether a refused request offered something that might
// have been the admin token, and so counts as a guess: a credential, not
// shaped like a JWT. A request without one, or with a Graph token sent
// to the wrong place, cannot find the admin token (New refuses a
// JWT-shaped one), and a test suite's client making that mistake should
// not lock itself out.
func guess(r *http.Request) bool {
	_, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cred = strings.TrimSpace(cred)
	return cred != "" && len(strings.Split(cred, ".")) != 3
}

// create applies the tenant document of the body.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	d, ok := readDocument(w, r, tenantfile.MaxSize, "tenant document", tenantfile.Decode)
	if !ok {
		return
	}
	_, before := h.tenants.Get(r.Context(), d.Tenant.ID)
	if err := h.tenants.Apply(r.Context(), d); err != nil {
		h.fail(w, r, err)
		return
	}
	stored, err := h.tenants.Get(r.Context(), d.Tenant.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusCreated
	if before == nil {
		status = http.StatusOK // the tenant was there: an edit
	}
	w.Header().Set("Location", Prefix+"tenants/"+d.Tenant.ID)
	h.writeTenant(w, r, status, stored)
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request, id string) {
	d, err := h.tenants.Get(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeTenant(w, r, http.StatusOK, d)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request, id string) {
	if err := h.tenants.Delete(r.Context(), id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "tenant deleted", "tenant_id", id)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) writeTenant(w http.ResponseWriter, r *http.Request, status int, d *teamsops.Declaration) {
	doc, err := tenantfile.Encode(d)
	h.writeEncoded(w, r, status, doc, err)
}

// writeEncoded writes a document tenantfile encoded, or the error it
// could not be encoded for.
func (h *Handler) writeEncoded(w http.ResponseWriter, r *http.Request, status int, doc []byte, err error) {
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, status, doc)
}

// fail answers an error of the service; one without a code is logged.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if teamsops.ErrorCode(err) == teamsops.EINTERNAL {
		h.log.ErrorContext(r.Context(), "admin request failed", "path", r.URL.Path, "err", err)
	}
	writeError(w, r, err, nil)
}

func notAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, r, teamsops.Errorf(teamsops.ENOTALLOWED, "The admin API does not accept %s on %s.", r.Method, teamsops.Clip(r.URL.Path)), nil)
}
