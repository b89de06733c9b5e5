package notification_test

import (
	"net/http"
	"testing"
	"time"
)

// TestValidationTokenNotAccessToken: a rich subscription may not name
// Microsoft Graph as the audience of its validation tokens, and a
// validation token presented as an access token is refused.
func TestValidationTokenNotAccessToken(t *testing.T) {
	s := newStack(t, fastRetries)
	r, life := newReceiver(t), newReceiver(t)
	_, cert := newCertificate(t)
	rich := func(appID string) map[string]any {
		body := teamSubscription(r, life, 2*time.Hour)
		body["includeResourceData"] = true
		body["encryptionCertificate"] = cert
		body["encryptionCertificateId"] = "my-cert"
		if appID != "" {
			body["notificationUrlAppId"] = appID
		}
		return body
	}
	for _, graph := range []string{"00000003-0000-0000-c000-000000000000", "https://graph.microsoft.com",
		"https://graph.microsoft.com/"} {
		if status, m := s.call(http.MethodPost, "/v1.0/subscriptions", s.console(), rich(graph)); status != http.StatusBadRequest {
			t.Errorf("notificationUrlAppId %s: POST /subscriptions = %d %v, want 400", graph, status, m)
		}
	}
	subID := s.subscribe(s.console(), rich(""))
	s.archiveTeam(true)
	waitFor(t, "a rich notification", func() bool { return len(operationNotifications(r, subID)) >= 1 })
	c := r.collections()[0]
	if len(c.ValidationTokens) == 0 {
		t.Fatal("no validation token")
	}
	if status, m := s.call(http.MethodGet, "/v1.0/subscriptions", c.ValidationTokens[0], nil); status != http.StatusUnauthorized {
		t.Errorf("GET /subscriptions with a validation token = %d %v, want 401", status, m)
	}
}
