package server_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
)

// TestNoServerErrorUnderChurn: GETs of chat operations, the ones being
// run included, while operations are started and an idle server's
// release of memory (ForgetCaches: the caches emptied, SQLite's idle
// connections closed) runs again and again, all at once, answer every
// request with a status under 500.
func TestNoServerErrorUnderChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("seconds of load")
	}
	srv, base := serveConfig(t, server.Config{DB: "sqlite:" + filepath.Join(t.TempDir(), "teamsops.db"), Demo: true})
	tok, err := srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	send := func(method, path, body string) (int, string, string, error) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, "", "", err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, res.Header.Get("Location"), string(b), nil
	}
	chat := `{"chatType":"group","members":[` + member(demo.UserAdele) + `,` + member(demo.UserAlex) + `],
		"installedApps":[{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + demo.TeamsAppID + `"}]}`

	var (
		mu        sync.Mutex
		locations = []string{"/chats/" + demo.ChatID + "/operations/" + demo.ChatOperation}
		failures  []string
		requests  atomic.Int64
	)
	fail := func(what string) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, what)
		}
	}
	until := time.Now().Add(3 * time.Second)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(until) {
				status, loc, body, err := send(http.MethodPost, "/beta/chats", chat)
				requests.Add(1)
				switch {
				case err != nil:
					fail("POST: " + err.Error())
				case status >= 500:
					fail(fmt.Sprintf("POST: %d %s", status, body))
				case status == http.StatusAccepted:
					mu.Lock()
					locations = append(locations, loc)
					mu.Unlock()
				}
			}
		})
	}
	for w := range 16 {
		wg.Go(func() {
			for i := w; time.Now().Before(until); i++ {
				mu.Lock()
				loc := locations[len(locations)-1-i%len(locations)]
				mu.Unlock()
				status, _, body, err := send(http.MethodGet, "/beta"+loc, "")
				requests.Add(1)
				if err != nil {
					fail("GET: " + err.Error())
				} else if status >= 500 {
					fail(fmt.Sprintf("GET %s: %d %s", loc, status, body))
				}
			}
		})
	}
	releases := 0
	wg.Go(func() {
		for time.Now().Before(until) {
			srv.ForgetCaches()
			releases++
			time.Sleep(20 * time.Millisecond)
		}
	})
	wg.Wait()
	t.Logf("%d requests, %d operations started, %d releases", requests.Load(), len(locations)-1, releases)
	for _, f := range failures {
		t.Error(f)
	}
}
