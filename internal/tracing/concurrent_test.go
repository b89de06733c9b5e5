package tracing_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/teamsops/teamsops/demo"
)

// TestConcurrentAcceptsKeepTheirTraces starts operations from several
// requests at once, each in a trace of its own. The store commits
// concurrent accepts together and inserts their jobs with one statement
// in a context of none of them: each job must still carry its own
// request's trace, and each request's span name its own operation.
func TestConcurrentAcceptsKeepTheirTraces(t *testing.T) {
	c := otlp(t)
	e := start(t)
	const n = 8
	member := func(user string) string {
		return `{"@odata.type":"#microsoft.graph.aadUserConversationMember","roles":["owner"],
			"user@odata.bind":"https://graph.microsoft.com/v1.0/users('` + user + `')"}`
	}
	body := `{"chatType":"group","members":[` + member(demo.UserAdele) + `,` + member(demo.UserAlex) + `],
		"installedApps":[{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + demo.TeamsAppID + `"}]}`
	traceIDs := make([]string, n)
	opIDs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		traceIDs[i] = fmt.Sprintf("4bf92f3577b34da6a3ce929d0e0e47%02x", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, e.base+"/beta/chats", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+e.token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("traceparent", "00-"+traceIDs[i]+"-00f067aa0ba902b7-01")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusAccepted {
				errs[i] = fmt.Errorf("POST /chats: %d", res.StatusCode)
				return
			}
			_, id, _ := strings.Cut(res.Header.Get("Location"), "/operations('")
			opIDs[i] = strings.TrimSuffix(id, "')")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	has := func(spans []*tracepb.Span, name, opID string) bool {
		for _, s := range spans {
			if s.Name == name && attr(s, "teamsops.operation.id") == opID {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(20 * time.Second)
	for i := range n {
		for {
			if err := e.tracing.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			spans := c.inTrace(traceIDs[i])
			if has(spans, "process teamsops.operation", opIDs[i]) && has(spans, "POST /beta/chats", opIDs[i]) {
				break
			}
			if time.Now().After(deadline) {
				var names []string
				for _, s := range spans {
					names = append(names, s.Name+" "+attr(s, "teamsops.operation.id"))
				}
				t.Fatalf("trace %s of the request that started %s: spans %q, want its request and its attempt", traceIDs[i], opIDs[i], names)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
