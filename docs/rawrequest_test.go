//go:build unix

package docs

import (
	"io"
	"testing"
)

// TestRawRequest checks how an ```http block becomes a request: the
// request line, headers (Host dropped: the test server is the host), and
// the body after the blank line.
func TestRawRequest(t *testing.T) {
	req, err := rawRequest("POST /v1.0/teams HTTP/1.1\nHost: 127.0.0.1:8080\nContent-Type: application/json\n\n{\"displayName\": \"x\"}\n", "127.0.0.1:1234")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(req.Body)
	if req.Method != "POST" || req.URL.String() != "http://127.0.0.1:1234/v1.0/teams" ||
		req.Header.Get("Content-Type") != "application/json" || req.Header.Get("Host") != "" || string(body) != `{"displayName": "x"}` {
		t.Errorf("got %s %s %v %q", req.Method, req.URL, req.Header, body)
	}
	req, err = rawRequest("GET /v1.0/me HTTP/1.1\nAuthorization: Bearer x\n", "a:1")
	if err != nil || req.Header.Get("Authorization") != "Bearer x" {
		t.Errorf("got %v, %v", req, err)
	}
	for _, bad := range []string{"GET\n", "GET /a HTTP/1.1 extra\n", "GET /a\nno colon\n"} {
		if _, err := rawRequest(bad, "a:1"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestRewrite checks what a block's text becomes before it runs.
func TestRewrite(t *testing.T) {
	r := &runner{addr: "127.0.0.1:4321"}
	in := "go build -o teamsops ./cmd/teamsops\ngo run ./cmd/teamsops token --x\ngo run ./cmd/teamsops-bench --smoke\ncurl http://127.0.0.1:8080/v1.0 http://localhost:8080/\n"
	want := ": built by the doc test\nteamsops token --x\ngo run ./cmd/teamsops-bench --smoke\ncurl http://127.0.0.1:4321/v1.0 http://127.0.0.1:4321/\n"
	if got := r.rewrite(in); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
