package lro

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeLocation is the Location the fake's 202 names, as Graph writes a
// chat's: relative, versionless, keys raw.
const fakeLocation = "/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')/operations('op-1')"

// reply is one scripted answer to a GET of the operation.
type reply struct {
	status int               // 0: 200
	header map[string]string // extra headers
	body   string            // "" for an operation of the given state
	state  Status            // with body "": the operation's status
	hold   time.Duration     // how long to hold the request first
}

// fake is a Graph stand-in: POST /v1.0/chats answers 202 with
// fakeLocation (and accepted's headers); each GET of the operation gets
// the next reply, the last one repeating.
type fake struct {
	srv      *httptest.Server
	accepted map[string]string

	mu      sync.Mutex
	replies []reply
	gets    []*http.Request
}

func newFake(t *testing.T, replies ...reply) *fake {
	t.Helper()
	f := &fake{replies: replies}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		w.Header().Set("Location", fakeLocation)
		for k, v := range f.accepted {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if r.RequestURI != "/v1.0"+fakeLocation {
		http.Error(w, `{"error":{"code":"BadRequest","message":"unexpected `+r.RequestURI+`"}}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.gets = append(f.gets, r)
	next := f.replies[min(len(f.gets), len(f.replies))-1]
	f.mu.Unlock()
	time.Sleep(next.hold)
	for k, v := range next.header {
		w.Header().Set(k, v)
	}
	if next.status == 0 {
		next.status = http.StatusOK
	}
	if next.body == "" {
		next.body = operationJSON(next.state)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(next.status)
	fmt.Fprint(w, next.body)
}

// requests returns the GETs of the operation so far.
func (f *fake) requests() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.gets...)
}

// operationJSON is a createChat operation in state s, as beta writes it.
func operationJSON(s Status) string {
	errJSON := "null"
	if s == StatusFailed {
		errJSON = `{"code":"serviceNotAvailable","message":"The service is not available."}`
	}
	return `{"@odata.context":"https://graph.example/beta/$metadata#chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations/$entity",` +
		`"id":"op-1","operationType":"createChat","createdDateTime":"2021-05-27T21:23:41.9085453Z","status":"` + string(s) + `",` +
		`"lastActionDateTime":"2021-05-27T21:23:45.1899277Z","attemptsCount":1,"targetResourceId":"19:c253a29b5f694b55a6baad8e83510af7@thread.v2",` +
		`"targetResourceLocation":"/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')","values":"{\"appIds\":[\"1542629c\"]}","error":` + errJSON + `}`
}

// start POSTs to the fake and returns a poller for the 202, whose waits
// are recorded in *slept instead of slept.
func (f *fake) start(t *testing.T, client *http.Client, opts *Options) (p *Poller, slept *[]time.Duration) {
	t.Helper()
	if client == nil {
		client = f.srv.Client()
	}
	res, err := client.Post(f.srv.URL+"/v1.0/chats", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	p, err = New(client, res, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p, record(p)
}

// record makes p note its waits instead of waiting.
func record(p *Poller) *[]time.Duration {
	var slept []time.Duration
	p.sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		return ctx.Err()
	}
	return &slept
}

// inProgress is n replies that the operation goes on.
func inProgress(n int) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = reply{state: StatusInProgress}
	}
	return out
}
