package http

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
)

// eUnsupportedEncoding is the edge's own error code for a request body in
// a content coding it cannot undo: 415, which HTTP reserves for it.
const eUnsupportedEncoding = "unsupported_encoding"

// decodeBody undoes a request body's Content-Encoding before any handler
// reads it. Graph takes gzip-compressed bodies and the Graph SDKs send
// them: Kiota's compression handler gzips every request body and sends it
// again uncompressed only after a 415. Any other coding is a 415
// (RFC 9110, sections 8.4 and 15.5.16). The body is decompressed as it is
// read, so a handler's size limit applies to the decompressed bytes.
func decodeBody(r *http.Request) error {
	enc := strings.TrimSpace(r.Header.Get("Content-Encoding"))
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody || enc == "" || strings.EqualFold(enc, "identity") {
		return nil
	}
	if !strings.EqualFold(enc, "gzip") && !strings.EqualFold(enc, "x-gzip") {
		return teamsops.Errorf(eUnsupportedEncoding, "Content-Encoding '%s' is not supported; send the body uncompressed or gzip-compressed.", enc)
	}
	r.Body = &gzipBody{src: r.Body}
	r.Header.Del("Content-Encoding")
	r.Header.Del("Content-Length")
	r.ContentLength = -1
	return nil
}

// gzipBody decompresses src, starting at the first Read.
type gzipBody struct {
	src io.ReadCloser
	zr  *gzip.Reader
	err error
}

func (b *gzipBody) Read(p []byte) (int, error) {
	if b.zr == nil && b.err == nil {
		b.zr, b.err = gzip.NewReader(b.src)
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.zr.Read(p)
}

func (b *gzipBody) Close() error { return b.src.Close() }
