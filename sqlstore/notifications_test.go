package sqlstore_test

import (
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/testdb"
)

// More notifications than one INSERT adds get increasing sequence numbers
// in their order, and all of them are pending in that order.
func TestAddNotificationsBeyondOneInsert(t *testing.T) {
	ctx := t.Context()
	s := testdb.New(t)
	const tenant, sub = "11111111-1111-1111-1111-111111111111", "s1"
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := s.CreateTenant(ctx, &teamsops.Tenant{ID: tenant, DisplayName: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	err := s.CreateSubscription(ctx, &teamsops.Subscription{TenantID: tenant, ID: sub,
		Resource: "/chats/getAllMessages", ChangeType: "created", NotificationURL: "https://receiver.example/",
		ExpirationDateTime: at.Add(time.Hour), CreatedDateTime: at})
	if err != nil {
		t.Fatal(err)
	}
	ns := make([]*teamsops.Notification, 2500)
	for i := range ns {
		ns[i] = &teamsops.Notification{TenantID: tenant, SubscriptionID: sub,
			ChangeType: teamsops.ChangeCreated, CreatedAt: at.Add(time.Duration(i))}
	}
	if err := s.AddNotifications(ctx, ns); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ns); i++ {
		if ns[i].Seq <= ns[i-1].Seq {
			t.Fatalf("notification %d has seq %d after %d", i, ns[i].Seq, ns[i-1].Seq)
		}
	}
	pending, err := s.PendingNotifications(ctx, tenant, sub, len(ns)+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != len(ns) {
		t.Fatalf("%d notifications pending, want %d", len(pending), len(ns))
	}
	for i, n := range pending {
		if n.Seq != ns[i].Seq || !n.CreatedAt.Equal(ns[i].CreatedAt) {
			t.Fatalf("pending notification %d is seq %d of %v, want seq %d of %v",
				i, n.Seq, n.CreatedAt, ns[i].Seq, ns[i].CreatedAt)
		}
	}
}
