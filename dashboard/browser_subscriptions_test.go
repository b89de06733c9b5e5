package dashboard_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/browsertest"
)

// testSubscriptions: the subscriptions and a subscription's recent
// deliveries, from the navigation, on a laptop and on a phone.
func testSubscriptions(t *testing.T, browser context.Context) {
	s := startServer(t, "instant", "")
	ctx := t.Context()
	sub := &teamsops.Subscription{ID: "7f3e0c1a-0000-4000-8000-000000000001", TenantID: demo.TenantID,
		Resource: "/teams/" + demo.TeamID + "/operations", Target: teamsops.SubscriptionTarget{Kind: teamsops.ResourceTeam, ID: demo.TeamID},
		ChangeType: "updated", NotificationURL: "https://receiver.example/notify",
		ExpirationDateTime: time.Now().Add(time.Hour).UTC(), ApplicationID: demo.ConsoleApp, CreatorID: demo.ConsoleApp,
		Roles: []string{"Team.ReadBasic.All"}, CreatedDateTime: time.Now().UTC()}
	if err := s.srv.Store.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	d := &teamsops.Delivery{TenantID: demo.TenantID, SubscriptionID: sub.ID, At: time.Now().UTC(), Notifications: 1, Attempt: 3,
		Status: 202, Latency: 31 * time.Millisecond}
	if err := s.srv.Store.RecordDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	tb := browsertest.NewTab(t, browser)
	tb.Do(t, chromedp.Navigate(s.URL+"/_teamsops/ui/"), chromedp.WaitVisible(chromedp.CSS("#rows tr")),
		chromedp.Click(chromedp.CSS(`.top nav a[href="/_teamsops/ui/subscriptions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/_teamsops/ui/subscriptions/"]`)))
	if text := browsertest.Eval[string](t, tb, `document.querySelector("table").innerText`); !strings.Contains(text, "https://receiver.example/notify") ||
		!strings.Contains(text, "202") || !strings.Contains(text, "retry 2") {
		t.Errorf("the subscriptions:\n%s", text)
	}
	tb.Do(t, chromedp.Click(chromedp.CSS(`a[href^="/_teamsops/ui/subscriptions/"]`)), chromedp.WaitVisible(chromedp.CSS("#deliveries-heading")))
	if text := browsertest.Eval[string](t, tb, `document.querySelector("table.timeline").innerText`); !strings.Contains(text, "31ms") || !strings.Contains(text, "202") {
		t.Errorf("the deliveries:\n%s", text)
	}
	tb.NoErrors(t)
}
