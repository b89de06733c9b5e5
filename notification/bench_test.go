package notification_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/server"
)

// BenchmarkDeliveries measures change notifications delivered per second
// to a local receiver, through the whole stack on a new database of the
// back end under test (a SQLite file, or PostgreSQL with
// TEAMSOPS_TEST_BACKEND=postgres): tenant-wide subscriptions to every chat
// operation, b.N "Create chat" operations started by eight clients over
// HTTP (instant profile), three notifications each per subscription. The
// rate is every notification received over the time from the first POST
// to the last notification.
//
//	go test ./notification -run '^$' -bench Deliveries -benchtime 300x
func BenchmarkDeliveries(b *testing.B) {
	for _, subs := range []int{1, 10} {
		b.Run(fmt.Sprintf("subscriptions=%d", subs), func(b *testing.B) { benchmarkDeliveries(b, subs) })
	}
}

func benchmarkDeliveries(b *testing.B, subscriptions int) {
	s := newStackTB(b, server.NotificationSettings{})
	var received, retried atomic.Int64
	done := make(chan struct{})
	want := int64(3 * subscriptions * b.N)
	var once sync.Once
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := r.URL.Query().Get("validationToken"); tok != "" {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(tok))
			return
		}
		var c struct{ Value []struct{} }
		decodeJSON(r, &c)
		if received.Add(int64(len(c.Value))) >= want {
			once.Do(func() { close(done) })
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer rcv.Close()
	for range subscriptions {
		s.subscribe(s.console(), map[string]any{"changeType": "created,updated", "notificationUrl": rcv.URL,
			"resource": "/chats/getAllOperations", "expirationDateTime": in(50 * time.Minute)})
	}
	b.ResetTimer()
	began := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				// A client retries a 503, as Graph's clients do; SQLite
				// answers it when its write lock stays taken too long.
				status, m := s.call(http.MethodPost, "/v1.0/chats", s.console(), chatWithApp(i))
				for try := 0; status == http.StatusServiceUnavailable && try < 10; try++ {
					retried.Add(1)
					time.Sleep(100 * time.Millisecond)
					status, m = s.call(http.MethodPost, "/v1.0/chats", s.console(), chatWithApp(i))
				}
				if status != http.StatusAccepted {
					b.Errorf("POST /chats: %d %v", status, m)
				}
			}
		})
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("%d of %d notifications arrived", received.Load(), want)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(received.Load())/elapsed.Seconds(), "notifications/s")
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(retried.Load()), "retried-503s")
}

// chatWithApp is "Create chat" with the demo app installed: an operation.
func chatWithApp(i int) map[string]any {
	member := func(id string) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": []string{"owner"},
			"user@odata.bind": "https://graph.microsoft.com/v1.0/users('" + id + "')"}
	}
	return map[string]any{"chatType": "group", "topic": fmt.Sprintf("bench %d", i),
		"members":       []any{member(demo.UserAdele), member(demo.UserAlex)},
		"installedApps": []any{map[string]any{"teamsApp@odata.bind": "https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/" + demo.TeamsAppID}}}
}
