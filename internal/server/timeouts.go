package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Timeouts bound how long a client may hold a connection without sending
// what it owes: its request's headers, its request's body, or its next
// request on a kept-alive connection. Nothing bounds how long the server
// takes to answer: "Prefer: wait" holds a GET up to 60 seconds and the
// dashboard's event stream stays open as long as its page, so there is no
// write timeout (http.Server.WriteTimeout would cut both).
type Timeouts struct {
	// Header bounds reading a request's line and headers
	// (http.Server.ReadHeaderTimeout).
	Header time.Duration
	// Body bounds reading a request's body, counted from when its headers
	// have been read: a body still arriving then ends in a 408 and a
	// closed connection.
	Body time.Duration
	// Idle bounds how long a kept-alive connection may wait for its next
	// request (http.Server.IdleTimeout).
	Idle time.Duration
}

// DefaultTimeouts are the bounds "teamsops serve" uses: 30 seconds lets
// the largest body teamsops takes (an 8 MB tenant document) arrive at
// under 300 KB/s; 120 seconds of idleness is longer than the 90 seconds
// Go's HTTP client keeps an idle connection, so that a client's pool,
// not the server, usually ends a connection and a request never meets
// one the server has just closed.
var DefaultTimeouts = Timeouts{Header: 10 * time.Second, Body: 30 * time.Second, Idle: 120 * time.Second}

// orDefault is t with every zero bound replaced by DefaultTimeouts'.
func (t Timeouts) orDefault() Timeouts {
	if t.Header <= 0 {
		t.Header = DefaultTimeouts.Header
	}
	if t.Body <= 0 {
		t.Body = DefaultTimeouts.Body
	}
	if t.Idle <= 0 {
		t.Idle = DefaultTimeouts.Idle
	}
	return t
}

// Apply sets the bounds of t that belong to the listener on hs: headers
// and idleness. The body's bound is LimitBody's, on the handler.
func (t Timeouts) Apply(hs *http.Server) {
	t = t.orDefault()
	hs.ReadHeaderTimeout, hs.IdleTimeout = t.Header, t.Idle
}

// LimitBody returns next with a bound on reading each request's body:
// when the handler starts, the connection's read deadline is set t.Body
// ahead, and cleared once the body has been read to its end. A body that
// has not arrived by then fails the handler's read, and whatever the
// handler answers becomes a 408 Request Timeout with "Connection: close",
// so that a slow client meets the same answer on every route, never a
// 500 or a handler's complaint about a malformed body.
//
// Requests without a body get no deadline at all. That is why the bound
// is set here and not with http.Server.ReadTimeout: ReadTimeout counts
// from the first byte of every request, and a deadline left on the
// connection while a handler holds a request — a "Prefer: wait" GET, the
// dashboard's event stream — would, when it passes, fail the read the
// server keeps pending to notice a client going away, and so cancel the
// request's context. Go clears that deadline when it starts that read
// today, but it does not promise to; setting and clearing the deadline
// here, through http.ResponseController, keeps the held requests safe by
// construction, and lets a route that needs longer extend its own
// deadline the same way.
func (t Timeouts) LimitBody(next http.Handler) http.Handler {
	d := t.orDefault().Body
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			// A writer with no connection beneath it (a test's recorder).
			next.ServeHTTP(w, r)
			return
		}
		lw := &lateBodyWriter{ResponseWriter: w, bound: d}
		r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, w: lw}
		next.ServeHTTP(lw, r)
		if lw.late.Load() && !lw.started {
			lw.timeout()
		}
	})
}

// deadlineBody is a request body read under a deadline: it clears the
// deadline at the body's end, and tells its writer when the deadline
// passed first.
type deadlineBody struct {
	io.ReadCloser
	rc    *http.ResponseController
	w     *lateBodyWriter
	clear sync.Once
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		// The connection now waits for the next request, or notices the
		// client leaving while the handler runs: no deadline for either.
		b.clear.Do(func() { b.rc.SetReadDeadline(time.Time{}) })
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
		b.w.late.Store(true)
	}
	return n, err
}

// lateBodyWriter answers 408 in place of the handler once the request's
// body has failed to arrive in time. The access log and the metrics
// record the status the handler chose; the client sees 408.
type lateBodyWriter struct {
	http.ResponseWriter
	bound time.Duration
	late  atomic.Bool
	// started: a final status has been written; replaced: it was the 408,
	// and the handler's own answer is dropped.
	started, replaced bool
}

func (w *lateBodyWriter) WriteHeader(code int) {
	if w.late.Load() && !w.started {
		w.timeout()
	}
	if w.replaced {
		return
	}
	if code >= 200 {
		w.started = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *lateBodyWriter) Write(p []byte) (int, error) {
	if w.late.Load() && !w.started {
		w.timeout()
	}
	if w.replaced {
		return len(p), nil
	}
	w.started = true
	return w.ResponseWriter.Write(p)
}

// Flush lets http.ResponseController flush through the writer.
func (w *lateBodyWriter) Flush() {
	if w.late.Load() && !w.started {
		w.timeout()
	}
	if !w.replaced {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *lateBodyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// timeout writes the 408, in Graph's error envelope.
func (w *lateBodyWriter) timeout() {
	w.started, w.replaced = true, true
	h := w.ResponseWriter.Header()
	clear(h)
	h.Set("Content-Type", "application/json")
	h.Set("Connection", "close")
	w.ResponseWriter.WriteHeader(http.StatusRequestTimeout)
	fmt.Fprintf(w.ResponseWriter, `{"error":{"code":"RequestTimeout","message":"The request body did not arrive within %d seconds."}}`,
		int(w.bound.Round(time.Second)/time.Second))
}
