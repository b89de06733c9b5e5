package http

import (
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata/metadata"
)

// routeMetadata is the Observer's route template of the metadata document.
const routeMetadata = "/{version}/$metadata"

// isMetadataPath reports whether the escaped path after the version
// addresses the service's metadata document.
func isMetadataPath(rest string) bool {
	return rest == "$metadata" || strings.EqualFold(rest, "%24metadata")
}

// serveMetadata answers GET /{version}/$metadata with Graph's CSDL,
// trimmed to what teamsops serves (package metadata), so that the part of
// every @odata.context before '#' resolves. Graph serves the document
// without a token, and so does teamsops.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, version string) {
	if rec, ok := w.(*statusRecorder); ok {
		rec.route = routeMetadata
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		s.writeError(w, r, teamsops.Errorf(teamsops.ENOTALLOWED, "The HTTP method '%s' is not allowed on this resource.", r.Method))
		return
	}
	doc, _ := metadata.CSDL(version)
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(doc)
	}
}
