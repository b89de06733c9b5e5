package notification_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/notification"
	"github.com/teamsops/teamsops/odata/metadata"
	"github.com/teamsops/teamsops/webhook"
)

// teamSubscription is a subscription body to the demo team's operations.
func teamSubscription(r *receiver, lifecycle *receiver, expires time.Duration) map[string]any {
	body := map[string]any{
		"changeType": "created,updated", "notificationUrl": r.url(),
		"resource": "/teams/" + demo.TeamID + "/operations", "expirationDateTime": in(expires),
		"clientState": "secret-state",
	}
	if lifecycle != nil {
		body["lifecycleNotificationUrl"] = lifecycle.url()
	}
	return body
}

// changeTypes lists the changeType of each notification.
func changeTypes(ns []notification.ChangeNotification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.ChangeType)
	}
	return out
}

// TestOperationLifecycle: an operation's creation and each of its status
// changes reach the receiver, in order, with the subscription's
// clientState, in Graph's shape.
func TestOperationLifecycle(t *testing.T) {
	s := newStack(t, fastRetries)
	r := newReceiver(t)
	subID := s.subscribe(s.console(), teamSubscription(r, nil, 30*time.Minute))
	s.archiveTeam(true)
	waitFor(t, "three notifications", func() bool { return len(operationNotifications(r, subID)) >= 3 })
	got := operationNotifications(r, subID)
	if want := []string{"created", "updated", "updated"}; !slices.Equal(changeTypes(got), want) {
		t.Fatalf("changeTypes = %v, want %v", changeTypes(got), want)
	}
	ids := map[string]bool{}
	for _, n := range got {
		opID := n.ResourceData.ID
		wantResource := "teams('" + demo.TeamID + "')/operations('" + opID + "')"
		switch {
		case n.ClientState == nil || *n.ClientState != "secret-state":
			t.Errorf("clientState = %v", n.ClientState)
		case n.TenantID != demo.TenantID, n.SubscriptionID != subID, n.SubscriptionExpirationDateTime == "":
			t.Errorf("notification %+v does not name its tenant and subscription", n)
		case n.Resource != wantResource || n.ResourceData.ODataID != wantResource ||
			n.ResourceData.ODataType != "#Microsoft.Graph.teamsAsyncOperation":
			t.Errorf("resource %q, resourceData %+v; want %q", n.Resource, n.ResourceData, wantResource)
		case n.EncryptedContent != nil:
			t.Error("a basic notification carries encryptedContent")
		case ids[n.ID]:
			t.Errorf("notification id %q repeated", n.ID)
		}
		ids[n.ID] = true
	}
	// The operation the notifications name is the one that ran.
	status, op := s.call(http.MethodGet, "/v1.0/teams/"+demo.TeamID+"/operations/"+got[0].ResourceData.ID, s.console(), nil)
	if status != http.StatusOK || op["operationType"] != "archiveTeam" {
		t.Errorf("GET the notified operation = %d %v", status, op)
	}
	// Deliveries are recorded for the dashboard, once the receiver's
	// answer is in.
	waitFor(t, "a recorded delivery", func() bool {
		ds, _ := s.srv.Store.Deliveries(context.Background(), demo.TenantID, subID)
		return len(ds) > 0
	})
	ds, err := s.srv.Store.Deliveries(context.Background(), demo.TenantID, subID)
	if err != nil || ds[0].Error != "" || ds[0].Status != http.StatusAccepted || ds[0].Notifications == 0 {
		t.Errorf("Deliveries = %+v, %v", ds, err)
	}
}

// TestChangeTypeFilter: a subscription to "created" hears only creations.
func TestChangeTypeFilter(t *testing.T) {
	s := newStack(t, fastRetries)
	created, all := newReceiver(t), newReceiver(t)
	body := teamSubscription(created, nil, 30*time.Minute)
	body["changeType"] = "created"
	createdID := s.subscribe(s.console(), body)
	allID := s.subscribe(s.console(), teamSubscription(all, nil, 30*time.Minute))
	s.archiveTeam(true)
	waitFor(t, "every notification", func() bool { return len(operationNotifications(all, allID)) >= 3 })
	waitFor(t, "the creation", func() bool { return len(operationNotifications(created, createdID)) >= 1 })
	if got := changeTypes(operationNotifications(created, createdID)); !slices.Equal(got, []string{"created"}) {
		t.Errorf("changeTypes = %v, want only created", got)
	}
}

