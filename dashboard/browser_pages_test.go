package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/browsertest"
)

// TestBrowser drives the dashboard as a person would, in one headless
// Chromium (package browsertest says which, and when the test skips).
// With TEAMSOPS_UPDATE_SCREENSHOT=1 it writes docs/dashboard.png.
func TestBrowser(t *testing.T) {
	browser := browsertest.NewBrowser(t)
	t.Run("Table", func(t *testing.T) { testTable(t, browser) })
	t.Run("Live", func(t *testing.T) { testLive(t, browser) })
	t.Run("FailedOperation", func(t *testing.T) { testFailedOperation(t, browser) })
	t.Run("Filters", func(t *testing.T) { testBrowserFilters(t, browser) })
	t.Run("Login", func(t *testing.T) { testLogin(t, browser) })
	t.Run("Subscriptions", func(t *testing.T) { testSubscriptions(t, browser) })
	t.Run("FirstPaint", func(t *testing.T) { testFirstPaint(t, browser) })
}

// testTable: the demo's operations are listed, with their status in
// words, and the page follows changes; the tenant's directory is a click
// away; the keyboard reaches the content first.
func testTable(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", "")
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	for _, id := range []string{demo.ChatOperation, demo.TeamOperation} {
		if !browsertest.Eval[bool](t, tb, fmt.Sprintf(`document.getElementById(%q)?.dataset.status === "succeeded"`, key(id))) {
			t.Errorf("the demo's operation %s is not listed as succeeded", id)
		}
	}
	text := browsertest.Eval[string](t, tb, `document.querySelector("table.ops").innerText`)
	for _, s := range []string{"createChat", "createTeam", "succeeded", "Contoso"} {
		if !strings.Contains(text, s) {
			t.Errorf("the table does not show %q:\n%s", s, text)
		}
	}
	browsertest.WaitFor(t, tb, "the page follows changes", `document.getElementById("live").classList.contains("on")`)
	tb.Do(t, chromedp.KeyEvent("\t"))
	if got := browsertest.Eval[string](t, tb, `document.activeElement.className`); got != "skip" {
		t.Errorf("the first Tab reaches %q, want the skip link", got)
	}
	tb.Do(t, chromedp.Click(chromedp.CSS(`#rows a[href^="/_teamsops/ui/tenants/"]`)), chromedp.WaitVisible(chromedp.CSS("#users-heading")))
	if text := browsertest.Eval[string](t, tb, `document.body.innerText`); !strings.Contains(text, "Megan Bowen") || !strings.Contains(text, "ops console") {
		t.Errorf("the tenant's directory:\n%s", text)
	}
	tb.NoErrors(t)
}

// testLive: an operation started through the API appears on the open
// table and moves to succeeded, without a reload.
func testLive(t *testing.T, browser context.Context) {
	s := startServer(t, "fast", "")
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	browsertest.WaitFor(t, tb, "the page follows changes", `document.getElementById("live").classList.contains("on")`)
	// Record every status each row shows, and mark this page: a reload
	// would forget the mark.
	browsertest.Eval[bool](t, tb, `window.pageMark = "kept"; window.seen = {};
		new MutationObserver(() => {
			for (const tr of document.querySelectorAll("#rows tr[id]")) {
				const l = (window.seen[tr.id] ||= []);
				if (l[l.length - 1] !== tr.dataset.status) l.push(tr.dataset.status);
			}
		}).observe(document.body, {childList: true, subtree: true}); true`)
	// Two failed attempts first: the operation runs for a while.
	id := s.archive(t, "transient=2")
	browsertest.WaitFor(t, tb, "the operation appears and succeeds",
		fmt.Sprintf(`document.getElementById(%q)?.dataset.status === "succeeded"`, key(id)))
	if mark := browsertest.Eval[string](t, tb, `window.pageMark || "reloaded"`); mark != "kept" {
		t.Errorf("the page was reloaded")
	}
	seen := browsertest.Eval[[]string](t, tb, fmt.Sprintf(`window.seen[%q]`, key(id)))
	if len(seen) < 2 || seen[len(seen)-1] != "succeeded" {
		t.Errorf("statuses the row showed: %v; want it seen before it succeeded", seen)
	}
	t.Logf("the row showed %v", seen)
	if attempts := browsertest.Eval[string](t, tb, fmt.Sprintf(`document.getElementById(%q).querySelector("td.num").innerText`, key(id))); attempts != "3" {
		t.Errorf("attempts %q, want 3", attempts)
	}

	// An operation's own page follows it too.
	id = s.newTeam(t, "Followed", "transient=3")
	browsertest.WaitFor(t, tb, "the second operation appears", fmt.Sprintf(`!!document.getElementById(%q)`, key(id)))
	page := browsertest.NewTab(t, browser)
	page.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/operations/"+demo.TenantID+"/"+id), chromedp.WaitVisible(chromedp.CSS("#timeline-heading")))
	first := browsertest.Eval[string](t, page, `window.pageMark = "kept"; document.querySelector(".facts .status").innerText`)
	browsertest.WaitFor(t, page, "the operation's page shows it succeeded", `document.querySelector(".facts .status").innerText.includes("succeeded") &&
		document.querySelector("table.timeline").innerText.includes("Succeeded")`)
	if mark := browsertest.Eval[string](t, page, `window.pageMark || "reloaded"`); mark != "kept" {
		t.Errorf("the operation's page was reloaded")
	}
	t.Logf("the operation's page showed %q, then succeeded", strings.TrimSpace(first))
	if json := browsertest.Eval[string](t, page, `document.querySelector("pre.json").innerText`); !strings.Contains(json, `"status": "succeeded"`) {
		t.Errorf("the page's JSON did not follow: %s", json)
	}
	tb.NoErrors(t)
	page.NoErrors(t)
}

