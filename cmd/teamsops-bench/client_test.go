package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echo answers "METHOD PATH BODY" with the Authorization header, closing
// the connection when the path asks for it, and 500 on /fail.
func echo(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		w.Header().Set("X-Auth", r.Header.Get("Authorization"))
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.RequestURI(), body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestConnKeepsAlive(t *testing.T) {
	srv := echo(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	c := &conn{addr: addr}
	defer c.close()
	get := newRequest(http.MethodGet, addr, "/beta/chats/19:a@thread.v2/operations?$filter=status%20eq%20%27x%27", "tok", nil)
	post := newRequest(http.MethodPost, addr, "/beta/chats", "", []byte(`{"a":1}`))
	for range 3 {
		r, err := c.do(get)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != 200 || string(r.body) != "GET /beta/chats/19:a@thread.v2/operations?$filter=status%20eq%20%27x%27 " || r.header.Get("X-Auth") != "Bearer tok" {
			t.Errorf("GET answered %d %q %v", r.status, r.body, r.header)
		}
		r, err = c.do(post)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.body) != `POST /beta/chats {"a":1}` || r.header.Get("X-Auth") != "" {
			t.Errorf("POST answered %q %v", r.body, r.header)
		}
	}
	if c.dials != 1 {
		t.Errorf("six requests took %d connections, want 1", c.dials)
	}
	// A response that closes the connection makes the next request dial.
	for range 2 {
		if _, err := c.do(newRequest(http.MethodGet, addr, "/close", "", nil)); err != nil {
			t.Fatal(err)
		}
	}
	if c.dials != 2 {
		t.Errorf("dials %d after two closing responses, want 2", c.dials)
	}
}

func TestConnFails(t *testing.T) {
	srv := echo(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	c := &conn{addr: addr}
	if _, err := c.do(newRequest(http.MethodGet, addr, "/", "", nil)); err == nil {
		t.Error("a closed server answered")
	}
}

// TestClosedLoop: every connection is dialled once, every request is
// checked, and wrong answers are counted as errors.
func TestClosedLoop(t *testing.T) {
	srv := echo(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	var checked atomic.Int64
	for _, c := range []struct {
		path      string
		allFailed bool
	}{{"/ok", false}, {"/fail", true}} {
		l := load{addr: addr, req: newRequest(http.MethodGet, addr, c.path, "", nil), duration: 200 * time.Millisecond, warmup: 50 * time.Millisecond,
			check: func(r reply) string {
				checked.Add(1)
				if r.status != 200 {
					return fmt.Sprintf("status %d", r.status)
				}
				return ""
			}}
		s := closedLoop(context.Background(), l, 3)
		if s.requests() == 0 || s.dials != 3 || s.window != l.duration {
			t.Errorf("%s: %d requests, %d dials, window %v", c.path, s.requests(), s.dials, s.window)
		}
		if c.allFailed && (s.errors != s.requests() || s.firstErr != "status 500") || !c.allFailed && s.errors != 0 {
			t.Errorf("%s: %d errors of %d (%q)", c.path, s.errors, s.requests(), s.firstErr)
		}
	}
	if checked.Load() == 0 {
		t.Error("no answer was checked")
	}
}

// TestOpenLoop: the open loop sends exactly rate × duration requests in
// the window, none of the warm-up's.
func TestOpenLoop(t *testing.T) {
	srv := echo(t)
	addr := strings.TrimPrefix(srv.URL, "http://")
	var sent atomic.Int64
	l := load{addr: addr, req: newRequest(http.MethodGet, addr, "/", "", nil), warmup: 100 * time.Millisecond, duration: 400 * time.Millisecond,
		check: func(reply) string { sent.Add(1); return "" }}
	s := openLoop(context.Background(), l, 100, 4)
	// On a loaded machine a request may fall so far behind that it is
	// dropped; every one of the 50 is sent or dropped, and of the 40 of
	// the measured window those not dropped are counted.
	if n := s.requests(); n > 40 || n < 40-s.dropped || s.errors != 0 || sent.Load()+int64(s.dropped) != 50 {
		t.Errorf("%d requests counted (want 40 less the dropped), %d sent and %d dropped (want 50), %d errors",
			n, sent.Load(), s.dropped, s.errors)
	}
	if s.dropped == 0 && s.perSecond() != 100 {
		t.Errorf("%v/s, want 100", s.perSecond())
	}
	if s.dials > 4 {
		t.Errorf("%d dials on 4 connections", s.dials)
	}
}

// TestOpenLoopDrops: requests whose time is more than a run's length past
// are dropped, not sent and not counted as errors.
func TestOpenLoopDrops(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond) // longer than warm-up and two durations
	}))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	l := load{addr: addr, req: newRequest(http.MethodGet, addr, "/", "", nil), duration: 100 * time.Millisecond,
		check: func(reply) string { return "" }}
	s := openLoop(context.Background(), l, 100, 1)
	if s.requests() != 1 || s.dropped != 9 || s.errors != 0 {
		t.Errorf("%d requests, %d dropped, %d errors; want 1, 9, 0", s.requests(), s.dropped, s.errors)
	}
}
