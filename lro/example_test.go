package lro_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/teamsops/teamsops/lro"
)

// Start an operation, wait for it, and tell success from failure.
func Example() {
	graph := fakeGraph() // stands in for https://graph.microsoft.com
	defer graph.Close()
	// The client that starts the operation adds credentials (an oauth2
	// client, say); the poller uses the same one.
	client := graph.Client()

	body := `{"template@odata.bind":"https://graph.microsoft.com/v1.0/teamsTemplates('standard')","displayName":"Launch"}`
	res, err := client.Post(graph.URL+"/v1.0/teams", "application/json", strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()

	p, err := lro.New(client, res, nil) // 202 Accepted, Location: /teams('…')/operations('…')
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	op, err := p.PollUntilDone(ctx)
	var failed *lro.OperationError
	switch {
	case errors.As(err, &failed):
		fmt.Println("the operation failed:", failed.Code, failed.Message)
	case err != nil:
		fmt.Println("the wait failed:", err)
	default:
		fmt.Println(op.OperationType, op.Status, op.TargetResourceLocation)
	}
	// Output: createTeam succeeded /teams('b1ab0c4e-5d6f-4a7b-8c9d-0e1f2a3b4c5d')
}

// Wait for an operation whose Location came from elsewhere — from
// msgraph-sdk-go's headers inspection option, say — and follow its
// progress.
func ExampleNewFromLocation() {
	graph := fakeGraph()
	defer graph.Close()

	location := "/teams('b1ab0c4e-5d6f-4a7b-8c9d-0e1f2a3b4c5d')/operations('c0ffee00-1111-4222-8333-444455556666')"
	p, err := lro.NewFromLocation(graph.Client(), graph.URL+"/v1.0", location, &lro.Options{
		Progress: func(op *lro.Operation) { fmt.Println(op.Status, "after", op.AttemptsCount, "attempt(s)") },
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := p.PollUntilDone(context.Background()); err != nil {
		log.Fatal(err)
	}
	// Output:
	// inProgress after 1 attempt(s)
	// succeeded after 1 attempt(s)
}

// Carry on waiting in another process, without starting the operation
// again.
func ExampleResume() {
	graph := fakeGraph()
	defer graph.Close()
	client := graph.Client()

	res, err := client.Post(graph.URL+"/v1.0/teams/b1ab0c4e-5d6f-4a7b-8c9d-0e1f2a3b4c5d/archive", "application/json", nil)
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	p, err := lro.New(client, res, nil)
	if err != nil {
		log.Fatal(err)
	}
	token := p.ResumeToken() // keep it where a restart finds it: a file, a CI cache

	// … the process restarts …
	p, err = lro.Resume(client, token, nil)
	if err != nil {
		log.Fatal(err)
	}
	op, err := p.PollUntilDone(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op.OperationType, op.Status)
	// Output: archiveTeam succeeded
}

// fakeGraph answers POST /v1.0/teams and POST …/archive with 202 and a
// Location, as Graph does; an operation is inProgress at its first GET
// (with Retry-After: 1) and succeeded afterwards.
func fakeGraph() *httptest.Server {
	const team = "b1ab0c4e-5d6f-4a7b-8c9d-0e1f2a3b4c5d"
	var mu sync.Mutex
	gets := map[string]int{}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			id := "c0ffee00-1111-4222-8333-444455556666"
			if strings.HasSuffix(r.URL.Path, "/archive") {
				id = "c0ffee00-2222-4222-8333-444455556666"
			}
			mu.Lock()
			gets[id] = 0
			mu.Unlock()
			w.Header().Set("Location", "/teams('"+team+"')/operations('"+id+"')")
			w.WriteHeader(http.StatusAccepted)
			return
		}
		_, id, _ := strings.Cut(r.URL.Path, "/operations('")
		id = strings.TrimSuffix(id, "')")
		typ := "createTeam"
		if strings.HasPrefix(id, "c0ffee00-2222") {
			typ = "archiveTeam"
		}
		mu.Lock()
		gets[id]++
		status := "succeeded"
		if gets[id] == 1 {
			status = "inProgress"
			w.Header().Set("Retry-After", "1")
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"operationType":%q,"createdDateTime":"2025-06-01T12:00:00Z","status":%q,`+
			`"lastActionDateTime":"2025-06-01T12:00:01Z","attemptsCount":1,"targetResourceId":%q,`+
			`"targetResourceLocation":"/teams('%s')","error":null}`, id, typ, status, team, team)
	}))
}
