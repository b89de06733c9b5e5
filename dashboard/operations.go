package dashboard

import (
	"net/http"
	"strconv"

	"github.com/teamsops/teamsops"
)

// pageSize is how many operations one page of the table shows.
const pageSize = 50

// operationsPage is the data of the operations table.
type operationsPage struct {
	Filter   filter
	Rows     []rowView
	Tenants  []*teamsops.Tenant
	Statuses []teamsops.EnumMember
	Types    []teamsops.EnumMember
	// First is set on the newest page, where new operations appear.
	First bool
	// Next is the link to the next page, "" on the last.
	Next, Newest string
	// Events is the URL of the page's event stream.
	Events string
}

// operations answers the table: operations across tenants, or of one,
// newest first, filtered and paged by a cursor.
func (h *Handler) operations(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err == nil && f.Operation != nil {
		f.Operation = nil // only an operation's page follows one
	}
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	before, err := decodeCursor(r.URL.Query().Get("before"))
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	// Read before the store: a change heard after it reloads the table.
	version := h.hub.version.Load()
	ops, err := h.cfg.Store.SearchOperations(ctx, f.search(before, pageSize+1))
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	tenants, err := h.cfg.Store.Tenants(ctx)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	p := operationsPage{Filter: f, Tenants: tenants, First: before == nil,
		Statuses: filterStatuses, Types: filterTypes,
		Newest: Prefix + "?" + f.query(),
		Events: Prefix + "events?" + f.query("v", strconv.FormatUint(version, 10))}
	if len(ops) > pageSize {
		ops = ops[:pageSize]
		p.Next = Prefix + "?" + f.query("before", encodeCursor(teamsops.CursorOf(ops[len(ops)-1])))
	}
	n := newNamer(h.cfg.Store)
	n.tenants = map[string]string{}
	for _, t := range tenants {
		n.tenants[t.ID] = t.DisplayName
	}
	for _, op := range ops {
		p.Rows = append(p.Rows, newRow(ctx, n, op))
	}
	h.render(w, r, http.StatusOK, "operations", p)
}
