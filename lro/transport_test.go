package lro

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTransportErrors: a connection that breaks is retried.
func TestTransportErrors(t *testing.T) {
	broken := 2
	var f *fake
	f = newFake(t, reply{state: StatusSucceeded})
	inner := f.srv.Config.Handler
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && broken > 0 {
			broken--
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		inner.ServeHTTP(w, r)
	})
	// Without keep-alives, so that net/http does not retry a broken
	// reused connection by itself.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	p, slept := f.start(t, client, nil)
	op, err := p.PollUntilDone(context.Background())
	if err != nil || op.Status != StatusSucceeded {
		t.Fatalf("%v, %v", op, err)
	}
	if len(*slept) != 3 || (*slept)[1] != time.Second {
		t.Errorf("waits %v, want MinDelay after the first failure", *slept)
	}
}

// TestContextEnds: a cancelled context ends the wait, while waiting and
// while a request is held.
func TestContextEnds(t *testing.T) {
	t.Run("while waiting", func(t *testing.T) {
		f := newFake(t, reply{state: StatusInProgress})
		p, _ := f.start(t, nil, &Options{MinDelay: time.Hour})
		p.sleep = sleep
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := p.PollUntilDone(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("while held", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		f := newFake(t)
		f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				w.Header().Set("Location", fakeLocation)
				w.WriteHeader(http.StatusAccepted)
				return
			}
			cancel()
			<-r.Context().Done()
		})
		p, _ := f.start(t, nil, nil)
		_, err := p.PollUntilDone(ctx)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting for") {
			t.Errorf("err %v", err)
		}
	})
}

// TestRedirects: a redirect on the same host is followed; one to another
// host is refused before anything is sent there.
func TestRedirects(t *testing.T) {
	var elsewhere int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere++ }))
	defer other.Close()
	for _, to := range []string{"", other.URL} {
		f := newFake(t, reply{state: StatusSucceeded})
		inner := f.srv.Config.Handler
		f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1.0") {
				r.RequestURI = "/v1.0" + r.RequestURI[len("/moved"):]
			} else if r.Method == http.MethodGet {
				http.Redirect(w, r, to+"/moved"+fakeLocation, http.StatusFound)
				return
			}
			inner.ServeHTTP(w, r)
		})
		p, _ := f.start(t, nil, nil)
		op, err := p.PollUntilDone(context.Background())
		switch {
		case to == "" && (err != nil || op.Status != StatusSucceeded):
			t.Errorf("a redirect on the same host: %v, %v", op, err)
		case to != "" && (err == nil || !strings.Contains(err.Error(), "another host")):
			t.Errorf("a redirect to another host: %v, %v", op, err)
		}
	}
	if elsewhere != 0 {
		t.Errorf("the other host got %d requests", elsewhere)
	}
}

// failing is a transport whose every request fails with err.
type failing struct {
	err   error
	calls *int
}

func (f failing) RoundTrip(*http.Request) (*http.Response, error) {
	*f.calls++
	return nil, f.err
}

// TestTransportErrorsThatEnd: a host that does not exist and a certificate
// that does not verify end the wait at once; a DNS timeout is retried.
func TestTransportErrorsThatEnd(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		calls int
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "graph.example", IsNotFound: true}, 1},
		{"a certificate", &tls.CertificateVerificationError{Err: errors.New("x509: unknown authority")}, 1},
		{"a DNS timeout", &net.DNSError{Err: "i/o timeout", Name: "graph.example", IsTimeout: true}, 2},
	}
	for _, tt := range tests {
		var calls int
		client := &http.Client{Transport: failing{tt.err, &calls}}
		p, err := NewFromLocation(client, "https://graph.example/v1.0", fakeLocation, &Options{MaxFailures: 2})
		if err != nil {
			t.Fatal(err)
		}
		record(p)
		if _, err := p.PollUntilDone(context.Background()); !errors.Is(err, tt.err) || calls != tt.calls {
			t.Errorf("%s: %v after %d requests, want %d", tt.name, err, calls, tt.calls)
		}
	}
}
