package tenantfile_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

func decodeFile(t testing.TB, path string) *teamsops.Declaration {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantfile.Decode(filepath.Base(path), data)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDemoFile checks values of the demo tenant that only the file states.
func TestDemoFile(t *testing.T) {
	d := decodeFile(t, "../demo/tenant.yaml")
	if d.Tenant != (teamsops.Tenant{ID: "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f", DisplayName: "Contoso", VerifiedDomain: "contoso.onmicrosoft.com"}) {
		t.Errorf("tenant = %+v", d.Tenant)
	}
	if got := d.ClientSecrets["7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f"]; !reflect.DeepEqual(got, []string{"demo-console-secret"}) {
		t.Errorf("console secrets = %v", got)
	}
	seed := d.Operations[0]
	want := &teamsops.Operation{
		ID:       "2432b57b-0abd-43db-aa7b-16eadd115d34-e88ae9aa-887e-4972-ac3e-bd578e38232e-cf58835e-43f0-4fc1-825e-5de55630e7e4",
		TenantID: d.Tenant.ID, Resource: teamsops.ResourceRef{Kind: teamsops.ResourceChat, ID: "19:c253a29b5f694b55a6baad8e83510af7@thread.v2"},
		Type: teamsops.OperationTypeCreateChat, Status: teamsops.OperationStatusSucceeded,
		CreatedDateTime:        time.Date(2021, 5, 27, 21, 23, 41, 908545300, time.UTC),
		LastActionDateTime:     time.Date(2021, 5, 27, 21, 23, 45, 189927700, time.UTC),
		AttemptsCount:          1,
		TargetResourceID:       "19:c253a29b5f694b55a6baad8e83510af7@thread.v2",
		TargetResourceLocation: "/chats('19:c253a29b5f694b55a6baad8e83510af7@thread.v2')",
		Values:                 `{"appIds":["1542629c-01b3-4a6d-8f76-1938b779e48d"]}`,
	}
	if !reflect.DeepEqual(seed, want) {
		t.Errorf("seed operation:\n got %+v\nwant %+v", seed, want)
	}
	if n := len(d.Channels); n != 1 || d.Channels[0].DisplayName != "General" || d.Channels[0].TeamID != "d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77" {
		t.Errorf("channels = %+v, want the team's General channel only", d.Channels)
	}
}

// TestEveryErrorReported checks that one file's problems are all reported,
// in the order of the file, not only the first.
func TestEveryErrorReported(t *testing.T) {
	file := `tenant:
  id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f
users:
  - userPrincipalName: adele@contoso.com
    displayNme: Adele
appRegistrations:
  - displayName: console
    applicationPermissions: [Team.Creat]
chats:
  - chatType: oneOnOne
    members: [adele, megan]
operations:
  - chat: nowhere
    operationType: createChat
    status: done
`
	_, err := tenantfile.Decode("tenant.yaml", []byte(file))
	want := []string{
		`tenant.yaml:5:5: users[0].displayNme: unknown field "displayNme"; did you mean "displayName"?`,
		`tenant.yaml:8:30: appRegistrations[0].applicationPermissions[0]: unknown application permission "Team.Creat"; did you mean "Team.Create"?`,
		`tenant.yaml:11:22: chats[0].members[1]: user "megan" is not a user of this tenant`,
		`tenant.yaml:13:11: operations[0].chat: chat "nowhere" is not a chat of this tenant`,
		`tenant.yaml:15:13: operations[0].status: status "done" is not one of notStarted, inProgress, succeeded, failed`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestDerivedIDs pins ids derived for a file without ids: they must be the
// same on every machine and in every version, or a file would name new
// entities after an upgrade.
func TestDerivedIDs(t *testing.T) {
	d := decodeFile(t, "../examples/tenant.yaml")
	again := decodeFile(t, "../examples/tenant.yaml")
	if !reflect.DeepEqual(d, again) {
		t.Fatal("decoding the same file twice gave different declarations")
	}
	tests := []struct{ what, got, want string }{
		{"user pat", d.Users[0].ID, "e1e95149-efa0-56a3-95f6-c2a5d1f8c118"},
		{"app fabrikam bot", d.AppRegistrations[1].ClientID, "87249d7f-6d91-526a-91f9-e21415977e78"},
		{"Teams app", d.TeamsApps[0].ID, "6d67510c-8a88-5285-9fbb-4f3dbd5c9742"},
		{"group design", d.Groups[0].ID, "a9a08fbf-d6c6-5e42-8ecf-cab2a4023ea9"},
		{"team Fabrikam Ops", d.Teams[1].ID, "e1d5086b-016c-5f69-88a6-8ace45690844"},
		{"chat Launch", d.Chats[0].ID, "19:32123244ceae5b4fafcc81b2a24f5457@thread.v2"},
		{"one-on-one chat", d.Chats[1].ID, "19:2f6e4c1a-9b8d-4e7f-a6c5-3d2b1a0f9e8d_e1e95149-efa0-56a3-95f6-c2a5d1f8c118@unq.gbl.spaces"},
		{"channel Incidents", d.Channels[2].ID, "19:d4f2fe56e086d9dd2f3d2e09ec88c4db@thread.tacv2"},
		{"operation", d.Operations[1].ID, "18c7f083-bbf6-5a3a-816f-9bbaee27d759-b897a236-dd27-5e00-a0c5-132ffc1b68fa-59bad008-f08d-5fb6-93bb-54d7053eb0b8"},
		{"grant", d.PermissionGrants[0].ID, "ODcyNDlkN2YtNmQ5MS01MjZhLTkxZjktZTIxNDE1OTc3ZTc4IyNDaGF0U2V0dGluZ3MuUmVhZC5DaGF0IyNBcHBsaWNhdGlvbiMjMTk6MzIxMjMyNDRjZWFlNWI0ZmFmY2M4MWIyYTI0ZjU0NTdAdGhyZWFkLnYy"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: id %s, want %s", tt.what, tt.got, tt.want)
		}
	}
}

// TestJSONIsYAML decodes a JSON file: the same tenant as its YAML.
func TestJSONIsYAML(t *testing.T) {
	yamlFile := `tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}
users:
  - userPrincipalName: adele@contoso.com
    accountEnabled: false
teams:
  - displayName: T
    members: [{user: adele, roles: [owner]}]
    settings: {funSettings: {allowGiphy: false}}
`
	jsonFile := `{"tenant": {"id": "b33cbe9f-8ebe-4f2a-912b-7e2a427f477f"},
"users": [{"userPrincipalName": "adele@contoso.com", "accountEnabled": false}],
"teams": [{"displayName": "T", "members": [{"user": "adele", "roles": ["owner"]}],
	"settings": {"funSettings": {"allowGiphy": false}}}]}`
	y := decodeBoth(t, yamlFile, jsonFile)
	if !y.Users[0].AccountDisabled || y.Teams[0].Settings != `{"funSettings":{"allowGiphy":false}}` {
		t.Errorf("user %+v, settings %q", y.Users[0], y.Teams[0].Settings)
	}
}

// TestEncodeRoundTrip encodes each example as the admin API answers it and
// decodes that again: the same tenant, but for the secrets and passwords
// it leaves out.
func TestEncodeRoundTrip(t *testing.T) {
	for _, path := range []string{"../examples/tenant.yaml", "../examples/northwind.yaml", "../demo/tenant.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			d := decodeFile(t, path)
			doc, err := tenantfile.Encode(d)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(doc), "secret") || strings.Contains(string(doc), "password") {
				t.Errorf("the document holds a secret or a password: %s", doc)
			}
			back, err := tenantfile.Decode("encoded", doc)
			if err != nil {
				t.Fatalf("%v\n%s", err, doc)
			}
			d.ClientSecrets, d.Passwords = map[string][]string{}, map[string]string{}
			if !reflect.DeepEqual(back, d) {
				t.Errorf("round trip changed the tenant:\n got %+v\nwant %+v", back, d)
			}
		})
	}
}