// testFailedOperation: a failed operation's page shows its error, its
// attempts and a timeline of each.
func testFailedOperation(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", "")
	id := s.newTeam(t, "Doomed", "fail")
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/?status=failed"))
	browsertest.WaitFor(t, tb, "the failed operation is listed", fmt.Sprintf(`!!document.getElementById(%q)`, key(id)))
	tb.Do(t, chromedp.Click(chromedp.CSS(fmt.Sprintf(`#%s a`, key(id)))), chromedp.WaitVisible(chromedp.CSS("#timeline-heading")))
	errText := browsertest.Eval[string](t, tb, `document.querySelector(".failure").innerText`)
	if !strings.Contains(errText, "serviceNotAvailable") || !strings.Contains(errText, "failed after 3 attempts") {
		t.Errorf("the error: %q", errText)
	}
	facts := browsertest.Eval[string](t, tb, `document.querySelector(".facts").innerText`)
	if !strings.Contains(facts, "ATTEMPTS\n3") && !strings.Contains(facts, "Attempts\n3") {
		t.Errorf("the facts: %q", facts)
	}
	timeline := browsertest.Eval[string](t, tb, `document.querySelector("table.timeline").innerText`)
	for _, s := range []string{"Accepted (202)", "Attempt 1 started", "Attempt 1 failed", "Attempt 2 failed", "Attempt 3 started", "Failed"} {
		if !strings.Contains(timeline, s) {
			t.Errorf("the timeline lacks %q:\n%s", s, timeline)
		}
	}
	origin := browsertest.Eval[string](t, tb, `document.getElementById("origin-heading").parentElement.innerText`)
	if !strings.Contains(origin, "POST /v1.0/teams") || !strings.Contains(origin, "X-Teamsops-Fault: fail") || !strings.Contains(origin, "ops console") {
		t.Errorf("the origin: %q", origin)
	}
	if n := browsertest.Eval[int](t, tb, `document.querySelectorAll("button.copy").length`); n != 3 {
		t.Errorf("%d copy buttons, want 3", n)
	}
	tb.NoErrors(t)
}

// testBrowserFilters: the GET form filters the table, from the keyboard.
func testBrowserFilters(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", "")
	failed := s.newTeam(t, "Doomed", "fail")
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	browsertest.WaitFor(t, tb, "the failed operation is listed", fmt.Sprintf(`document.getElementById(%q)?.dataset.status === "failed"`, key(failed)))
	tb.Do(t, chromedp.SetValue(chromedp.CSS("#f-status"), "failed"), chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)))
	browsertest.WaitFor(t, tb, "the filtered table", `location.search.includes("status=failed")`)
	tb.Do(t, chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	ids := browsertest.Eval[[]string](t, tb, `[...document.querySelectorAll("#rows tr[id]")].map(tr => tr.id + " " + tr.dataset.status)`)
	if len(ids) != 1 || ids[0] != key(failed)+" failed" {
		t.Errorf("failed operations: %v", ids)
	}
	// A resource typed in, and the form sent with Enter.
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#f-resource")),
		chromedp.SendKeys(chromedp.CSS("#f-resource"), demo.ChatID+"\r"))
	browsertest.WaitFor(t, tb, "the table of the chat", `location.search.includes("resource=")`)
	tb.Do(t, chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	ids = browsertest.Eval[[]string](t, tb, `[...document.querySelectorAll("#rows tr[id]")].map(tr => tr.id)`)
	if len(ids) != 1 || ids[0] != key(demo.ChatOperation) {
		t.Errorf("operations of the chat: %v", ids)
	}
	if got := browsertest.Eval[string](t, tb, `document.getElementById("f-resource").value`); got != demo.ChatID {
		t.Errorf("the form shows resource %q", got)
	}
	tb.NoErrors(t)
}

