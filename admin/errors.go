package admin

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

// eTooManyRequests is the code of a request refused for the wrong admin
// tokens its address sent before (429, Graph's TooManyRequests).
const eTooManyRequests = "too_many_requests"

// statusOf maps the application's codes to HTTP statuses and Graph's
// error codes, as the Graph edge does, and the two codes only this API
// writes.
var statusOf = func() map[string]teamsops.GraphStatus {
	m := teamsops.GraphStatuses()
	m[eTooManyRequests] = teamsops.GraphStatus{Status: http.StatusTooManyRequests, Code: "TooManyRequests"}
	m[eUnsupportedMediaType] = teamsops.GraphStatus{Status: http.StatusUnsupportedMediaType, Code: "UnsupportedMediaType"}
	return m
}()

// problem is one error of a tenant document, in innerError.errors.
type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// writeError writes err in Graph's error envelope
// (https://learn.microsoft.com/graph/errors). The problems of a tenant
// document go in innerError, beside the date and the request ids the Graph
// edge gave the request.
func writeError(w http.ResponseWriter, r *http.Request, err error, problems tenantfile.Errors) {
	m, ok := statusOf[teamsops.ErrorCode(err)]
	if !ok {
		m = statusOf[teamsops.EINTERNAL]
	}
	inner := struct {
		Date            string    `json:"date"`
		RequestID       string    `json:"request-id"`
		ClientRequestID string    `json:"client-request-id"`
		Errors          []problem `json:"errors,omitempty"`
	}{
		Date:            time.Now().UTC().Format("2006-01-02T15:04:05"),
		RequestID:       w.Header().Get("request-id"),
		ClientRequestID: w.Header().Get("client-request-id"),
	}
	for _, p := range problems {
		inner.Errors = append(inner.Errors, problem{File: p.File, Line: p.Line, Column: p.Column, Path: p.Path, Message: p.Message})
	}
	type body struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError any    `json:"innerError"`
	}
	b, _ := json.Marshal(map[string]body{"error": {m.Code, teamsops.ErrorMessage(err), inner}})
	writeJSON(w, m.Status, b)
}

// writeJSON writes a JSON body.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
