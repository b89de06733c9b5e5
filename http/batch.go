package http

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// eFailedDependency is the code of a batch request whose dependency
// failed: "any request that depends on that request fails with status
// code 424 (Failed Dependency)" (concepts/json-batching.md).
const eFailedDependency = "failed_dependency"

// batchConcurrency bounds how many requests of one batch run at once.
// Graph lets a server run independent requests in any order: the id
// "allows the server to process requests in the batch in the most
// efficient order", and "individual responses might appear in a different
// order than the requests" (concepts/json-batching.md). Running them side
// by side keeps twenty held or delayed requests from holding the batch
// twenty times as long; the bound keeps one batch from taking the server.
const batchConcurrency = 5

// holdDeadlineKey marks the context of a request run inside a batch with
// the batch's deadline (a time.Time): whatever would hold the request —
// Prefer: wait, a latency fault — ends by then.
type holdDeadlineKey struct{}

// holdLeft returns d, a hold a request asks for, cut to what is left
// before the deadline of the batch the request runs in, if any.
func holdLeft(ctx context.Context, d time.Duration) time.Duration {
	deadline, ok := ctx.Value(holdDeadlineKey{}).(time.Time)
	if !ok {
		return d
	}
	return max(min(d, time.Until(deadline)), 0)
}

// serveBatch answers POST /$batch (concepts/json-batching.md): it runs
// each request of the batch through this same server, in-process, with
// the batch's token, each request authorized, faulted and throttled on its
// own, and answers 200 with their responses. A batch that cannot be read
// is a 400 and runs nothing.
//
// Requests run concurrently, up to batchConcurrency at once, each after
// those it depends on, and a request whose dependency failed is a 424.
// The whole batch holds the client no longer than one request may (the
// cap of Prefer: wait): each request's wait is cut to what is left, and a
// request that cannot start before the deadline is answered at once
// (notStarted). The responses come in an order in which the requests
// could have run one at a time: the batch's order, each after its
// dependencies. Clients correlate them by id, as Graph tells them to.
func (s *Server) serveBatch(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err
	}
	body, err := readJSON(w, r, maxBatchBody, "batch body")
	if err != nil {
		return err
	}
	reqs, err := decodeBatch(body)
	if err != nil {
		return err
	}
	order, _ := batchOrder(reqs) // decodeBatch checked it
	deadline := time.Now().Add(s.batchLimit())
	r = r.WithContext(context.WithValue(r.Context(), holdDeadlineKey{}, deadline))
	// start ends at the deadline, or when the client goes; it gates the
	// start of requests only, so that those already running finish their
	// writes.
	start, cancel := context.WithDeadline(r.Context(), deadline)
	defer cancel()

	index := make(map[string]int, len(reqs))
	for i, br := range reqs {
		index[strings.ToLower(br.id)] = i
	}
	results := make([]*batchRecorder, len(reqs))
	done := make([]chan struct{}, len(reqs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	slots := make(chan struct{}, batchConcurrency)
	var wg sync.WaitGroup
	for i, br := range reqs {
		wg.Go(func() {
			defer close(done[i])
			dep := ""
			for _, d := range br.dependsOn {
				j := index[strings.ToLower(d)]
				<-done[j] // the dependencies form no cycle: each ends
				if dep == "" && results[j].status >= 400 {
					dep = d
				}
			}
			if dep != "" {
				results[i] = s.failDependency(r, br, dep)
				return
			}
			select {
			case slots <- struct{}{}:
			case <-start.Done():
			}
			if start.Err() != nil {
				results[i] = s.notStarted(r, br)
				return
			}
			defer func() { <-slots }()
			results[i] = s.runBatchRequest(r, req, br)
		})
	}
	wg.Wait()
	responses := make([]object, 0, len(reqs))
	for _, i := range order {
		responses = append(responses, results[i].object(reqs[i].id))
	}
	writeJSON(w, http.StatusOK, object{{"responses", responses}})
	return nil
}

// failDependency is the 424 of a request whose dependency failed.
func (s *Server) failDependency(r *http.Request, br batchRequest, dep string) *batchRecorder {
	rec := newBatchRecorder()
	err := teamsops.Errorf(eFailedDependency, "The request '%s' depends on the request '%s', which failed.", clipText(br.id), clipText(dep))
	s.writeError(rec, withRequestIDs(rec, r), err)
	return rec
}

// batchLimit is how long a batch may hold its client: the cap of one
// request's Prefer: wait, unless a test set batchHold.
func (s *Server) batchLimit() time.Duration {
	if s.batchHold > 0 {
		return s.batchHold
	}
	return maxWait
}

// notStarted answers a request of a batch that could not start before
// the batch's deadline. It is a 503 with Retry-After rather than a 504:
// the request never ran, so nothing of it happened and sending it again
// is safe, which is what 503 and Retry-After tell a client (and what
// the SDKs' retry handlers act on); a 504 says an upstream took too long
// to answer, leaving the client to wonder whether a write took place.
func (s *Server) notStarted(r *http.Request, br batchRequest) *batchRecorder {
	rec := newBatchRecorder()
	err := teamsops.Errorf(teamsops.EUNAVAILABLE, "The request '%s' could not start within the batch's time limit of %s; it did not run. Send it again.",
		clipText(br.id), s.batchLimit())
	s.writeError(rec, withRequestIDs(rec, r), &retryLater{err, "1"})
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
