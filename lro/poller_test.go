package lro

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDelays follows the waits a poller chooses through every kind of
// answer: the 202's Retry-After, a 429's (seconds) and a 503's (a date),
// a 500 without one, Retry-After on an operation that goes on (also 0),
// none, and a held request.
func TestDelays(t *testing.T) {
	date := time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)
	f := newFake(t,
		reply{status: http.StatusTooManyRequests, header: map[string]string{"Retry-After": "3"}, body: `{"error":{"code":"TooManyRequests","message":"slow down"}}`},
		reply{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": date}, body: "unavailable"},
		reply{status: http.StatusInternalServerError, body: "oops"},
		reply{state: StatusInProgress, header: map[string]string{"Retry-After": "2"}},
		reply{state: StatusInProgress, header: map[string]string{"Retry-After": "0"}},
		reply{state: StatusInProgress},
		reply{state: StatusInProgress, header: map[string]string{"Preference-Applied": "wait=20"}},
		reply{state: StatusSucceeded},
	)
	f.accepted = map[string]string{"Retry-After": "4"}
	p, slept := f.start(t, nil, nil)
	op, err := p.PollUntilDone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if op.Status != StatusSucceeded || !p.Done() {
		t.Fatalf("operation %+v, done %v", op, p.Done())
	}
	s := time.Second
	want := []struct {
		why    string
		lo, hi time.Duration
	}{
		{"the 202's Retry-After: 4", 4 * s, 4 * s},
		{"a 429's Retry-After: 3", 3 * s, 3 * s},
		{"a 503's Retry-After, a date 10 s ahead", 8 * s, 10 * s},
		{"a 500: the backoff's third step (third failure in a row)", 3 * s, 4 * s},
		{"Retry-After: 2 on inProgress", 2 * s, 2 * s},
		{"Retry-After: 0, raised to MinDelay", s, s},
		{"nothing said: the backoff's second step", 1500 * time.Millisecond, 2 * s},
		{"a held request: at once, but MinDelay after the last one started", 0, s},
	}
	if len(*slept) != len(want) {
		t.Fatalf("waits %v, want %d of them", *slept, len(want))
	}
	for i, w := range want {
		if d := (*slept)[i]; d < w.lo || d > w.hi {
			t.Errorf("wait %d = %v, want within [%v, %v]: %s", i, d, w.lo, w.hi, w.why)
		}
	}
}

// TestHeldRequest: a request the server held longer than MinDelay is
// followed by the next one at once.
func TestHeldRequest(t *testing.T) {
	f := newFake(t,
		reply{state: StatusInProgress, hold: 50 * time.Millisecond, header: map[string]string{"Preference-Applied": "wait=20"}},
		reply{state: StatusSucceeded},
	)
	p, slept := f.start(t, nil, &Options{MinDelay: 10 * time.Millisecond})
	if _, err := p.PollUntilDone(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := *slept; len(got) != 2 || got[0] != 10*time.Millisecond || got[1] != 0 {
		t.Errorf("waits %v, want [10ms 0]", got)
	}
}

// TestPreferHeaders: every GET asks for the evolvable enum members and,
// unless told not to, for a held request no longer than the client's
// timeout allows; the request line keeps the Location's key syntax.
func TestPreferHeaders(t *testing.T) {
	tests := []struct {
		name    string
		opts    *Options
		timeout time.Duration
		want    []string
	}{
		{"default", nil, 0, []string{"include-unknown-enum-members", "wait=20"}},
		{"Wait 5s", &Options{Wait: 5 * time.Second}, 0, []string{"include-unknown-enum-members", "wait=5"}},
		{"Wait below a second", &Options{Wait: 500 * time.Millisecond}, 0, []string{"include-unknown-enum-members"}},
		{"not asked", &Options{Wait: -1}, 0, []string{"include-unknown-enum-members"}},
		{"client timeout 10s", nil, 10 * time.Second, []string{"include-unknown-enum-members", "wait=5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, reply{state: StatusSucceeded})
			client := f.srv.Client()
			client.Timeout = tt.timeout
			p, _ := f.start(t, client, tt.opts)
			if _, err := p.PollUntilDone(context.Background()); err != nil {
				t.Fatal(err)
			}
			r := f.requests()[0]
			if got := r.Header.Values("Prefer"); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Prefer %q, want %q", got, tt.want)
			}
			if r.Header.Get("Accept") != "application/json" {
				t.Errorf("Accept %q", r.Header.Get("Accept"))
			}
		})
	}
}

