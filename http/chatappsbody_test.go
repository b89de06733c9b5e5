package http

import (
	"reflect"
	"testing"

	"github.com/teamsops/teamsops/service"
)

func TestDecodeInstallApp(t *testing.T) {
	const app = "12345678-9abc-4ef0-8234-56789abcdef0"
	bind := `"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + app + `"`
	tests := []struct {
		body      string
		consented []service.RSCPermission
		ok        bool
	}{
		{`{` + bind + `}`, nil, true},
		{`{` + bind + `,"consentedPermissionSet":null}`, nil, true},
		{`{` + bind + `,"@odata.type":"#microsoft.graph.teamsAppInstallation","id":"x"}`, nil, true},
		{`{` + bind + `,"consentedPermissionSet":{"resourceSpecificPermissions":[{"permissionValue":"ChatMember.Read.Chat","permissionType":"Application"}]}}`,
			[]service.RSCPermission{{Value: "ChatMember.Read.Chat", Type: "Application"}}, true},
		{`{}`, nil, false},
		{`[]`, nil, false},
		{`{"teamsApp@odata.bind":1}`, nil, false},
		{`{"teamsApp@odata.bind":"https://example.com/appCatalogs/teamsApps/x"}`, nil, false},
		{`{` + bind + `,"consentedPermissionSet":{"other":[]}}`, nil, false},
		{`{` + bind + `,"consentedPermissionSet":{"resourceSpecificPermissions":[{"permissionValue":"X"}]}}`, nil, false},
		{`{` + bind + `,"teamsApp":{}}`, nil, false},
	}
	for _, tt := range tests {
		got, consented, err := decodeInstallApp([]byte(tt.body), "http://127.0.0.1:8080")
		if (err == nil) != tt.ok || tt.ok && (got != app || !reflect.DeepEqual(consented, tt.consented)) {
			t.Errorf("%s: %q %v %v", tt.body, got, consented, err)
		}
	}
}

// FuzzDecodeInstallApp: the body of "Add app to chat" decodes or is a
// 400, never a panic, and names an app when it decodes.
func FuzzDecodeInstallApp(f *testing.F) {
	f.Add([]byte(`{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/12345678-9abc-def0-123456789a"}`))
	f.Add([]byte(`{"teamsApp@odata.bind":"appCatalogs/teamsApps('x')","consentedPermissionSet":{"resourceSpecificPermissions":[{"permissionValue":"A.Chat","permissionType":"Delegated"}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		app, _, err := decodeInstallApp(body, "http://127.0.0.1:8080")
		if wantInvalidOnly(t, body, err) && app == "" {
			t.Fatalf("%q decoded without an app", body)
		}
	})
}