// TestReceiverDownThenBack: a receiver that fails for a while gets every
// notification once it answers again, each change once.
func TestReceiverDownThenBack(t *testing.T) {
	s := newStack(t, fastRetries)
	r := newReceiver(t)
	subID := s.subscribe(s.console(), teamSubscription(r, nil, 30*time.Minute))
	r.setDown(true)
	s.archiveTeam(true)
	waitFor(t, "failed deliveries", func() bool {
		ds, _ := s.srv.Store.Deliveries(context.Background(), demo.TenantID, subID)
		return len(ds) >= 3 && ds[0].Error != ""
	})
	r.setDown(false)
	waitFor(t, "three notifications", func() bool { return len(operationNotifications(r, subID)) >= 3 })
	s.archiveTeam(false)
	waitFor(t, "six notifications", func() bool { return len(operationNotifications(r, subID)) >= 6 })
	got := operationNotifications(r, subID)
	if want := []string{"created", "updated", "updated", "created", "updated", "updated"}; !slices.Equal(changeTypes(got), want) {
		t.Errorf("changeTypes = %v, want %v", changeTypes(got), want)
	}
}

// TestMissed: notifications that cannot be delivered within RetryFor are
// dropped and the subscriber hears "missed" on its lifecycle URL.
func TestMissed(t *testing.T) {
	settings := fastRetries
	settings.RetryFor = 300 * time.Millisecond
	s := newStack(t, settings)
	r, life := newReceiver(t), newReceiver(t)
	subID := s.subscribe(s.console(), teamSubscription(r, life, 30*time.Minute))
	r.setDown(true)
	s.archiveTeam(true)
	waitFor(t, "missed", func() bool { return slices.Contains(lifecycleEvents(life, subID), teamsops.LifecycleMissed) })
	r.setDown(false)
	s.archiveTeam(false)
	// The subscription goes on: the next operation is delivered.
	waitFor(t, "the next operation", func() bool { return len(operationNotifications(r, subID)) >= 1 })
}

// newCertificate returns a receiver's key and its self-signed certificate,
// base64 DER as encryptionCertificate takes it.
func newCertificate(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "receiver"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, base64.StdEncoding.EncodeToString(der)
}

// TestRichNotifications: with includeResourceData, each notification's
// encryptedContent decrypts with the receiver's private key to the
// operation as GET returns it, its signature verifies, and the validation
// tokens verify against the issuer's keys.
func TestRichNotifications(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life := newReceiver(t), newReceiver(t)
	key, cert := newCertificate(t)
	body := teamSubscription(r, life, 2*time.Hour)
	body["includeResourceData"] = true
	body["encryptionCertificate"] = cert
	body["encryptionCertificateId"] = "my-cert"
	subID := s.subscribe(s.console(), body)
	s.archiveTeam(true)
	waitFor(t, "three notifications", func() bool { return len(operationNotifications(r, subID)) >= 3 })
	var statuses []string
	for _, n := range operationNotifications(r, subID) {
		if n.EncryptedContent == nil || n.EncryptedContent.EncryptionCertificateID != "my-cert" {
			t.Fatalf("encryptedContent = %+v", n.EncryptedContent)
		}
		_, op := decrypt(t, key, n)
		if op["id"] != n.ResourceData.ID || op["operationType"] != "archiveTeam" ||
			!strings.HasSuffix(op["@odata.context"].(string), "/v1.0/$metadata#teams('"+demo.TeamID+"')/operations/$entity") {
			t.Errorf("decrypted operation %v", op)
		}
		statuses = append(statuses, op["status"].(string))
	}
	if want := []string{"notStarted", "inProgress", "succeeded"}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	tenantIssuer := s.srv.Issuer.IssuerURL(demo.TenantID)
	for _, c := range r.collections() {
		if len(c.ValidationTokens) != 1 {
			t.Fatalf("%d validation tokens, want 1", len(c.ValidationTokens))
		}
		err := identity.VerifyValidationToken(c.ValidationTokens[0], s.srv.Issuer.JWKS(), tenantIssuer,
			[]string{demo.ConsoleApp}, time.Now())
		if err != nil {
			t.Error(err)
		}
	}
}