// TestReadFiles reads several files: errors name each file, and no two
// files may declare the same tenant.
func TestReadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.yaml", "tenant: {id: b33cbe9f-8ebe-4f2a-912b-7e2a427f477f}\n")
	b := write("b.yaml", "tenant: {id: B33CBE9F-8EBE-4F2A-912B-7E2A427F477F}\n")
	c := write("c.yaml", "tenant: {id: 0a7d2f4c-1111-4e2b-9c3d-5e6f7a8b9c0d}\nusers: [{}]\n")
	ds, err := tenantfile.ReadFiles(a)
	if err != nil || len(ds) != 1 {
		t.Fatalf("ReadFiles(a) = %v, %v", ds, err)
	}
	_, err = tenantfile.ReadFiles(a, b, c, filepath.Join(dir, "missing.yaml"))
	want := []string{
		b + ":1:1: tenant.id: tenant b33cbe9f-8ebe-4f2a-912b-7e2a427f477f is declared by " + a + " too: one file declares one tenant",
		c + ":2:9: users[0].userPrincipalName: userPrincipalName is required",
		filepath.Join(dir, "missing.yaml") + ":1:1: open " + filepath.Join(dir, "missing.yaml") + ": no such file or directory",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// decodeBoth decodes the same tenant written in YAML and in JSON, and
// wants the two alike.
func decodeBoth(t *testing.T, yamlFile, jsonFile string) *teamsops.Declaration {
	t.Helper()
	y, err := tenantfile.Decode("t.yaml", []byte(yamlFile))
	if err != nil {
		t.Fatal(err)
	}
	j, err := tenantfile.Decode("t.json", []byte(jsonFile))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(y, j) {
		t.Errorf("JSON and YAML differ:\n%+v\n%+v", j, y)
	}
	return y
}
