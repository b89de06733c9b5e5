package lro

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"
)

// bearer adds a token to every request, as an oauth2 client does.
type bearer struct{ token string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// TestResumeToken: a token names the operation and its last status, never
// the credentials, and a poller resumed from it carries on at once.
func TestResumeToken(t *testing.T) {
	f := newFake(t, reply{state: StatusInProgress}, reply{state: StatusSucceeded})
	client := &http.Client{Transport: bearer{"s3cret-token"}}
	p, _ := f.start(t, client, nil)
	if _, err := p.Poll(context.Background()); err != nil || p.Done() {
		t.Fatalf("first poll: %v, done %v", err, p.Done())
	}
	token := p.ResumeToken()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"url":"` + f.srv.URL + `/v1.0` + fakeLocation + `","status":"inProgress"}`
	if string(raw) != want || strings.Contains(token, "s3cret") {
		t.Errorf("token holds %s, want %s", raw, want)
	}

	resumed, err := Resume(client, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	slept := record(resumed)
	op, err := resumed.PollUntilDone(context.Background())
	if err != nil || op.Status != StatusSucceeded || len(*slept) != 1 || (*slept)[0] != 0 {
		t.Errorf("resumed: %v, %v, waits %v", op, err, *slept)
	}
	if got := f.requests()[1].Header.Get("Authorization"); got != "Bearer s3cret-token" {
		t.Errorf("the resumed poller sent Authorization %q", got)
	}
}

func TestResumeRefuses(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ name, token string }{
		{"empty", ""},
		{"not base64url", "a+b/c=="},
		{"not JSON", enc("hello")},
		{"no version", enc(`{"url":"https://graph.microsoft.com/v1.0/teams('a')/operations('b')"}`)},
		{"version 2", enc(`{"v":2,"url":"https://graph.microsoft.com/v1.0/teams('a')/operations('b')"}`)},
		{"no URL", enc(`{"v":1}`)},
		{"relative URL", enc(`{"v":1,"url":"/teams('a')/operations('b')"}`)},
		{"another scheme", enc(`{"v":1,"url":"file:///etc/passwd"}`)},
		{"user information", enc(`{"v":1,"url":"https://me:pw@graph.microsoft.com/v1.0/teams('a')"}`)},
		{"a string URL of another type", enc(`{"v":1,"url":42}`)},
		{"too long", enc(`{"v":1,"url":"https://graph.microsoft.com/` + strings.Repeat("a", maxTokenLen) + `"}`)},
	}
	for _, tt := range tests {
		if p, err := Resume(nil, tt.token, nil); err == nil || !strings.Contains(err.Error(), "malformed resume token") {
			t.Errorf("%s: %v, %v", tt.name, p, err)
		}
	}
}

// TestResumeDone: a token of an operation that has ended is still good:
// the resumed poller reads the end once.
func TestResumeDone(t *testing.T) {
	f := newFake(t, reply{state: StatusSucceeded})
	p, _ := f.start(t, nil, &Options{MinDelay: time.Millisecond})
	if _, err := p.PollUntilDone(context.Background()); err != nil {
		t.Fatal(err)
	}
	resumed, err := Resume(f.srv.Client(), p.ResumeToken(), nil)
	if err != nil {
		t.Fatal(err)
	}
	record(resumed)
	if op, err := resumed.PollUntilDone(context.Background()); err != nil || op.Status != StatusSucceeded {
		t.Errorf("%v, %v", op, err)
	}
}
