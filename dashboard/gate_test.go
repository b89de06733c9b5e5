package dashboard

import (
	"net/http/httptest"
	"testing"
)

// TestSessionBoundToToken: were the sessions of a server under one admin
// token kept where a server under another reads them, the latter would
// honour none of them: each session carries the digest of its token.
func TestSessionBoundToToken(t *testing.T) {
	a, err := newGate("token-a", false, "http://127.0.0.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := newGate("token-b", false, "http://127.0.0.1", nil)
	if err != nil {
		t.Fatal(err)
	}
	b.sessions = a.sessions
	r := httptest.NewRequest("GET", Prefix, nil)
	r.AddCookie(a.newSession())
	if _, ok := a.session(r); !ok {
		t.Fatal("a session is not honoured by its own gate")
	}
	if _, ok := b.session(r); ok {
		t.Error("a session begun under token A is honoured under token B")
	}
}
