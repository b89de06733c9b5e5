package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
)

// subscriptionTests are the suite's tests of the subscription surface.
var subscriptionTests = []struct {
	name string
	fn   func(t *testing.T, s teamsops.Store)
}{
	{"Subscription", testSubscription},
	{"SubscriptionIsolation", testSubscriptionIsolation},
	{"Notifications", testNotifications},
	{"NotificationsInTx", testNotificationsInTx},
	{"Deliveries", testDeliveries},
	{"SubscriptionWatch", testSubscriptionWatch},
}

func newSubscription(tenant, id, app string) *teamsops.Subscription {
	return &teamsops.Subscription{
		ID: id, TenantID: tenant, Resource: "/chats/" + chatID + "/operations",
		Target:     teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat, ID: chatID},
		ChangeType: "created,updated", NotificationURL: "https://receiver.example/notify?x=1",
		LifecycleNotificationURL: "https://receiver.example/lifecycle", ClientState: "secret",
		ExpirationDateTime: graphTime("2030-01-02T03:04:05.1234567Z"), ApplicationID: app,
		CreatorID: user1, IncludeResourceData: true, EncryptionCertificate: "MIIB",
		EncryptionCertificateID: "cert-1", LatestSupportedTLSVersion: "v1_2",
		NotificationURLAppID: app, NotificationQueryOptions: "", UserID: user1,
		Scopes: []string{"Chat.Read"}, CreatedDateTime: graphTime("2029-12-31T00:00:00Z"),
	}
}

func testSubscription(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	sub := newSubscription(tenantA, "s1", "app1")
	must(t, s.CreateSubscription(ctx, sub))
	got, err := s.Subscription(ctx, tenantA, "s1")
	must(t, err)
	wantEqual(t, "subscription", got, sub)

	// Replacing it (a renewal, a removal) keeps one row.
	sub.ExpirationDateTime, sub.Removed, sub.Scopes, sub.Roles = sub.ExpirationDateTime.Add(time.Hour), true, nil, []string{"Chat.Read.All"}
	must(t, s.CreateSubscription(ctx, sub))
	got, err = s.Subscription(ctx, tenantA, "s1")
	must(t, err)
	wantEqual(t, "replaced subscription", got, sub)

	must(t, s.CreateSubscription(ctx, newSubscription(tenantA, "s2", "app2")))
	for _, tt := range []struct {
		tenant, app string
		want        []string
	}{
		{tenantA, "", []string{"s1", "s2"}},
		{tenantA, "app2", []string{"s2"}},
		{tenantA, "app3", nil},
		{tenantC, "", nil},
	} {
		subs, err := s.Subscriptions(ctx, tt.tenant, tt.app)
		must(t, err)
		wantEqual(t, fmt.Sprintf("Subscriptions(%s, %q)", tt.tenant[:4], tt.app), subscriptionIDs(subs), tt.want)
	}

	must(t, s.DeleteSubscription(ctx, tenantA, "s1"))
	_, err = s.Subscription(ctx, tenantA, "s1")
	wantCode(t, err, teamsops.ENOTFOUND, "")
	wantCode(t, s.DeleteSubscription(ctx, tenantA, "s1"), teamsops.ENOTFOUND, "")
}

