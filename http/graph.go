package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/service"
)

// defaultPageSize and maxPageSize bound one page of a list; $top asks for
// a page size, as Graph treats it, and @odata.nextLink leads to the rest.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// request is one Graph call on its way through the edge.
type request struct {
	version string // "v1.0" or "beta"
	path    string // the escaped path after the version
	view    view
	route   route
	p       teamsops.Principal
	prefs   map[string]string // the Prefer header's preferences
	// fault is the FaultHeader's fault for the operation the request
	// starts, if any (fault.go).
	fault *teamsops.Fault
}

// serveGraph handles /{version}/...: authentication first (as Graph's
// gateway does), then routing, method, faults and throttling (edge.go),
// query options and the call itself.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, version, path string) {
	p, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := parseFaults(r.Header.Values(FaultHeader))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	segs, err := odata.ParsePath(path)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rt, err := matchRoute(segs)
	if err == nil {
		err = rt.inVersion(version)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rec, ok := w.(*statusRecorder); ok {
		rec.route = rt.template()
		if s.Spans != nil {
			s.Spans.Routed(r.Context(), r.Method, version, rec.route, p.TenantID, rt.operationID())
		}
	}
	if methods := rt.methods(); !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		s.writeError(w, r, teamsops.Errorf(teamsops.ENOTALLOWED, "The HTTP method '%s' is not allowed on this resource.", r.Method))
		return
	}
	if err := s.admit(r, p, f, rt); err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.Method != http.MethodGet {
		// Only POST and PUT start operations: the dashboard shows the
		// request as their origin.
		r = r.WithContext(service.WithOrigin(r.Context(), origin(r, p)))
	}
	prefs := preferences(r.Header)
	req := &request{version: version, path: path, view: newView(version, prefs), prefs: prefs, route: rt, p: p, fault: f.op}
	if req.view.includeUnknown {
		w.Header().Set("Preference-Applied", "include-unknown-enum-members")
	}
	switch {
	case rt.batch:
		err = s.serveBatch(w, r, req) // batch.go
	case rt.list != nil:
		err = s.serveLists(w, r, req) // lists.go
	case rt.user != nil:
		err = s.getUser(w, r, req) // users.go
	case rt.team != nil:
		err = s.serveTeams(w, r, req) // teams.go
	case rt.subscription != nil:
		err = s.serveSubscriptions(w, r, req) // subscriptionview.go
	case rt.nav == "permissionGrants":
		err = s.listPermissionGrants(w, r, req)
	case rt.count:
		err = s.countOperations(w, r, req) // count.go
	case rt.nav == "operations" && rt.hasID:
		err = s.getOperation(w, r, req)
	case rt.nav == "operations":
		err = s.listOperations(w, r, req)
	default:
		err = s.serveChat(w, r, req) // chats.go
	}
	if err != nil {
		s.writeError(w, r, err)
	}
}

// origin describes r, as the operation it starts records it.
func origin(r *http.Request, p teamsops.Principal) teamsops.Origin {
	path := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	return teamsops.Origin{Method: r.Method, Path: path, ClientAppID: p.AppID, UserID: p.UserID,
		Fault: strings.Join(r.Header.Values(FaultHeader), ", "), RequestID: requestID(r)}
}

// setRetryAfter tells the client when to look at an operation again
// (RFC 9110 section 10.2.3): on a 202 and on a GET of an operation that
// has not ended.
func (s *Server) setRetryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int((s.PollInterval+time.Second-1)/time.Second)))
}

// authenticate validates the bearer token of r.
func (s *Server) authenticate(r *http.Request) (teamsops.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if h == "" || token == "" {
		return teamsops.Principal{}, teamsops.Errorf(teamsops.EUNAUTHORIZED, "Access token is empty.")
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return teamsops.Principal{}, teamsops.Errorf(teamsops.EUNAUTHORIZED, "Access token is not a Bearer token.")
	}
	return s.Auth.Validate(r.Context(), token)
}

