package dashboard_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// The browser tests drive the dashboard in a real headless Chromium
// (Debian's chromium package; .ci/run installs it). Without one they skip,
// unless TEAMSOPS_TEST_BROWSER_REQUIRED=1 says they must run. With
// TEAMSOPS_UPDATE_SCREENSHOT=1 they write docs/dashboard.png.

// chromiumPath finds Chromium, or skips the test.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("TEAMSOPS_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium found (install Debian's chromium package, or set TEAMSOPS_CHROMIUM): the browser tests did not run"
	if os.Getenv("TEAMSOPS_TEST_BROWSER_REQUIRED") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// newBrowser starts one headless Chromium for the test's tabs. Its flags
// keep it off the network but for the server under test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return browser
}

// tab is one tab of the browser, which records what its pages report as
// errors: console.error, uncaught exceptions, and the browser's own error
// log (a refused script, a resource that failed to load).
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newTab(t *testing.T, browser context.Context) *tab {
	t.Helper()
	tb := &tab{}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				msg = "console." + string(ev.Type)
				for _, a := range ev.Args {
					msg += " " + string(a.Value)
				}
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				msg = "log: " + ev.Entry.Text + " " + ev.Entry.URL
			}
		}
		if msg != "" {
			tb.mu.Lock()
			tb.errors = append(tb.errors, msg)
			tb.mu.Unlock()
		}
	}))
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	tb.ctx = ctx
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return tb
}

// do runs actions, failing the test on an error.
func (tb *tab) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript expression until it is true, across the
// navigations of the tab (a poll that a navigation interrupts starts
// again on the new page).
func waitFor(t *testing.T, tb *tab, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().After(deadline) || tb.ctx.Err() != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond) // the next page is loading
	}
}

// noErrors checks that the tab's pages reported no error.
func (tb *tab) noErrors(t *testing.T) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, e := range tb.errors {
		t.Errorf("the page reported an error: %s", e)
	}
}

// teamsopsServer is a whole teamsops with the demo tenant, on a loopback
// listener and a new database of the back end under test.
type teamsopsServer struct {
	URL string
	srv *server.Server
}

func startServer(t *testing.T, profile, adminToken string) *teamsopsServer {
	t.Helper()
	p, err := engine.ProfileByName(profile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	s := &teamsopsServer{URL: "http://" + hs.Listener.Addr().String()}
	s.srv, err = server.Open(t.Context(), server.Config{DB: testdb.DSN(t), PublicURL: s.URL, Profile: p, Demo: true,
		AdminToken: adminToken, Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = s.srv.Handler
	hs.Start()
	if err := s.srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.srv.Drain()
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.srv.Stop(ctx)
		s.srv.Close()
	})
	return s
}

// start sends a request that starts an operation as the demo's ops
// console, and returns the operation's id.
func (s *teamsopsServer) start(t *testing.T, path, body, fault string) string {
	t.Helper()
	token, err := s.srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if fault != "" {
		req.Header.Set("X-Teamsops-Fault", fault)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	_, id, ok := strings.Cut(loc, "/operations('")
	if res.StatusCode != http.StatusAccepted || !ok {
		t.Fatalf("POST %s: %d, Location %q", path, res.StatusCode, loc)
	}
	return strings.TrimSuffix(id, "')")
}

// archive and newTeam start the demo's team actions.
func (s *teamsopsServer) archive(t *testing.T, fault string) string {
	return s.start(t, "/v1.0/teams/"+demo.TeamID+"/archive", "", fault)
}

func (s *teamsopsServer) newTeam(t *testing.T, name, fault string) string {
	body := `{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "` + name + `",
		"members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
		"user@odata.bind": "https://graph.microsoft.com/v1.0/users('` + demo.UserAdele + `')"}]}`
	return s.start(t, "/v1.0/teams", body, fault)
}

// key is the id of an operation's row in the table.
func key(id string) string {
	return "op-" + base64.RawURLEncoding.EncodeToString([]byte(demo.TenantID+"\x00"+id))
}
