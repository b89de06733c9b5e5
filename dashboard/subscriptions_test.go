package dashboard_test

import (
	"html"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/dashboard"
	"github.com/teamsops/teamsops/demo"
)

// TestSubscriptionPages: the subscriptions of every tenant or one, each
// with its last delivery, and a subscription's recent deliveries with
// their status, latency and retries.
func TestSubscriptionPages(t *testing.T) {
	h, store := newDashboard(t, dashboard.Config{Loopback: true})
	ctx := t.Context()
	sub := &teamsops.Subscription{ID: "7f3e0c1a-0000-4000-8000-000000000001", TenantID: demo.TenantID,
		Resource: "/chats/" + demo.ChatID + "/operations", Target: teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat, ID: demo.ChatID},
		ChangeType: "created,updated", NotificationURL: "https://receiver.example/notify", ClientState: "secret-state",
		ExpirationDateTime: time.Now().Add(time.Hour).UTC(), ApplicationID: demo.ConsoleApp, CreatorID: demo.ConsoleApp,
		Roles: []string{"Chat.Read.All"}, CreatedDateTime: time.Now().UTC()}
	if err := store.CreateSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now().UTC().Truncate(time.Second)
	for _, d := range []*teamsops.Delivery{
		{At: t0, Notifications: 2, Attempt: 1, Status: 500, Latency: 40 * time.Millisecond, Error: "the receiver answered 500"},
		{At: t0.Add(time.Second), Notifications: 2, Attempt: 2, Status: 202, Latency: 12 * time.Millisecond},
	} {
		d.TenantID, d.SubscriptionID = sub.TenantID, sub.ID
		if err := store.RecordDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/_teamsops/ui/subscriptions", "/_teamsops/ui/subscriptions?tenant=" + demo.TenantID} {
		code, body := get(t, h, path)
		for _, s := range []string{"7f3e0c1a", "created,updated", "https://receiver.example/notify", "ops console", "202", "12ms", "retry 1", "1 ✓ 1 ✗"} {
			if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), s) {
				t.Errorf("%s (%d) lacks %q", path, code, s)
			}
		}
		if strings.Contains(body, "secret-state") {
			t.Errorf("%s shows the client state", path)
		}
	}
	if _, body := get(t, h, "/_teamsops/ui/subscriptions?tenant=0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d"); strings.Contains(body, "7f3e0c1a") {
		t.Errorf("another tenant's list shows the subscription")
	}
	code, body := get(t, h, "/_teamsops/ui/subscriptions/"+demo.TenantID+"/"+sub.ID)
	text := html.UnescapeString(body)
	for _, s := range []string{"Recent deliveries", "the receiver answered 500", "500", "40ms", "202", "12ms", "notification URL"} {
		if code != http.StatusOK || !strings.Contains(text, s) {
			t.Errorf("the subscription's page (%d) lacks %q", code, s)
		}
	}
	if code, _ := get(t, h, "/_teamsops/ui/subscriptions/"+demo.TenantID+"/no-such-subscription"); code != http.StatusNotFound {
		t.Errorf("an unknown subscription: %d, want 404", code)
	}
}