// TestPreferWaitWithinDeadline: the wait asked for ends before the
// context does.
func TestPreferWaitWithinDeadline(t *testing.T) {
	f := newFake(t, reply{state: StatusSucceeded})
	p, _ := f.start(t, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	if _, err := p.PollUntilDone(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.requests()[0].Header.Values("Prefer"); len(got) != 2 || (got[1] != "wait=2" && got[1] != "wait=1") {
		t.Errorf("Prefer %q, want a wait of at most 2 s", got)
	}
}

// TestGivesUp: transient failures in a row end the wait after
// MaxFailures, with the last answer.
func TestGivesUp(t *testing.T) {
	f := newFake(t, reply{status: http.StatusServiceUnavailable, body: `{"error":{"code":"serviceNotAvailable","message":"down"}}`})
	p, slept := f.start(t, nil, &Options{MaxFailures: 3})
	_, err := p.PollUntilDone(context.Background())
	var rerr *ResponseError
	if !errors.As(err, &rerr) || rerr.StatusCode != http.StatusServiceUnavailable || !strings.Contains(err.Error(), "3 failed polls") {
		t.Fatalf("err %v", err)
	}
	if n := len(f.requests()); n != 3 || len(*slept) != 3 {
		t.Errorf("%d GETs and waits %v, want 3 of each", n, *slept)
	}
}

// TestOnRetry: each transient failure that will be retried is reported
// as it happens, with the wait that follows; the one that makes the
// poller give up is returned instead.
func TestOnRetry(t *testing.T) {
	f := newFake(t, reply{status: http.StatusServiceUnavailable, header: map[string]string{"Retry-After": "2"}, body: "down"})
	var retries []Retry
	p, slept := f.start(t, nil, &Options{MaxFailures: 3, OnRetry: func(r Retry) { retries = append(retries, r) }})
	_, err := p.PollUntilDone(context.Background())
	if err == nil || !strings.Contains(err.Error(), "3 failed polls") {
		t.Fatalf("err %v", err)
	}
	if len(retries) != 2 {
		t.Fatalf("retries %+v, want 2", retries)
	}
	for i, r := range retries {
		var rerr *ResponseError
		if r.Failures != i+1 || r.MaxFailures != 3 || r.Delay != 2*time.Second || !errors.As(r.Err, &rerr) || rerr.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("retry %d: %+v", i, r)
		}
		if (*slept)[i+1] != r.Delay {
			t.Errorf("retry %d said %v, the poller waited %v", i, r.Delay, (*slept)[i+1])
		}
	}
}

// TestDeadlineNamesLastFailure: a context that ends while the poller
// retries says what was failing.
func TestDeadlineNamesLastFailure(t *testing.T) {
	f := newFake(t, reply{status: http.StatusBadGateway, body: "bad gateway"})
	ctx, cancel := context.WithCancel(context.Background())
	p, _ := f.start(t, nil, &Options{OnRetry: func(Retry) { cancel() }})
	_, err := p.PollUntilDone(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "last error") || !strings.Contains(err.Error(), "502") {
		t.Fatalf("err %v", err)
	}
}

// TestSuccessResetsFailures: MaxFailures counts failures in a row only.
func TestSuccessResetsFailures(t *testing.T) {
	down := reply{status: http.StatusBadGateway}
	f := newFake(t, down, down, reply{state: StatusInProgress}, down, down, reply{state: StatusSucceeded})
	p, _ := f.start(t, nil, &Options{MaxFailures: 3})
	if _, err := p.PollUntilDone(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestEndingAnswers: an answer no retry can change ends the wait at once.
func TestEndingAnswers(t *testing.T) {
	envelope := `{"error":{"code":"NotFound","message":"No such operation.","innerError":{"request-id":"req-1"}}}`
	tests := []struct {
		name  string
		reply reply
		check func(error) bool
	}{
		{"404", reply{status: 404, body: envelope}, func(err error) bool {
			var r *ResponseError
			return errors.As(err, &r) && r.StatusCode == 404 && r.Code == "NotFound" && r.Message == "No such operation." && r.RequestID == "req-1" &&
				strings.Contains(err.Error(), "/v1.0"+fakeLocation)
		}},
		{"401 without an envelope", reply{status: 401, body: "no", header: map[string]string{"request-id": "req-2"}}, func(err error) bool {
			var r *ResponseError
			return errors.As(err, &r) && r.StatusCode == 401 && r.Code == "" && r.RequestID == "req-2"
		}},
		{"403", reply{status: 403, body: envelope}, isStatus(403)},
		{"400", reply{status: 400, body: envelope}, isStatus(400)},
		{"501", reply{status: 501}, isStatus(501)},
		{"202 to a GET", reply{status: 202}, isStatus(202)},
		{"200, not JSON", reply{body: "<html>"}, func(err error) bool { return strings.Contains(err.Error(), "not a teamsAsyncOperation") }},
		{"200, not an operation", reply{body: `{"value":[]}`}, func(err error) bool { return strings.Contains(err.Error(), "no status") }},
		{"200, a wrong type", reply{body: `{"status":"inProgress","attemptsCount":"one"}`}, func(err error) bool { return strings.Contains(err.Error(), "not a teamsAsyncOperation") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, tt.reply)
			p, _ := f.start(t, nil, nil)
			op, err := p.PollUntilDone(context.Background())
			if op != nil || err == nil || !tt.check(err) {
				t.Errorf("%v, %v", op, err)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("%d GETs, want 1", n)
			}
		})
	}
}

func isStatus(code int) func(error) bool {
	return func(err error) bool {
		var r *ResponseError
		return errors.As(err, &r) && r.StatusCode == code
	}
}

// TestFailedOperation: a failed operation is an *OperationError with
// Graph's code and message, and the operation; asking again sends nothing.
func TestFailedOperation(t *testing.T) {
	f := newFake(t, reply{state: StatusInProgress}, reply{state: StatusFailed})
	p, _ := f.start(t, nil, nil)
	op, err := p.PollUntilDone(context.Background())
	var failed *OperationError
	if op != nil || !errors.As(err, &failed) {
		t.Fatalf("%v, %v", op, err)
	}
	if failed.Code != "serviceNotAvailable" || failed.Message != "The service is not available." ||
		failed.Operation == nil || failed.Operation.ID != "op-1" || failed.Operation.Status != StatusFailed {
		t.Errorf("error %+v", failed)
	}
	if want := "lro: operation op-1 (createChat) failed: serviceNotAvailable: The service is not available."; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if _, again := p.Poll(context.Background()); again != err || !p.Done() || len(f.requests()) != 2 {
		t.Errorf("after the end: %v, done %v, %d GETs", again, p.Done(), len(f.requests()))
	}
}

// TestProgress: the callback sees every operation read, in order, and the
// operation carries every property.
func TestProgress(t *testing.T) {
	f := newFake(t, reply{state: StatusNotStarted}, reply{state: StatusInProgress}, reply{state: StatusSucceeded})
	var seen []Status
	p, _ := f.start(t, nil, &Options{Progress: func(op *Operation) { seen = append(seen, op.Status) }})
	op, err := p.PollUntilDone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join([]string{string(seen[0]), string(seen[1]), string(seen[2])}, ",") != "notStarted,inProgress,succeeded" || len(seen) != 3 {
		t.Errorf("progress %v", seen)
	}
	want := Operation{ID: "op-1", OperationType: TypeCreateChat, Status: StatusSucceeded,
		CreatedDateTime:    time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC),
		LastActionDateTime: time.Date(2021, 5, 27, 21, 23, 45, 189927700, time.UTC),
		AttemptsCount:      1, TargetResourceID: "19:c253a29b5f694b55a6baad8e83510af7@thread.v2",
		TargetResourceLocation: "/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')", Values: `{"appIds":["1542629c"]}`}
	if *op != want {
		t.Errorf("operation\n got %+v\nwant %+v", *op, want)
	}
}

// TestNewRefuses: New wants a 202 with a Location on the request's host,
// under a versioned base URL.
func TestNewRefuses(t *testing.T) {
	req := func(u string) *http.Request { r, _ := http.NewRequest(http.MethodPost, u, nil); return r }
	withLocation := func(status int, u, loc string) *http.Response {
		return &http.Response{StatusCode: status, Request: req(u), Header: http.Header{"Location": {loc}}}
	}
	tests := []struct {
		name string
		res  *http.Response
		want string
	}{
		{"nil", nil, "with its request"},
		{"no request", &http.Response{StatusCode: 202}, "with its request"},
		{"201", withLocation(201, "https://graph.microsoft.com/v1.0/chats", fakeLocation), "want a 202"},
		{"no Location", withLocation(202, "https://graph.microsoft.com/v1.0/chats", ""), "no Location"},
		{"another host", withLocation(202, "https://graph.microsoft.com/v1.0/chats", "https://elsewhere.example/v1.0"+fakeLocation), "another host"},
		{"no version", withLocation(202, "https://graph.microsoft.com/chats", fakeLocation), "NewFromLocation"},
	}
	for _, tt := range tests {
		if _, err := New(nil, tt.res, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want one about %q", tt.name, err, tt.want)
		}
	}
}

func TestNewFromLocation(t *testing.T) {
	f := newFake(t, reply{state: StatusSucceeded})
	for _, base := range []string{f.srv.URL + "/v1.0", f.srv.URL + "/v1.0/", f.srv.URL + "/v1.0/chats?x=1"} {
		p, err := NewFromLocation(f.srv.Client(), base, fakeLocation, nil)
		if err != nil {
			t.Fatal(err)
		}
		slept := record(p)
		if op, err := p.PollUntilDone(context.Background()); err != nil || op.Status != StatusSucceeded || (*slept)[0] != 0 {
			t.Errorf("%s: %v, %v, waits %v", base, op, err, *slept)
		}
	}
	for _, tt := range []struct{ base, location, want string }{
		{"graph.microsoft.com/v1.0", fakeLocation, "absolute"},
		{"ftp://graph.microsoft.com/v1.0", fakeLocation, "absolute"},
		{"https://me:pw@graph.microsoft.com/v1.0", fakeLocation, "user information"},
		{"https://graph.microsoft.com/v1.0", "https://elsewhere.example/v1.0" + fakeLocation, "another host"},
		{"https://graph.microsoft.com/v1.0", "", "no Location"},
	} {
		if _, err := NewFromLocation(nil, tt.base, tt.location, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewFromLocation(%q, %q): err %v, want one about %q", tt.base, tt.location, err, tt.want)
		}
	}
}
