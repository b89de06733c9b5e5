package http

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/teamsops/teamsops"
)

func TestDecodeBatch(t *testing.T) {
	get := func(id string, extra string) string {
		return `{"id":"` + id + `","method":"GET","url":"/teams/x/operations"` + extra + `}`
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = get(fmt.Sprint(i), "")
	}
	tests := []struct {
		name, body, mention string // mention "" means the batch is valid
	}{
		{"one", `{"requests":[` + get("1", "") + `]}`, ""},
		{"twenty", `{"requests":[` + strings.Join(many[:20], ",") + `]}`, ""},
		{"SDK nulls", `{"requests":[` + get("1", `,"headers":null,"body":null,"dependsOn":null,"status":null`) + `]}`, ""},
		{"chain", `{"requests":[` + get("1", "") + `,` + get("2", `,"dependsOn":["1"]`) + `,` + get("3", `,"dependsOn":["2","1"]`) + `]}`, ""},
		{"json body", `{"requests":[{"id":"1","method":"post","url":"teams","headers":{"Content-Type":"application/json"},"body":{"a":1}}]}`, ""},
		{"base64 body", `{"requests":[{"id":"1","method":"PUT","url":"/x","headers":{"content-type":"image/png"},"body":"aGVsbG8="}]}`, ""},
		{"versioned url", `{"requests":[{"id":"1","method":"GET","url":"/beta/chats"}]}`, ""},
		{"absolute url", `{"requests":[{"id":"1","method":"GET","url":"https://graph.microsoft.com/v1.0/me/chats"}]}`, ""},

		{"not JSON", `{"requests":`, "Unable to read JSON"},
		{"no requests", `{}`, "at least one"},
		{"empty requests", `{"requests":[]}`, "at least one"},
		{"requests not an array", `{"requests":{}}`, "must be an array"},
		{"other property", `{"requests":[` + get("1", "") + `],"x":1}`, "'x'"},
		{"21 requests", `{"requests":[` + strings.Join(many, ",") + `]}`, "maximum of 20"},
		{"item not an object", `{"requests":[1]}`, "must be an object"},
		{"no id", `{"requests":[{"method":"GET","url":"/x"}]}`, "'id'"},
		{"id not a string", `{"requests":[{"id":1,"method":"GET","url":"/x"}]}`, "'id'"},
		{"duplicate ids", `{"requests":[` + get("a", "") + `,` + get("A", "") + `]}`, "more than one"},
		{"no method", `{"requests":[{"id":"1","url":"/x"}]}`, "method"},
		{"bad method", `{"requests":[{"id":"1","method":"TRACE","url":"/x"}]}`, "method"},
		{"no url", `{"requests":[{"id":"1","method":"GET"}]}`, "'url'"},
		{"url with a fragment", `{"requests":[{"id":"1","method":"GET","url":"/x#y"}]}`, "'url'"},
		{"nested batch", `{"requests":[{"id":"1","method":"POST","url":"/$batch","headers":{"Content-Type":"application/json"},"body":{}}]}`, "nested"},
		{"nested versioned batch", `{"requests":[{"id":"1","method":"POST","url":"v1.0/$BATCH"}]}`, "nested"},
		{"body without Content-Type", `{"requests":[{"id":"1","method":"POST","url":"/x","body":{}}]}`, "Content-Type"},
		{"bad base64", `{"requests":[{"id":"1","method":"POST","url":"/x","headers":{"Content-Type":"text/plain"},"body":"***"}]}`, "base64"},
		{"non-JSON body not a string", `{"requests":[{"id":"1","method":"POST","url":"/x","headers":{"Content-Type":"text/plain"},"body":{}}]}`, "base64"},
		{"header not a string", `{"requests":[` + get("1", `,"headers":{"Accept":1}`) + `]}`, "headers"},
		{"bad header name", `{"requests":[` + get("1", `,"headers":{"A B":"c"}`) + `]}`, "header"},
		{"header with a newline", `{"requests":[` + get("1", `,"headers":{"A":"b\r\nC: d"}`) + `]}`, "header"},
		{"missing dependency", `{"requests":[` + get("1", `,"dependsOn":["2"]`) + `]}`, "not in the batch"},
		{"depends on itself", `{"requests":[` + get("1", `,"dependsOn":["1"]`) + `]}`, "itself"},
		{"cycle", `{"requests":[` + get("1", `,"dependsOn":["2"]`) + `,` + get("2", `,"dependsOn":["1"]`) + `]}`, "cycle"},
		{"unknown property", `{"requests":[` + get("1", `,"priority":1`) + `]}`, "'priority'"},
	}
	for _, tt := range tests {
		reqs, err := decodeBatch([]byte(tt.body))
		switch {
		case tt.mention == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.mention != "" && (teamsops.ErrorCode(err) != teamsops.EINVALID || !strings.Contains(teamsops.ErrorMessage(err), tt.mention)):
			t.Errorf("%s: %v, want a 400 mentioning %q", tt.name, err, tt.mention)
		case tt.mention == "" && len(reqs) == 0:
			t.Errorf("%s: no requests", tt.name)
		}
	}
}

