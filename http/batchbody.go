package http

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// maxBatchRequests: "JSON batch requests are currently limited to 20
// individual requests" (concepts/json-batching.md, "Batch size
// limitations").
const maxBatchRequests = 20

// maxBatchBody bounds a batch body: twenty requests of the largest body
// any endpoint takes would not fit, and need not.
const maxBatchBody = 4 << 20

// batchMethods are the methods an inner request may have.
var batchMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// batchRequest is one request of a JSON batch.
type batchRequest struct {
	id        string
	method    string
	version   string // "v1.0" or "beta" when the url names one, else ""
	url       string // the path and query after the version, starting with '/'
	headers   http.Header
	body      []byte // nil: none
	dependsOn []string
}

// badBatch is the 400 of a batch that cannot run at all.
func badBatch(format string, args ...any) error {
	return teamsops.Errorf(teamsops.EINVALID, "Invalid batch payload: "+format, args...)
}

// decodeBatch reads a JSON batch body (concepts/json-batching.md, "Creating
// a batch request"): an object whose requests lists 1 to 20 requests, each
// with an id unique in the batch ignoring case, a method, a relative url,
// and optionally headers (strings), a body — a JSON value, or a base64
// string for other content types, with a Content-Type header either way —
// and dependsOn, the ids of requests of the batch that must run first,
// without cycles. A request may not be a batch itself. Every error is
// EINVALID.
func decodeBatch(body []byte) ([]batchRequest, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, errPayload
	}
	var items []json.RawMessage
	for name, raw := range top {
		if name != "requests" {
			return nil, badBatch("the property '%s' is not part of a batch; only 'requests' is.", clipText(name))
		}
		if err := json.Unmarshal(raw, &items); err != nil || items == nil {
			return nil, badBatch("'requests' must be an array of requests.")
		}
	}
	switch {
	case len(items) == 0:
		return nil, badBatch("'requests' must list at least one request.")
	case len(items) > maxBatchRequests:
		return nil, badBatch("the number of requests (%d) exceeds the maximum of %d.", len(items), maxBatchRequests)
	}
	reqs := make([]batchRequest, len(items))
	for i, raw := range items {
		var err error
		if reqs[i], err = decodeBatchRequest(raw); err != nil {
			return nil, err
		}
	}
	if err := checkBatchIDs(reqs); err != nil {
		return nil, err
	}
	return reqs, nil
}

// decodeBatchRequest reads one request of a batch.
func decodeBatchRequest(raw json.RawMessage) (batchRequest, error) {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil || props == nil {
		return batchRequest{}, badBatch("each item of 'requests' must be an object.")
	}
	r := batchRequest{headers: http.Header{}}
	var rawBody json.RawMessage
	for _, name := range sortedKeys(props) {
		value := props[name]
		var err error
		switch name {
		case "id":
			err = decodeString(value, name, &r.id)
		case "method":
			err = decodeString(value, name, &r.method)
		case "url":
			err = decodeString(value, name, &r.url)
		case "headers":
			err = decodeBatchHeaders(value, r.headers)
		case "body":
			if !isNull(value) {
				rawBody = value
			}
		case "dependsOn":
			if !isNull(value) {
				err = decodeStrings(value, name, &r.dependsOn)
			}
		case "status":
			// Some SDKs send the response's status property, null, with
			// each request; it means nothing here.
		default:
			err = badBatch("the property '%s' is not part of a batch request.", clipText(name))
		}
		if err != nil {
			return batchRequest{}, err
		}
	}
	if r.id == "" {
		return batchRequest{}, badBatch("each request needs a non-empty 'id'.")
	}
	method := strings.ToUpper(r.method)
	if !slices.Contains(batchMethods, method) {
		return batchRequest{}, badBatch("the request '%s' has the method '%s'; use one of %s.", clipText(r.id), clipText(r.method), strings.Join(batchMethods, ", "))
	}
	r.method = method
	if err := r.setURL(); err != nil {
		return batchRequest{}, err
	}
	if rawBody != nil {
		if err := r.setBody(rawBody); err != nil {
			return batchRequest{}, err
		}
	}
	return r, nil
}