// TestRichChatNotifications: a chat's operation is rendered as beta, the
// only version with chat operations, reads it: its content's
// @odata.context is beta's (v1.0 answers that path 400) and its members
// follow beta's rules, createChat included without the Prefer header, as
// GET /beta answers it (docs/compatibility.md, "Evolvable enums on beta:
// createChat"). A team's stays on v1.0 (TestRichNotifications).
func TestRichChatNotifications(t *testing.T) {
	s := newStack(t, fastRetries)
	r := newReceiver(t)
	key, cert := newCertificate(t)
	subID := s.subscribe(s.console(), map[string]any{
		"changeType": "created,updated", "notificationUrl": r.url(),
		"resource": "/chats/getAllOperations", "expirationDateTime": in(50 * time.Minute),
		"includeResourceData": true, "encryptionCertificate": cert, "encryptionCertificateId": "my-cert",
	})
	if status, m := s.call(http.MethodPost, "/v1.0/chats", s.console(), chatWithApp(0)); status != http.StatusAccepted {
		t.Fatalf("POST /v1.0/chats = %d %v", status, m)
	}
	waitFor(t, "the operation's end", func() bool {
		ns := operationNotifications(r, subID)
		return len(ns) > 0 && strings.Contains(decryptStatus(t, key, ns[len(ns)-1]), "succeeded")
	})
	for _, n := range operationNotifications(r, subID) {
		plain, op := decrypt(t, key, n)
		ctx, _ := op["@odata.context"].(string)
		chatID, _, _ := strings.Cut(strings.TrimPrefix(ctx, s.base+"/beta/$metadata#chats('"), "')")
		if want := s.base + "/beta/$metadata#chats('" + chatID + "')/operations/$entity"; chatID == "" || ctx != want {
			t.Errorf("@odata.context = %q, want beta's chat operation context", ctx)
		}
		if op["id"] != n.ResourceData.ID || op["operationType"] != "createChat" {
			t.Errorf("decrypted operation %v", op)
		}
		for _, d := range metadata.CheckEntity("beta", "teamsAsyncOperation", plain, false) {
			// createChat without the header: the seed's decision, as above.
			if !strings.Contains(d, `"createChat" comes after unknownFutureValue`) {
				t.Errorf("content differs from beta's metadata: %s", d)
			}
		}
		// The content is what the receiver reads at its context's path.
		status, got := s.call(http.MethodGet, "/beta/chats/"+url.PathEscape(mustUnescape(t, chatID))+"/operations/"+n.ResourceData.ID, s.console(), nil)
		if status != http.StatusOK || got["@odata.context"] != ctx || got["operationType"] != op["operationType"] {
			t.Errorf("GET the content's path = %d %v", status, got)
		}
	}
}

// decryptStatus returns the status of a rich notification's operation.
func decryptStatus(t *testing.T, key *rsa.PrivateKey, n notification.ChangeNotification) string {
	t.Helper()
	_, op := decrypt(t, key, n)
	status, _ := op["status"].(string)
	return status
}

// decrypt returns a rich notification's content, decrypted with key, and
// the operation it holds.
func decrypt(t *testing.T, key *rsa.PrivateKey, n notification.ChangeNotification) ([]byte, map[string]any) {
	t.Helper()
	if n.EncryptedContent == nil {
		t.Fatalf("no encryptedContent: %+v", n)
	}
	plain, err := webhook.Decrypt(key, n.EncryptedContent)
	if err != nil {
		t.Fatal(err)
	}
	var op map[string]any
	if err := json.Unmarshal(plain, &op); err != nil {
		t.Fatalf("decrypted content is not JSON: %v: %s", err, plain)
	}
	return plain, op
}

func mustUnescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.PathUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestPermissionLoss: a delegated subscriber removed from the team stops
// receiving, and hears subscriptionRemoved; the subscription is gone.
func TestPermissionLoss(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life, control := newReceiver(t), newReceiver(t), newReceiver(t)
	adele := s.userToken(demo.UserAdele, "Team.ReadBasic.All")
	subID := s.subscribe(adele, teamSubscription(r, life, 30*time.Minute))
	controlID := s.subscribe(s.console(), teamSubscription(control, nil, 30*time.Minute))
	s.archiveTeam(true)
	waitFor(t, "notifications before the loss", func() bool { return len(operationNotifications(r, subID)) >= 3 })

	// Adele leaves the team (and its group).
	ctx := context.Background()
	team, err := s.srv.Store.Team(ctx, demo.TenantID, demo.TeamID)
	if err != nil {
		t.Fatal(err)
	}
	group, err := s.srv.Store.Group(ctx, demo.TenantID, demo.TeamID)
	if err != nil {
		t.Fatal(err)
	}
	team.Members = withoutUser(team.Members, demo.UserAdele)
	group.Members = withoutUser(group.Members, demo.UserAdele)
	if err := s.srv.Store.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Store.CreateGroup(ctx, group); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "subscriptionRemoved", func() bool {
		return slices.Contains(lifecycleEvents(life, subID), teamsops.LifecycleSubscriptionRemoved)
	})
	waitFor(t, "the subscription's deletion", func() bool {
		_, err := s.srv.Store.Subscription(ctx, demo.TenantID, subID)
		return teamsops.ErrorCode(err) == teamsops.ENOTFOUND
	})
	if status, _ := s.call(http.MethodGet, "/v1.0/subscriptions/"+subID, adele, nil); status != http.StatusNotFound {
		t.Errorf("GET the removed subscription = %d, want 404", status)
	}
	s.archiveTeam(false)
	waitFor(t, "the control's notifications", func() bool { return len(operationNotifications(control, controlID)) >= 6 })
	if n := len(operationNotifications(r, subID)); n != 3 {
		t.Errorf("the removed subscriber received %d notifications, want the 3 from before", n)
	}
}

func withoutUser(ms []teamsops.Member, userID string) []teamsops.Member {
	var out []teamsops.Member
	for _, m := range ms {
		if m.UserID != userID {
			out = append(out, m)
		}
	}
	return out
}