func subscriptionIDs(subs []*teamsops.Subscription) []string {
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

// testSubscriptionIsolation: the same id in two tenants is two
// subscriptions, and nothing of one is read or deleted through the other.
func testSubscriptionIsolation(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	a, b := newSubscription(tenantA, "s1", "app1"), newSubscription(tenantB, "s1", "app1")
	b.ClientState = "b"
	must(t, s.CreateSubscription(ctx, a))
	must(t, s.CreateSubscription(ctx, b))
	must(t, s.AddNotifications(ctx, []*teamsops.Notification{{TenantID: tenantB, SubscriptionID: "s1",
		ChangeType: teamsops.ChangeCreated, CreatedAt: graphTime("2030-01-01T00:00:00Z")}}))
	got, err := s.Subscription(ctx, tenantA, "s1")
	must(t, err)
	wantEqual(t, "tenant A's subscription", got.ClientState, "secret")
	pending, err := s.PendingNotifications(ctx, tenantA, "s1", 10)
	must(t, err)
	wantEqual(t, "tenant A's notifications", len(pending), 0)
	must(t, s.DeleteSubscription(ctx, tenantA, "s1"))
	pending, err = s.PendingNotifications(ctx, tenantB, "s1", 10)
	must(t, err)
	wantEqual(t, "tenant B's notifications after A's delete", len(pending), 1)
	all, err := s.Subscriptions(ctx, "", "")
	must(t, err)
	wantEqual(t, "every tenant's subscriptions", len(all), 1)
}

// createSubscribed creates the tenants and subscription s1 of app1 in
// tenant A, which the notification and delivery tests start from.
func createSubscribed(t *testing.T, s teamsops.Store) {
	t.Helper()
	createTenants(t, s)
	must(t, s.CreateSubscription(t.Context(), newSubscription(tenantA, "s1", "app1")))
}

func testNotifications(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createSubscribed(t, s)
	op := seedOperation(tenantA)
	at := graphTime("2030-01-01T00:00:00.5Z")
	ns := []*teamsops.Notification{
		{TenantID: tenantA, SubscriptionID: "s1", ChangeType: teamsops.ChangeCreated, Operation: op, CreatedAt: at},
		{TenantID: tenantA, SubscriptionID: "s1", LifecycleEvent: teamsops.LifecycleMissed, CreatedAt: at},
		{TenantID: tenantA, SubscriptionID: "s1", ChangeType: teamsops.ChangeUpdated, Operation: op, CreatedAt: at},
	}
	must(t, s.AddNotifications(ctx, ns))
	if !(ns[0].Seq < ns[1].Seq && ns[1].Seq < ns[2].Seq) {
		t.Errorf("sequence numbers %d, %d, %d are not increasing", ns[0].Seq, ns[1].Seq, ns[2].Seq)
	}
	got, err := s.PendingNotifications(ctx, tenantA, "s1", 2)
	must(t, err)
	wantEqual(t, "first two pending", got, ns[:2])

	must(t, s.DeleteNotifications(ctx, tenantA, "s1", []int64{ns[0].Seq, ns[2].Seq}))
	got, err = s.PendingNotifications(ctx, tenantA, "s1", 10)
	must(t, err)
	wantEqual(t, "pending after delete", got, ns[1:2])

	// A subscription that does not exist has no notifications.
	err = s.AddNotifications(ctx, []*teamsops.Notification{{TenantID: tenantA, SubscriptionID: "nope", CreatedAt: at}})
	wantCode(t, err, teamsops.EINVALID, "")
	// Deleting the subscription deletes its notifications.
	must(t, s.DeleteSubscription(ctx, tenantA, "s1"))
	must(t, s.CreateSubscription(ctx, newSubscription(tenantA, "s1", "app1")))
	got, err = s.PendingNotifications(ctx, tenantA, "s1", 10)
	must(t, err)
	wantEqual(t, "pending of a new subscription of the same id", len(got), 0)
}

// testNotificationsInTx: notifications written in a transaction commit
// with it, and the transaction reads the subscription and them.
func testNotificationsInTx(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createSubscribed(t, s)
	at := graphTime("2030-01-01T00:00:00Z")
	add := func(tx teamsops.Tx) error {
		return tx.AddNotifications(ctx, []*teamsops.Notification{{TenantID: tenantA, SubscriptionID: "s1",
			ChangeType: teamsops.ChangeCreated, CreatedAt: at}})
	}
	failed := fmt.Errorf("roll back")
	err := s.Update(ctx, func(tx teamsops.Tx) error {
		must(t, add(tx))
		return failed
	})
	if err != failed {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	must(t, s.Update(ctx, func(tx teamsops.Tx) error {
		if _, err := tx.Subscription(ctx, tenantA, "s1"); err != nil {
			return err
		}
		if subs, err := tx.Subscriptions(ctx, tenantA, ""); err != nil || len(subs) != 1 {
			t.Errorf("Subscriptions inside the transaction = %d, %v; want 1", len(subs), err)
		}
		live, err := tx.LockSubscriptions(ctx, tenantA, []string{"nope", "s1"})
		if err != nil {
			return err
		}
		wantEqual(t, "LockSubscriptions", live, []string{"s1"})
		if other, err := tx.LockSubscriptions(ctx, tenantB, []string{"s1"}); err != nil || len(other) != 0 {
			t.Errorf("LockSubscriptions of another tenant = %v, %v; want none", other, err)
		}
		if err := add(tx); err != nil {
			return err
		}
		ns, err := tx.PendingNotifications(ctx, tenantA, "s1", 10)
		if err != nil {
			return err
		}
		wantEqual(t, "pending inside the transaction", len(ns), 1)
		return nil
	}))
	ns, err := s.PendingNotifications(ctx, tenantA, "s1", 10)
	must(t, err)
	wantEqual(t, "pending after commit", len(ns), 1)
}

func testDeliveries(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createSubscribed(t, s)
	start := graphTime("2030-01-01T00:00:00Z")
	n := teamsops.DeliveriesKept + 5
	for i := range n {
		d := &teamsops.Delivery{TenantID: tenantA, SubscriptionID: "s1", At: start.Add(time.Duration(i) * time.Second),
			Lifecycle: i%2 == 0, Notifications: i + 1, Attempt: 1, Status: 202, Latency: time.Duration(i) * time.Millisecond}
		if i%3 == 1 {
			d.Status, d.Error = 0, "connection refused"
		}
		must(t, s.RecordDelivery(ctx, d))
	}
	ds, err := s.Deliveries(ctx, tenantA, "s1")
	must(t, err)
	if len(ds) != teamsops.DeliveriesKept {
		t.Fatalf("%d deliveries kept, want %d", len(ds), teamsops.DeliveriesKept)
	}
	wantEqual(t, "newest delivery", ds[0], &teamsops.Delivery{TenantID: tenantA, SubscriptionID: "s1",
		At: start.Add(time.Duration(n-1) * time.Second), Lifecycle: (n-1)%2 == 0, Notifications: n, Attempt: 1,
		Status: 202, Latency: time.Duration(n-1) * time.Millisecond})
	wantEqual(t, "oldest kept", ds[len(ds)-1].Notifications, n-teamsops.DeliveriesKept+1)
	other, err := s.Deliveries(ctx, tenantB, "s1")
	must(t, err)
	wantEqual(t, "another tenant's deliveries", len(other), 0)
}

// testSubscriptionWatch: creating and deleting a subscription is reported
// as a ChangeSubscription of its tenant; notifications are not.
func testSubscriptionWatch(t *testing.T, s teamsops.Store) {
	ctx := t.Context()
	createTenants(t, s)
	w := watch(t, s)
	must(t, s.CreateSubscription(ctx, newSubscription(tenantA, "s1", "app1")))
	must(t, s.AddNotifications(ctx, []*teamsops.Notification{{TenantID: tenantA, SubscriptionID: "s1",
		CreatedAt: graphTime("2030-01-01T00:00:00Z")}}))
	must(t, s.DeleteSubscription(ctx, tenantA, "s1"))
	want := teamsops.Change{Kind: teamsops.ChangeSubscription, TenantID: tenantA}
	wantEqual(t, "changes", ownChanges(w), []teamsops.Change{want, want})
}

// ownChanges returns the changes reported so far, without resets.
func ownChanges(w *watcher) []teamsops.Change {
	var out []teamsops.Change
	for _, c := range w.take() {
		if c.Kind != teamsops.ChangeReset {
			out = append(out, c)
		}
	}
	return out
}
