package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// isCountSegment reports whether segs[i] is the /$count segment that
// addresses the number of items of the collection before it.
func isCountSegment(segs []odata.Segment, i int) bool {
	return i < len(segs) && !segs[i].HasKey && strings.EqualFold(segs[i].Name, "$count")
}

// countOperations answers GET .../operations/$count: the number of
// operations, after $filter, as text/plain. Graph's "Use query parameters"
// page documents $count as a URL segment, and the SDKs call it
// (Operations().Count()). OData 4.01 URL Conventions, section 4.8
// ("Addressing the Count of a Collection"): the count is not affected by
// $top or $skip.
func (s *Server) countOperations(w http.ResponseWriter, r *http.Request, req *request) error {
	q, err := odata.ParseQuery(r.URL.RawQuery, req.view.properties(), req.view.beta, true)
	if err != nil {
		return err
	}
	// Top 1 keeps the page read small: only the count is used.
	_, count, err := s.Service.Operations(r.Context(), req.p, req.route.resource,
		teamsops.OperationQuery{Filter: q.Filter, Top: 1, Count: true})
	if err != nil {
		return err
	}
	body := strconv.Itoa(count)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("OData-Version", "4.0")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(body))
	return nil
}