// TestRevokedRole: an app whose granted roles are narrowed, but which can
// still read the team, hears reauthorizationRequired; once none of its
// roles is left, its subscription is removed.
func TestRevokedRole(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life := newReceiver(t), newReceiver(t)
	tok := s.appToken(demo.ConsoleApp, "Team.ReadBasic.All", "Group.ReadWrite.All")
	subID := s.subscribe(tok, teamSubscription(r, life, 30*time.Minute))
	ctx := context.Background()
	setRoles := func(roles ...string) {
		app, err := s.srv.Store.AppRegistration(ctx, demo.TenantID, demo.ConsoleApp)
		if err != nil {
			t.Fatal(err)
		}
		app.Roles = roles
		if err := s.srv.Store.Update(ctx, func(tx teamsops.Tx) error {
			if err := tx.CreateAppRegistration(ctx, app); err != nil {
				return err
			}
			// A tenant file applied: the whole tenant may have changed.
			return tx.CreateTenant(ctx, &teamsops.Tenant{ID: demo.TenantID, DisplayName: "Contoso"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	setRoles("Team.ReadBasic.All")
	waitFor(t, "reauthorizationRequired", func() bool {
		return slices.Contains(lifecycleEvents(life, subID), teamsops.LifecycleReauthorizationRequired)
	})
	setRoles("Chat.Read.All")
	waitFor(t, "subscriptionRemoved", func() bool {
		return slices.Contains(lifecycleEvents(life, subID), teamsops.LifecycleSubscriptionRemoved)
	})
}

// TestExpiryAndRenewal: a subscription hears reauthorizationRequired
// before it expires; renewed, it lives on; not renewed, it is deleted.
//
// The challenge comes a quarter of the lifetime ahead, and must be
// delivered and answered before the expiry: 16 s leaves 4 s for that on a
// loaded machine, where 4 s (1 s ahead) lost the race now and then.
func TestExpiryAndRenewal(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life := newReceiver(t), newReceiver(t)
	const lifetime = 16 * time.Second
	renewed := s.subscribe(s.console(), teamSubscription(r, life, lifetime))
	expiring := s.subscribe(s.console(), teamSubscription(r, life, lifetime))
	waitFor(t, "reauthorizationRequired", func() bool {
		return slices.Contains(lifecycleEvents(life, renewed), teamsops.LifecycleReauthorizationRequired)
	})
	newExpiry := in(45 * time.Minute)
	status, m := s.call(http.MethodPatch, "/v1.0/subscriptions/"+renewed, s.console(), map[string]any{"expirationDateTime": newExpiry})
	if status != http.StatusOK {
		t.Fatalf("PATCH = %d %v", status, m)
	}
	want, _ := time.Parse(time.RFC3339Nano, newExpiry)
	got, _ := time.Parse(time.RFC3339Nano, m["expirationDateTime"].(string))
	if got.Sub(want).Abs() >= 100*time.Nanosecond { // Graph's precision: 100 ns
		t.Errorf("expirationDateTime = %v, want %v", got, want)
	}
	waitFor(t, "the unrenewed subscription's deletion", func() bool {
		status, _ := s.call(http.MethodGet, "/v1.0/subscriptions/"+expiring, s.console(), nil)
		return status == http.StatusNotFound
	})
	if status, _ := s.call(http.MethodGet, "/v1.0/subscriptions/"+renewed, s.console(), nil); status != http.StatusOK {
		t.Errorf("GET the renewed subscription = %d, want 200", status)
	}
	// The renewed one still delivers.
	s.archiveTeam(true)
	waitFor(t, "notifications after renewal", func() bool { return len(operationNotifications(r, renewed)) >= 3 })
	if n := len(operationNotifications(r, expiring)); n != 0 {
		t.Errorf("the expired subscription received %d notifications", n)
	}
}

// TestTenantIsolation: a subscription of another tenant hears nothing of
// this tenant's operations, and cannot read this tenant's subscriptions.
func TestTenantIsolation(t *testing.T) {
	s := newStack(t, fastRetries)
	ctx := context.Background()
	const other, otherApp = "0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d", "11111111-2222-4333-8444-555555555555"
	store := s.srv.Store
	if err := store.CreateTenant(ctx, &teamsops.Tenant{ID: other, DisplayName: "Fabrikam"}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateAppRegistration(ctx, &teamsops.AppRegistration{ClientID: otherApp, TenantID: other,
		Roles: []string{"Team.ReadBasic.All", "Chat.Read.All"}}); err != nil {
		t.Fatal(err)
	}
	otherToken := s.token(identity.Claims{TenantID: other, AppID: otherApp, Roles: []string{"Team.ReadBasic.All", "Chat.Read.All"}})
	mine, theirs := newReceiver(t), newReceiver(t)
	myID := s.subscribe(s.console(), map[string]any{"changeType": "created,updated", "notificationUrl": mine.url(),
		"resource": "/teamwork/getAllOperations", "expirationDateTime": in(30 * time.Minute)})
	theirID := s.subscribe(otherToken, map[string]any{"changeType": "created,updated", "notificationUrl": theirs.url(),
		"resource": "/teamwork/getAllOperations", "expirationDateTime": in(30 * time.Minute)})
	// The other tenant's subscription to this tenant's team does not exist for it.
	if status, _ := s.call(http.MethodPost, "/v1.0/subscriptions", otherToken, teamSubscription(theirs, nil, 30*time.Minute)); status != http.StatusNotFound {
		t.Errorf("subscribing to another tenant's team = %d, want 404", status)
	}
	s.archiveTeam(true)
	waitFor(t, "this tenant's notifications", func() bool { return len(operationNotifications(mine, myID)) >= 3 })
	for _, tt := range []struct {
		token, id string
		want      int
	}{{otherToken, myID, http.StatusNotFound}, {s.console(), theirID, http.StatusNotFound}, {otherToken, theirID, http.StatusOK}} {
		if status, _ := s.call(http.MethodGet, "/v1.0/subscriptions/"+tt.id, tt.token, nil); status != tt.want {
			t.Errorf("GET /subscriptions/%s = %d, want %d", tt.id, status, tt.want)
		}
	}
	_, list := s.call(http.MethodGet, "/v1.0/subscriptions", otherToken, nil)
	if values := list["value"].([]any); len(values) != 1 || values[0].(map[string]any)["id"] != theirID {
		t.Errorf("the other tenant lists %v", values)
	}
	if n := len(theirs.notifications()); n != 0 {
		t.Errorf("the other tenant's receiver got %d notifications", n)
	}
}