// TestDecodeBatchRequest pins how one request is read: method in upper
// case, version and absolute URLs removed, bodies as bytes.
func TestDecodeBatchRequest(t *testing.T) {
	reqs, err := decodeBatch([]byte(`{"requests":[
		{"id":"1","method":"post","url":"teams?x=1","headers":{"content-type":"application/json"},"body":{"a": [1, 2]}},
		{"id":"2","method":"PUT","url":"https://graph.microsoft.com/beta/me/chats","headers":{"Content-Type":"text/plain"},"body":"aGVsbG8"},
		{"id":"3","method":"GET","url":"/v1.0/chats/19:a@thread.v2/operations?$top=1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ method, version, url, body string }{
		{"POST", "", "/teams?x=1", `{"a": [1, 2]}`},
		{"PUT", "beta", "/me/chats", "hello"},
		{"GET", "v1.0", "/chats/19:a@thread.v2/operations?$top=1", ""},
	}
	for i, w := range want {
		r := reqs[i]
		if r.method != w.method || r.version != w.version || r.url != w.url || string(r.body) != w.body {
			t.Errorf("request %d: %s %s %s %q", i+1, r.method, r.version, r.url, r.body)
		}
	}
	order, _ := batchOrder([]batchRequest{{id: "a", dependsOn: []string{"c"}}, {id: "b"}, {id: "c", dependsOn: []string{"B"}}})
	if fmt.Sprint(order) != "[1 2 0]" {
		t.Errorf("order %v", order)
	}
}

// FuzzDecodeBatch: any batch body decodes or is a 400, never a panic; an
// accepted batch has 1 to 20 requests with unique ids, relative urls and
// an order in which each runs after its dependencies.
func FuzzDecodeBatch(f *testing.F) {
	for _, s := range []string{
		`{"requests":[{"id":"1","method":"GET","url":"/me/chats"}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/a"},{"id":"2","method":"GET","url":"/b","dependsOn":["1"]}]}`,
		`{"requests":[{"id":"1","method":"POST","url":"/teams","headers":{"Content-Type":"application/json"},"body":{"displayName":"x"}}]}`,
		`{"requests":[{"id":"1","method":"PUT","url":"/x","headers":{"Content-Type":"image/png"},"body":"aGk="}]}`,
		`{"requests":[{"id":"1","method":"GET","url":"/$batch"}]}`, `{"requests":null}`, `[]`, `{"requests":[{"id":"1","dependsOn":["1"]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, err := decodeBatch(body)
		if err != nil {
			if teamsops.ErrorCode(err) != teamsops.EINVALID {
				t.Fatalf("%q: %v", body, err)
			}
			return
		}
		if len(reqs) < 1 || len(reqs) > maxBatchRequests {
			t.Fatalf("%d requests accepted", len(reqs))
		}
		order, err := batchOrder(reqs)
		if err != nil || len(order) != len(reqs) {
			t.Fatalf("order %v, %v", order, err)
		}
		ran := map[string]bool{}
		for _, i := range order {
			r := reqs[i]
			if !strings.HasPrefix(r.url, "/") || r.body != nil && r.headers.Get("Content-Type") == "" {
				t.Fatalf("request %+v", r)
			}
			for _, d := range r.dependsOn {
				if !ran[strings.ToLower(d)] {
					t.Fatalf("%q ran before its dependency %q", r.id, d)
				}
			}
			ran[strings.ToLower(r.id)] = true
		}
		if len(ran) != len(reqs) {
			t.Fatalf("ids not unique: %d of %d", len(ran), len(reqs))
		}
		if !json.Valid(body) {
			t.Fatalf("a batch that is not JSON was accepted: %q", body)
		}
	})
}