// testLogin: with --admin-token, the dashboard asks for it once; the
// session is a cookie scripts cannot read, and the event stream refuses a
// request without it.
func testLogin(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", adminToken)
	res, err := http.Get(s.URL + "/_teamsops/ui/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the event stream without a session: %d, want 401", res.StatusCode)
	}
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/tenants"), chromedp.WaitVisible(chromedp.CSS("#token")))
	if loc := browsertest.Eval[string](t, tb, `location.pathname`); loc != "/_teamsops/ui/login" {
		t.Errorf("without a session the dashboard shows %s, want the login", loc)
	}
	tb.Do(t, chromedp.SendKeys(chromedp.CSS("#token"), adminToken), chromedp.Click(chromedp.CSS(`.login button[type="submit"]`)))
	browsertest.WaitFor(t, tb, "the page asked for", `location.pathname === "/_teamsops/ui/tenants"`)
	tb.Do(t, chromedp.Click(chromedp.CSS(`.top nav a[href="/_teamsops/ui/"]`)), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	browsertest.WaitFor(t, tb, "the event stream opens with the session", `document.getElementById("live").classList.contains("on")`)
	if c := browsertest.Eval[string](t, tb, `document.cookie`); strings.Contains(c, "teamsops_session") {
		t.Errorf("scripts read the session cookie: %q", c)
	}
	tb.Do(t, chromedp.Click(chromedp.CSS(`.signout button`)), chromedp.WaitVisible(chromedp.CSS("#token")))
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#token")))
	tb.NoErrors(t)
}

// testFirstPaint measures the first paint of the table over 10,000
// operations in a new tab, logs it (docs/performance.md, "Dashboard"), and takes the
// screenshot of docs/dashboard.md when TEAMSOPS_UPDATE_SCREENSHOT=1. No timing is
// asserted.
func testFirstPaint(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", "")
	seedOperations(t, s.srv.Store, demo.TenantID, 10_000, time.Now().UTC().Add(-10_000*time.Second))
	// The browser has shown a page of the dashboard before, as for a
	// person who comes back to it: its fonts are loaded, its assets kept.
	warm := browsertest.NewTab(t, browser)
	warm.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/tenants"), chromedp.WaitVisible(chromedp.CSS("h1")))
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	timing, err := chromedp.Run(tb.Context(), chromedp.Evaluate[map[string]float64](`new Promise((resolve) => {
		const nav = performance.getEntriesByType("navigation")[0];
		const done = (fcp) => resolve({ttfb: nav.responseStart, response: nav.responseEnd, fcp, dom: nav.domContentLoadedEventEnd});
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) if (e.name === "first-contentful-paint") done(e.startTime);
		}).observe({type: "paint", buffered: true});
		setTimeout(() => done(-1), 10000);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("10,000 operations: first byte %.0f ms, response %.0f ms, first contentful paint %.0f ms, DOMContentLoaded %.0f ms",
		timing["ttfb"], timing["response"], timing["fcp"], timing["dom"])
	if n := browsertest.Eval[int](t, tb, `document.querySelectorAll("#rows tr").length`); n != 50 {
		t.Errorf("%d rows on the first page, want 50", n)
	}
	tb.NoErrors(t)
	if os.Getenv("TEAMSOPS_UPDATE_SCREENSHOT") == "1" {
		screenshot(t, browser)
	}
}

// screenshot writes docs/dashboard.png: the table of a server on which
// operations ran on the fast profile — succeeded, failed after its
// retries, one still retrying.
func screenshot(t *testing.T, browser context.Context) {
	s := startServer(t, "fast", "")
	s.archive(t, "")
	s.newTeam(t, "Northwind Launch", "")
	s.newTeam(t, "Project Falcon", "transient=1")
	doomed := s.newTeam(t, "Doomed Project", "fail")
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")))
	browsertest.WaitFor(t, tb, "the failure", fmt.Sprintf(`document.getElementById(%q)?.dataset.status === "failed"`, key(doomed)))
	running := s.newTeam(t, "Contoso Research", "transient=10")
	browsertest.WaitFor(t, tb, "the running operation", fmt.Sprintf(`document.getElementById(%q)?.dataset.status === "inProgress" &&
		document.querySelectorAll('#rows tr[data-status="succeeded"]').length == 5`, key(running)))
	browsertest.Eval[bool](t, tb, `document.querySelectorAll("tr.fresh").forEach((tr) => tr.classList.remove("fresh")); true`)
	png, err := chromedp.Run(tb.Context(), chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("../docs/dashboard.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("wrote docs/dashboard.png")
}