func (s *Server) getOperation(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := odata.ParseQuery(r.URL.RawQuery, req.view.properties(), req.view.beta, false)
	if err != nil {
		return err
	}
	// In a batch, the wait ends by the batch's deadline (batch.go), in
	// whole seconds, as Preference-Applied reports it.
	wait := holdLeft(r.Context(), waitPreference(req.prefs)).Truncate(time.Second)
	op, held, err := s.Service.WaitOperation(r.Context(), req.p, req.route.resource, req.route.id, wait)
	if err != nil {
		return err
	}
	if held {
		// RFC 7240 section 3: the preference was honoured.
		w.Header().Add("Preference-Applied", "wait="+strconv.Itoa(int(wait/time.Second)))
	}
	if !service.Ended(op) {
		s.setRetryAfter(w)
	}
	body := append(object{{"@odata.context", s.contextURL(req, q.Select) + "/$entity"}}, req.view.operation(op, q.Select)...)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) listOperations(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := odata.ParseQuery(r.URL.RawQuery, req.view.properties(), req.view.beta, true)
	if err != nil {
		return err
	}
	size := defaultPageSize
	if q.HasTop {
		size = min(q.Top, maxPageSize)
	}
	// A chat's list carries @odata.count without $count: the page lists
	// no $count, yet its example answers a bare GET with "@odata.count": 1
	// (api-reference/beta/api/chat-list-operations.md). A team's list
	// counts on $count only.
	withCount := q.Count || req.route.resource.Kind == teamsops.ResourceChat
	// One more than a page tells whether another page follows.
	ops, count, err := s.Service.Operations(r.Context(), req.p, req.route.resource,
		teamsops.OperationQuery{Filter: q.Filter, Top: size + 1, Skip: q.Skip, Count: withCount})
	if err != nil {
		return err
	}
	body := object{{"@odata.context", s.contextURL(req, q.Select)}}
	if withCount {
		body = append(body, member{"@odata.count", count})
	}
	if len(ops) > size {
		ops = ops[:size]
		if size > 0 { // $top=0 asks for no rows, not for endless empty pages
			body = append(body, member{"@odata.nextLink", s.nextLink(r, req, q.Skip+size)})
		}
	}
	values := make([]object, len(ops))
	for i, op := range ops {
		values[i] = req.view.operation(op, q.Select)
	}
	writeJSON(w, http.StatusOK, append(body, member{"value", values}))
	return nil
}

// listPermissionGrants answers GET /chats/{id}/permissionGrants, whose page
// takes no query options
// (api-reference/beta/api/chat-list-permissiongrants.md).
func (s *Server) listPermissionGrants(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err
	}
	grants, err := s.Service.PermissionGrants(r.Context(), req.p, req.route.resource)
	if err != nil {
		return err
	}
	values := make([]object, len(grants))
	for i, g := range grants {
		values[i] = object{
			{"id", g.ID}, {"clientAppId", g.ClientAppID},
			{"resourceAppId", "00000003-0000-0000-c000-000000000000"},
			{"clientId", g.ClientID}, {"permissionType", g.PermissionType}, {"permission", g.Permission},
		}
	}
	// The page's example context is "$metadata#permissionGrants".
	writeJSON(w, http.StatusOK, object{
		{"@odata.context", s.PublicURL + "/" + req.version + "/$metadata#permissionGrants"},
		{"value", values},
	})
	return nil
}

// contextURL builds @odata.context as Graph does, keys percent-encoded:
// {base}/{version}/$metadata#chats('19%3A…%40thread.v2')/operations, with
// the selected properties in parentheses after the set.
func (s *Server) contextURL(req *request, sel []string) string {
	var b strings.Builder
	b.WriteString(s.PublicURL + "/" + req.version + "/$metadata#")
	b.WriteString(string(req.route.resource.Kind) + "('" + odata.EscapeKey(req.route.resource.ID) + "')/operations")
	if len(sel) > 0 {
		b.WriteString("(" + strings.Join(sel, ",") + ")")
	}
	return b.String()
}

// nextLink is the request's own URL with $skip moved on; every other
// query option is kept as the client wrote it.
func (s *Server) nextLink(r *http.Request, req *request, skip int) string {
	var kept []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		name, _, _ := strings.Cut(part, "=")
		n := strings.ToLower(strings.ReplaceAll(name, "%24", "$"))
		if part == "" || n == "$skip" || (req.view.beta && n == "skip") {
			continue
		}
		kept = append(kept, part)
	}
	kept = append(kept, "$skip="+strconv.Itoa(skip))
	return s.PublicURL + "/" + req.version + req.path + "?" + strings.Join(kept, "&")
}
