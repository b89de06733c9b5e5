package http

import (
	"testing"

	"github.com/teamsops/teamsops"
)

func TestParseSubscriptionResource(t *testing.T) {
	chat := "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"
	tests := []struct {
		in   string
		want teamsops.SubscriptionTarget
		ok   bool
	}{
		{"/chats/" + chat + "/operations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat, ID: chat}, true},
		{"chats('" + chat + "')/operations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat, ID: chat}, true},
		{"/chats('19%3Ac253a29b5f694b55a6baad8e83510af7%40thread.v2')/operations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat, ID: chat}, true},
		{"/teams/t1/operations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceTeam, ID: "t1"}, true},
		{"/Teams/t1/Operations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceTeam, ID: "t1"}, true},
		{"/chats/getAllOperations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceChat}, true},
		{"teams/getAllOperations", teamsops.SubscriptionTarget{Kind: teamsops.ResourceTeam}, true},
		{"/teamwork/getAllOperations", teamsops.SubscriptionTarget{}, true},
		{"/chats", teamsops.SubscriptionTarget{}, false},
		{"/chats/x", teamsops.SubscriptionTarget{}, false},
		{"/chats/x/operations/y", teamsops.SubscriptionTarget{}, false},
		{"/chats/x/messages", teamsops.SubscriptionTarget{}, false},
		{"/teamwork/x/operations", teamsops.SubscriptionTarget{}, false},
		{"/groups/x/operations", teamsops.SubscriptionTarget{}, false},
		{"/me/messages", teamsops.SubscriptionTarget{}, false},
		{"https://graph.microsoft.com/v1.0/chats/x/operations", teamsops.SubscriptionTarget{}, false},
		{"", teamsops.SubscriptionTarget{}, false},
		{"/chats('')/operations", teamsops.SubscriptionTarget{}, false},
	}
	for _, tt := range tests {
		got, err := parseSubscriptionResource(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSubscriptionResource(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDecodeCreateSubscription(t *testing.T) {
	base := `"changeType":"created,updated","notificationUrl":"https://r.example/n","resource":"/teams/t/operations","expirationDateTime":"2030-03-20T11:00:00.0000000Z"`
	tests := []struct {
		body string
		ok   bool
	}{
		{`{` + base + `}`, true},
		{`{` + base + `,"clientState":"s","includeResourceData":false,"latestSupportedTlsVersion":"v1_2","id":"ignored","@odata.type":"#microsoft.graph.subscription"}`, true},
		{`{` + base + `,"lifecycleNotificationUrl":null,"encryptionCertificate":null}`, true},
		{`{` + base + `,"unknown":1}`, false},
		{`{` + base + `,"includeResourceData":"yes"}`, false},
		{`{` + base + `,"clientState":5}`, false},
		{`{"changeType":"created","resource":"/teams/t/operations","expirationDateTime":"2030-03-20T11:00:00Z"}`, false},
		{`{"changeType":"created","notificationUrl":"https://r.example/n","expirationDateTime":"2030-03-20T11:00:00Z"}`, false},
		{`{"changeType":"created","notificationUrl":"https://r.example/n","resource":"/teams/t/operations"}`, false},
		{`{"changeType":"created","notificationUrl":"https://r.example/n","resource":"/teams/t/operations","expirationDateTime":"tomorrow"}`, false},
		{`{"changeType":"created","notificationUrl":"https://r.example/n","resource":"/me/messages","expirationDateTime":"2030-03-20T11:00:00Z"}`, false},
		{`[]`, false}, {`null`, false}, {``, false},
	}
	for _, tt := range tests {
		_, err := decodeCreateSubscription([]byte(tt.body))
		if (err == nil) != tt.ok || (err != nil && teamsops.ErrorCode(err) != teamsops.EINVALID) {
			t.Errorf("%s: err = %v, want ok %v", tt.body, err, tt.ok)
		}
	}
}

func TestDecodeUpdateSubscription(t *testing.T) {
	tests := []struct {
		body string
		ok   bool
	}{
		{`{"expirationDateTime":"2030-03-20T11:00:00Z"}`, true},
		{`{"notificationUrl":"https://r.example/2","lifecycleNotificationUrl":"https://r.example/l"}`, true},
		{`{}`, true},
		{`{"resource":"/teams/x/operations"}`, false},
		{`{"includeResourceData":true}`, false},
		{`{"expirationDateTime":null}`, false},
		{`{"expirationDateTime":"soon"}`, false},
		{`{"other":1}`, false},
		{`"x"`, false},
	}
	for _, tt := range tests {
		_, err := decodeUpdateSubscription([]byte(tt.body))
		if (err == nil) != tt.ok || (err != nil && teamsops.ErrorCode(err) != teamsops.EINVALID) {
			t.Errorf("%s: err = %v, want ok %v", tt.body, err, tt.ok)
		}
	}
}

// FuzzDecodeCreateSubscription: decoding never panics, refuses with
// EINVALID only, and what it accepts names a resource teamsops serves.
func FuzzDecodeCreateSubscription(f *testing.F) {
	for _, s := range []string{
		`{"changeType":"created,updated","notificationUrl":"https://r.example/n?x=1","resource":"/chats/19:a@thread.v2/operations","expirationDateTime":"2030-03-20T11:00:00.0000000Z","clientState":"s"}`,
		`{"changeType":"updated","notificationUrl":"https://r.example/n","lifecycleNotificationUrl":"https://r.example/l","resource":"teams('t')/operations","expirationDateTime":"2030-03-20T11:00:00+02:00","includeResourceData":true,"encryptionCertificate":"MIIB","encryptionCertificateId":"c"}`,
		`{"changeType":"created","notificationUrl":"x","resource":"/teamwork/getAllOperations","expirationDateTime":"2030-01-01T00:00:00Z"}`,
		`{}`, `null`, `{"resource":1}`, `{"@odata.type":"#x"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ns, err := decodeCreateSubscription(body)
		if wantInvalidOnly(t, body, err) {
			if ns.NotificationURL == "" || ns.ExpirationDateTime.IsZero() {
				t.Fatalf("%q: accepted without a notificationUrl or expiration", body)
			}
			if _, err := parseSubscriptionResource(ns.Resource); err != nil {
				t.Fatalf("%q: accepted a resource that does not parse: %v", body, err)
			}
		}
	})
}

// FuzzDecodeUpdateSubscription: as FuzzDecodeCreateSubscription, for PATCH.
func FuzzDecodeUpdateSubscription(f *testing.F) {
	for _, s := range []string{`{"expirationDateTime":"2030-03-20T11:00:00Z"}`, `{"notificationUrl":"https://x"}`, `{}`, `[1]`, `{"resource":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeUpdateSubscription(body)
		wantInvalidOnly(t, body, err)
	})
}
