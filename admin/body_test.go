package admin_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends body with the admin token and the Content-Type given ("":
// none), and returns the status and body.
func (e *env) post(t *testing.T, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", e.base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestContentTypes: a tenant file is posted as it is, in YAML or in JSON,
// each by its Content-Type (or none); JSON must then be JSON, and any other
// type is a 415 in Graph's error format, on both endpoints that take a
// body. A problem's line and column are in the message, as apply prints.
func TestContentTypes(t *testing.T) {
	e := start(t, "sqlite::memory:", adminToken)
	yamlDoc := example(t, "northwind.yaml")
	fabrikamDoc := example(t, "tenant.yaml")
	jsonDoc := asJSON(t, yamlDoc)
	const tenants = "/_teamsops/tenants"
	badYAML := []byte("tenant: {id: " + tenantA + "}\nusers:\n  - userPrincipalName: adele@contoso.com\n    displayNme: Adele\n")
	yamlRule := []byte("app: ops console\noperationType: archiveTeam\naction: transient\nattempts: 2\n")
	tests := []struct {
		name, path, contentType string
		body                    []byte
		status                  int
		code, message           string // of an error
	}{
		{"YAML", tenants, "application/yaml", yamlDoc, 201, "", ""},
		{"YAML, an older type", tenants, "application/x-yaml", yamlDoc, 200, "", ""},
		{"YAML as text, UTF-8", tenants, "text/yaml; charset=utf-8", yamlDoc, 200, "", ""},
		{"no Content-Type", tenants, "", yamlDoc, 200, "", ""},
		{"JSON", tenants, "application/json; charset=UTF-8", jsonDoc, 200, "", ""},
		{"YAML said to be JSON", tenants, "application/json", yamlDoc, 400, "BadRequest",
			"The tenant document has 1 error: request body:1:1: not JSON, as its Content-Type says: invalid character '#'"},
		{"a YAML problem placed", tenants, "application/yaml", badYAML, 400, "BadRequest",
			`The tenant document has 1 error: request body:4:5: users[0].displayNme: unknown field "displayNme"`},
		{"form data, as curl --data sends", tenants, "application/x-www-form-urlencoded", yamlDoc, 415, "UnsupportedMediaType",
			"The admin API reads JSON (Content-Type: application/json) or YAML (Content-Type: application/yaml), not 'application/x-www-form-urlencoded'."},
		{"plain text", tenants, "text/plain", jsonDoc, 415, "UnsupportedMediaType", "not 'text/plain'"},
		{"not a media type", tenants, "json", jsonDoc, 415, "UnsupportedMediaType", "not 'json'"},
		{"another charset", tenants, "application/json; charset=iso-8859-1", jsonDoc, 415, "UnsupportedMediaType",
			"The admin API reads UTF-8 only, not the charset 'iso-8859-1'."},
		{"the example tenant file, as curl --data-binary sends it", tenants, "application/yaml", fabrikamDoc, 201, "", ""},
		{"a rule in YAML", rulesPath, "application/yaml", yamlRule, 201, "", ""},
		{"a rule as form data", rulesPath, "application/x-www-form-urlencoded", yamlRule, 415, "UnsupportedMediaType", "application/yaml"},
		{"a rule in YAML said to be JSON", rulesPath, "application/json", yamlRule, 400, "BadRequest",
			"The fault rule has 1 error: request body:1:1: not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.post(t, tt.path, tt.contentType, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.400s", status, tt.status, body)
			}
			if tt.code == "" {
				return
			}
			code, message, _ := graphError(t, body)
			if code != tt.code || !strings.Contains(message, tt.message) {
				t.Errorf("error %s: %q, want %s: %q", code, message, tt.code, tt.message)
			}
		})
	}
}
