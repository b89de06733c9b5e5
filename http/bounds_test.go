package http_test

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// TestDeepBodies: a JSON body nesting 100,000 levels (200 KB; within the
// 1 MiB and 4 MiB body limits) is a 400 on every endpoint that reads
// JSON, answered quickly and with bounded memory: encoding/json validates
// a body in one pass, refusing more than 10,000 levels, before it
// decodes anything.
func TestDeepBodies(t *testing.T) {
	e := newEnv(t)
	token := e.consoleToken()
	const n = 100_000
	deep := strings.Repeat("[", n) + strings.Repeat("]", n)
	for _, tc := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1.0/chats", `{"chatType": "group", "members": ` + deep + `}`},
		{http.MethodPost, "/v1.0/teams", `{"displayName": "x", "members": ` + deep + `}`},
		{http.MethodPost, "/v1.0/subscriptions", `{"changeType": "created", "resource": ` + deep + `}`},
		{http.MethodPost, "/v1.0/$batch", `{"requests": ` + deep + `}`},
		{http.MethodPost, "/v1.0/$batch", `{"requests": [{"id": "1", "method": "POST", "url": "/chats", "body": ` + deep + `}]}`},
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		res := e.doBody(tc.method, tc.path, token, []byte(tc.body), "Content-Type", "application/json")
		runtime.ReadMemStats(&after)
		if res.status != http.StatusBadRequest || res.errorCode(t) != "BadRequest" {
			t.Errorf("%s %s %.60s: status %d: %.300s", tc.method, tc.path, tc.body, res.status, res.body)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 50<<20 {
			t.Errorf("%s %s %.60s: allocated %d MB, want less than 50", tc.method, tc.path, tc.body, alloc>>20)
		}
	}
}
