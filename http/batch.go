package http

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// eFailedDependency is the code of a batch request whose dependency
// failed: "any request that depends on that request fails with status
// code 424 (Failed Dependency)" (concepts/json-batching.md).
const eFailedDependency = "failed_dependency"

// serveBatch answers POST /$batch (concepts/json-batching.md): it runs
// each request of the batch through this same server, in-process, with
// the batch's token, each request authorized, faulted and throttled on its
// own, and answers 200 with their responses. A batch that cannot be read
// is a 400 and runs nothing. Requests run one at a time, each after those
// it depends on; Graph may answer them in any order, and so the
// responses come in the order they ran.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err
	}
	body, err := readBatchBody(w, r)
	if err != nil {
		return err
	}
	reqs, err := decodeBatch(body)
	if err != nil {
		return err
	}
	order, _ := batchOrder(reqs) // decodeBatch checked it
	failed := make(map[string]bool, len(reqs))
	responses := make([]object, 0, len(reqs))
	for _, i := range order {
		br := reqs[i]
		var res *batchRecorder
		if dep := failedDependency(br, failed); dep != "" {
			res = s.failDependency(r, br, dep)
		} else {
			res = s.runBatchRequest(r, req, br)
		}
		failed[strings.ToLower(br.id)] = res.status >= 400
		responses = append(responses, res.object(br.id))
	}
	writeJSON(w, http.StatusOK, object{{"responses", responses}})
	return nil
}

// readBatchBody reads a JSON body of at most maxBatchBody bytes.
func readBatchBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	media, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.EqualFold(media, "application/json") {
		return nil, errPayload
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBatchBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, teamsops.Errorf(teamsops.EINVALID, "The batch body is larger than %d bytes.", maxBatchBody)
	} else if err != nil {
		return nil, errPayload
	}
	return body, nil
}

// failedDependency returns the id of a request br depends on that failed
// (or was itself refused for a failed dependency), or "".
func failedDependency(br batchRequest, failed map[string]bool) string {
	for _, d := range br.dependsOn {
		if failed[strings.ToLower(d)] {
			return d
		}
	}
	return ""
}

// failDependency is the 424 of a request whose dependency failed.
func (s *Server) failDependency(r *http.Request, br batchRequest, dep string) *batchRecorder {
	rec := newBatchRecorder()
	err := teamsops.Errorf(eFailedDependency, "The request '%s' depends on the request '%s', which failed.", clipText(br.id), clipText(dep))
	s.writeError(rec, withRequestIDs(rec, r), err)
	return rec
}

// runBatchRequest runs one request of the batch through the server. The
// batch's Authorization goes with it, whatever its own headers say.
func (s *Server) runBatchRequest(r *http.Request, req *request, br batchRequest) *batchRecorder {
	version := br.version
	if version == "" {
		version = req.version
	}
	rec := newBatchRecorder()
	var body io.Reader = http.NoBody
	if br.body != nil {
		body = bytes.NewReader(br.body)
	}
	inner, err := http.NewRequestWithContext(r.Context(), br.method, "/"+version+br.url, body)
	if err != nil {
		s.writeError(rec, withRequestIDs(rec, r), teamsops.Errorf(teamsops.EINVALID, "The url of request '%s' is not valid.", clipText(br.id)))
		return rec
	}
	inner.Header = br.headers.Clone()
	inner.Header.Set("Authorization", r.Header.Get("Authorization"))
	inner.Host, inner.RemoteAddr, inner.RequestURI = r.Host, r.RemoteAddr, "/"+version+br.url
	s.ServeHTTP(rec, inner)
	return rec
}

// batchRecorder is the response of one request of a batch.
type batchRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBatchRecorder() *batchRecorder {
	return &batchRecorder{header: http.Header{}, status: http.StatusOK}
}

func (b *batchRecorder) Header() http.Header         { return b.header }
func (b *batchRecorder) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *batchRecorder) WriteHeader(status int)      { b.status = status }

// object renders the response as a batch response item: id, status,
// headers (one string each) and body — JSON as it is, anything else as a
// base64 string, none when empty.
func (b *batchRecorder) object(id string) object {
	headers := object{}
	for _, name := range sortedHeaderNames(b.header) {
		if name != "Content-Length" {
			headers = append(headers, member{cmpOr(graphHeaderNames[name], name), strings.Join(b.header.Values(name), ", ")})
		}
	}
	out := object{{"id", id}, {"status", b.status}, {"headers", headers}}
	if b.body.Len() == 0 {
		return out
	}
	media, _, _ := mime.ParseMediaType(b.header.Get("Content-Type"))
	if media == "application/json" && json.Valid(b.body.Bytes()) {
		return append(out, member{"body", json.RawMessage(bytes.TrimSpace(b.body.Bytes()))})
	}
	return append(out, member{"body", base64.StdEncoding.EncodeToString(b.body.Bytes())})
}

// graphHeaderNames spell headers as Graph does where Go's canonical form
// differs; a client may look them up by exact name in a batch response.
var graphHeaderNames = map[string]string{
	"Request-Id": "request-id", "Client-Request-Id": "client-request-id", "Odata-Version": "OData-Version",
}

func sortedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}