// decodeBatchHeaders reads a request's headers: an object of strings.
func decodeBatchHeaders(raw json.RawMessage, into http.Header) error {
	if isNull(raw) {
		return nil
	}
	var hs map[string]string
	if err := json.Unmarshal(raw, &hs); err != nil {
		return wrongType("headers", "an object of strings")
	}
	for name, v := range hs {
		if name == "" || strings.ContainsAny(name, " \t\r\n:") || strings.ContainsAny(v, "\r\n\x00") {
			return badBatch("the header '%s' is not a valid header.", clipText(name))
		}
		into.Set(name, v)
	}
	return nil
}

// setURL checks the url: relative, as the page requires ("/users" or
// "users?$select=id"); an absolute URL's scheme and host are dropped, and
// a leading version segment, which the JavaScript client leaves in, picks
// the version. A nested $batch is refused.
func (r *batchRequest) setURL() error {
	u, err := url.Parse(r.url)
	if r.url == "" || err != nil || u.User != nil || u.Fragment != "" || strings.ContainsAny(r.url, " \t\r\n") {
		return badBatch("the request '%s' has no valid relative 'url'.", clipText(r.id))
	}
	path := "/" + strings.TrimPrefix(u.EscapedPath(), "/")
	for _, v := range []string{"v1.0", "beta"} {
		if rest, ok := strings.CutPrefix(path, "/"+v+"/"); ok {
			r.version, path = v, "/"+rest
		}
	}
	if first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/"); strings.EqualFold(first, "$batch") {
		return badBatch("the request '%s' is a batch itself; batches can't be nested.", clipText(r.id))
	}
	r.url = path
	if u.RawQuery != "" {
		r.url += "?" + u.RawQuery
	}
	return nil
}

// setBody reads a request's body: "a JSON object or a base64 URL-encoded
// value", with a Content-Type header ("When a body is included with the
// request, the headers object must contain a value for Content-Type").
func (r *batchRequest) setBody(raw json.RawMessage) error {
	ct := r.headers.Get("Content-Type")
	if ct == "" {
		return badBatch("the request '%s' has a body but no Content-Type header.", clipText(r.id))
	}
	media, _, err := mime.ParseMediaType(ct)
	if err == nil && (media == "application/json" || strings.HasSuffix(media, "+json")) {
		r.body = bytes.TrimSpace(raw)
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return badBatch("the body of request '%s' is not JSON, so it must be a base64 string.", clipText(r.id))
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if r.body, err = enc.DecodeString(s); err == nil {
			return nil
		}
	}
	return badBatch("the body of request '%s' is not valid base64.", clipText(r.id))
}

// checkBatchIDs checks that ids are unique ignoring case and that
// dependsOn names other requests of the batch, without cycles.
func checkBatchIDs(reqs []batchRequest) error {
	index := make(map[string]int, len(reqs))
	for i, r := range reqs {
		key := strings.ToLower(r.id)
		if _, dup := index[key]; dup {
			return badBatch("the id '%s' is used by more than one request.", clipText(r.id))
		}
		index[key] = i
	}
	for _, r := range reqs {
		for _, d := range r.dependsOn {
			j, ok := index[strings.ToLower(d)]
			switch {
			case !ok:
				return badBatch("the request '%s' depends on '%s', which is not in the batch.", clipText(r.id), clipText(d))
			case strings.EqualFold(reqs[j].id, r.id):
				return badBatch("the request '%s' depends on itself.", clipText(r.id))
			}
		}
	}
	if _, err := batchOrder(reqs); err != nil {
		return err
	}
	return nil
}

// batchOrder returns the order to run reqs in: each after the requests it
// depends on, otherwise in the order of the batch. A cycle is an error.
func batchOrder(reqs []batchRequest) ([]int, error) {
	done := make([]bool, len(reqs))
	order := make([]int, 0, len(reqs))
	ready := func(r batchRequest) bool {
		for _, d := range r.dependsOn {
			i := slices.IndexFunc(reqs, func(o batchRequest) bool { return strings.EqualFold(o.id, d) })
			if i < 0 || !done[i] {
				return false
			}
		}
		return true
	}
	for len(order) < len(reqs) {
		progress := false
		for i, r := range reqs {
			if !done[i] && ready(r) {
				done[i], progress = true, true
				order = append(order, i)
			}
		}
		if !progress {
			return nil, badBatch("the requests' dependsOn form a cycle.")
		}
	}
	return order, nil
}
