package browsertest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teamsops/teamsops/internal/browsertest"
)

// pages are what the test's server serves, each with a Content Security
// Policy that allows only the script whose nonce is "n".
var pages = map[string]string{
	"/clean": `<p id="p">clean</p><script nonce="n">document.body.dataset.ready = "1";</script>`,
	"/noisy": `<script nonce="n">console.error("logged"); setTimeout(() => { throw new Error("thrown"); });</script>
		<script>document.title = "refused";</script>`,
	"/first":  `<script nonce="n">setTimeout(() => { location.href = "/clean"; }, 200);</script>`,
	"/cookie": `<p id="p">cookie</p><script nonce="n">document.cookie = "seen=1; path=/";</script>`,
}

func TestTab(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-n'")
		fmt.Fprintf(w, "<!DOCTYPE html><title>test</title>%s", body)
	}))
	defer srv.Close()
	browser := browsertest.NewBrowser(t)

	t.Run("Eval", func(t *testing.T) {
		tb := browsertest.NewTab(t, browser)
		tb.Do(t, chromedp.Navigate(srv.URL+"/clean"), chromedp.WaitVisible(chromedp.CSS("#p")))
		if got := browsertest.Eval[string](t, tb, `document.getElementById("p").innerText`); got != "clean" {
			t.Errorf("text %q", got)
		}
		if got := browsertest.Eval[int](t, tb, `6 * 7`); got != 42 {
			t.Errorf("6 * 7 = %d", got)
		}
		tb.NoErrors(t)
	})

	t.Run("WaitForAcrossNavigation", func(t *testing.T) {
		tb := browsertest.NewTab(t, browser)
		tb.Do(t, chromedp.Navigate(srv.URL+"/first"))
		browsertest.WaitFor(t, tb, "the next page", `location.pathname === "/clean" && document.body.dataset.ready === "1"`)
		tb.NoErrors(t)
	})

	// A tab of a new browser context has cookies of its own.
	t.Run("PrivateWindow", func(t *testing.T) {
		tb := browsertest.NewTab(t, browser)
		tb.Do(t, chromedp.Navigate(srv.URL+"/cookie"), chromedp.WaitVisible(chromedp.CSS("#p")))
		private := browsertest.NewTab(t, browser, chromedp.WithNewBrowserContext())
		private.Do(t, chromedp.Navigate(srv.URL+"/clean"), chromedp.WaitVisible(chromedp.CSS("#p")))
		if c := browsertest.Eval[string](t, private, `document.cookie`); c != "" {
			t.Errorf("the private tab has the cookies %q", c)
		}
		again := browsertest.NewTab(t, browser)
		again.Do(t, chromedp.Navigate(srv.URL+"/clean"), chromedp.WaitVisible(chromedp.CSS("#p")))
		if c := browsertest.Eval[string](t, again, `document.cookie`); c != "seen=1" {
			t.Errorf("another tab of the browser has the cookies %q, want seen=1", c)
		}
	})

	// Each kind of error a page can report is recorded: the console's,
	// an uncaught exception, and a script the policy refused.
	t.Run("Errors", func(t *testing.T) {
		tb := browsertest.NewTab(t, browser)
		tb.Do(t, chromedp.Navigate(srv.URL+"/noisy"))
		want := []string{"console.error", "exception:", "Content Security Policy"}
		deadline := time.Now().Add(10 * time.Second)
		for {
			all := strings.Join(tb.Errors(), "\n")
			missing := ""
			for _, w := range want {
				if !strings.Contains(all, w) {
					missing = w
				}
			}
			if missing == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no error with %q recorded; recorded:\n%s", missing, all)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if title := browsertest.Eval[string](t, tb, `document.title`); title == "refused" {
			t.Error("the script without the nonce ran")
		}
	})
}
