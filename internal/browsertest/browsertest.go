// Package browsertest drives pages in a real headless Chromium from
// tests, with chromedp: one browser per test, tabs that record every
// error their pages report, and helpers that fail the test rather than
// return errors.
//
// The browser is Debian's chromium package (.ci/run installs it), or the
// program TEAMSOPS_CHROMIUM names. Without one a browser test skips and
// says so, unless TEAMSOPS_TEST_BROWSER_REQUIRED=1 makes that a failure.
// Its flags keep it off every network but the test's own servers.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium returns the path of Chromium, or skips the test (fails it
// when TEAMSOPS_TEST_BROWSER_REQUIRED=1).
func Chromium(t testing.TB) string {
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

// NewBrowser starts one headless Chromium, with a profile of its own,
// for the tabs of a test, and stops it when the test ends. Its window is
// 1280×800; opts come after the defaults, so they may change that.
func NewBrowser(t testing.TB, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	all := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(all, opts...)...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc() })
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return browser
}

// Tab is one tab of a browser. It records what its pages report as
// errors: console.error and failed assertions, uncaught exceptions, and
// the browser's own error log (a script or style the page's Content
// Security Policy refused, a resource that failed to load).
type Tab struct {
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

// NewTab opens a tab in browser, closed when the test ends. Everything
// done in it must finish within a minute. With
// chromedp.WithNewBrowserContext() among opts, the tab has cookies and
// storage of its own, as a private window has.
func NewTab(t testing.TB, browser context.Context, opts ...chromedp.ContextOption) *Tab {
	t.Helper()
	tb := &Tab{}
	ctx, cancel := chromedp.NewContext(browser, append(opts, chromedp.WithListener(tb.listen))...)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	tb.ctx = ctx
	t.Cleanup(func() { cancelTimeout(); cancel() })
	return tb
}

// listen records the events that report an error.
func (tb *Tab) listen(ev any) {
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
}

// Context is the tab's context, for chromedp.Run and chromedp.Do.
func (tb *Tab) Context() context.Context { return tb.ctx }

// Do runs actions in the tab, failing the test on an error.
func (tb *Tab) Do(t testing.TB, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// Eval evaluates a JavaScript expression in the tab's page.
func Eval[T any](t testing.TB, tb *Tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// WaitFor polls a JavaScript expression until it is true, for up to 30
// seconds, across the navigations of the tab: a poll that a navigation
// interrupts starts again on the new page. what names the wait in the
// test's failure.
func WaitFor(t testing.TB, tb *Tab, what, expr string) {
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

// Errors returns what the tab's pages have reported as errors so far.
func (tb *Tab) Errors() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return append([]string(nil), tb.errors...)
}

// NoErrors fails the test for each error the tab's pages reported.
func (tb *Tab) NoErrors(t testing.TB) {
	t.Helper()
	for _, e := range tb.Errors() {
		t.Errorf("the page reported an error: %s", e)
	}
}
