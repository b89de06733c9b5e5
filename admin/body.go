package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

// eUnsupportedMediaType is the code of a body the admin API does not read:
// 415 Unsupported Media Type, which Graph's error page gives for a request
// whose content type the service does not support (concepts/errors.md,
// https://learn.microsoft.com/graph/errors), with the code the Graph edge
// gives it.
const eUnsupportedMediaType = "unsupported_media_type"

// bodyName names the request body in the problems of a document.
const bodyName = "request body"

// yamlTypes are the media types a YAML body may come as: RFC 9512's, and
// those tools sent before it.
var yamlTypes = []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}

// readDocument reads a posted tenant document or fault rule, of at most
// limit bytes, by its Content-Type, and decodes it with decode (a
// tenantfile function, whose problems are tenantfile.Errors). JSON
// (application/json) must be JSON; YAML (application/yaml) may be any
// YAML, JSON included; a body without a Content-Type is read as YAML,
// which covers both. Any other type, or a charset other than UTF-8, is a
// 415. A document with problems is a 400 listing them at their lines and
// columns, as "teamsops apply" does. On any problem readDocument writes
// the answer and returns false.
func readDocument[T any](w http.ResponseWriter, r *http.Request, limit int64, what string,
	decode func(name string, data []byte) (T, error)) (T, bool) {
	var v T
	isJSON, err := bodyType(r.Header.Get("Content-Type"))
	if err != nil {
		writeError(w, r, err, nil)
		return v, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeError(w, r, teamsops.Errorf(teamsops.EINVALID, "The request body could not be read: it is larger than %d bytes, or it broke off.", limit), nil)
		return v, false
	}
	v, err = decode(bodyName, body)
	var problems tenantfile.Errors
	if errors.As(err, &problems) {
		// The decoder's problems first: it knows what a document may be
		// (how deep, how large) better than the JSON check.
		writeProblems(w, r, what, problems)
		return v, false
	}
	if err != nil {
		writeError(w, r, err, nil)
		return v, false
	}
	if p := jsonProblem(body); isJSON && p != nil {
		writeProblems(w, r, what, tenantfile.Errors{p})
		return v, false
	}
	return v, true
}

// bodyType reads a Content-Type: whether the body must be JSON, or an
// error of code eUnsupportedMediaType saying what the admin API reads.
func bodyType(contentType string) (isJSON bool, err error) {
	if strings.TrimSpace(contentType) == "" {
		return false, nil
	}
	media, params, perr := mime.ParseMediaType(contentType)
	charset, hasCharset := params["charset"]
	switch {
	case perr != nil:
	case hasCharset && !strings.EqualFold(charset, "utf-8"):
		return false, teamsops.Errorf(eUnsupportedMediaType, "The admin API reads UTF-8 only, not the charset '%s'.", teamsops.Clip(charset))
	case media == "application/json":
		return true, nil
	case strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json"):
		return true, nil
	}
	for _, t := range yamlTypes {
		if perr == nil && media == t {
			return false, nil
		}
	}
	return false, teamsops.Errorf(eUnsupportedMediaType, "The admin API reads JSON (Content-Type: application/json) or YAML "+
		"(Content-Type: application/yaml), not '%s'. curl's --data sends form data unless told: add -H 'Content-Type: application/yaml'.",
		teamsops.Clip(contentType))
}

// jsonProblem returns where and why body is not JSON, or nil.
func jsonProblem(body []byte) *tenantfile.Error {
	var raw json.RawMessage // checked, not decoded
	err := json.Unmarshal(body, &raw)
	if err == nil {
		return nil
	}
	offset := int64(len(body)) // unexpected end of input
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		offset = syntax.Offset
	}
	// The offset is of the byte after the error: place it at the byte
	// that caused it.
	before := body[:max(0, min(int64(len(body)), offset)-1)]
	line := bytes.Count(before, []byte("\n")) + 1
	column := utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return &tenantfile.Error{File: bodyName, Pos: tenantfile.Pos{Line: line, Column: column},
		Message: fmt.Sprintf("not JSON, as its Content-Type says: %v (YAML goes as application/yaml)", err)}
}

// maxListed bounds the problems an error's message lists; innerError
// lists every one.
const maxListed = 5

// writeProblems answers the problems of a posted document, a 400 whose
// message lists them as "teamsops apply" prints them (FILE:LINE:COLUMN:
// PATH: MESSAGE), and whose innerError.errors has each field apart.
func writeProblems(w http.ResponseWriter, r *http.Request, what string, problems tenantfile.Errors) {
	noun := "errors"
	if len(problems) == 1 {
		noun = "error"
	}
	var listed []string
	for _, p := range problems[:min(len(problems), maxListed)] {
		listed = append(listed, p.Error())
	}
	msg := fmt.Sprintf("The %s has %d %s: %s", what, len(problems), noun, strings.Join(listed, "; "))
	if more := len(problems) - maxListed; more > 0 {
		msg += fmt.Sprintf("; and %d more (innerError.errors lists every one)", more)
	}
	writeError(w, r, teamsops.Errorf(teamsops.EINVALID, "%s", msg), problems)
}
