package notification_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/notification"
)

// What the guide's receiver refers to.
const clientState = "a secret of yours"

var received = make(chan notification.ChangeNotification, 100)

// docs/notifications.md snippet begin
// receive is a change-notification receiver: http.HandleFunc("/notify", receive).
func receive(w http.ResponseWriter, r *http.Request) {
	if token := r.URL.Query().Get("validationToken"); token != "" {
		w.Header().Set("Content-Type", "text/plain") // the validation handshake
		io.WriteString(w, token)
		return
	}
	var c notification.Collection
	if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted) // answer first: within 3 seconds
	for _, n := range c.Value {
		if n.ClientState != nil && *n.ClientState == clientState {
			received <- n // then, say, GET the operation at n.Resource
		}
	}
}

// docs/notifications.md snippet end

// TestGuideReceiver runs the receiver of docs/notifications.md against
// teamsops, and checks that the guide shows exactly this code.
func TestGuideReceiver(t *testing.T) {
	s := newStack(t, fastRetries)
	srv := httptest.NewServer(http.HandlerFunc(receive))
	defer srv.Close()
	body := map[string]any{"changeType": "created,updated", "notificationUrl": srv.URL + "/notify",
		"resource": "/teams/" + demo.TeamID + "/operations", "expirationDateTime": in(30 * time.Minute),
		"clientState": clientState}
	s.subscribe(s.console(), body)
	s.archiveTeam(true)
	for i := range 3 {
		select {
		case n := <-received:
			if n.ResourceData == nil || n.TenantID != demo.TenantID {
				t.Errorf("notification %d: %+v", i, n)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%d of 3 notifications received", i)
		}
	}

	guide, err := os.ReadFile("../docs/notifications.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("guide_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, snippet, _ := strings.Cut(string(src), "// docs/notifications.md snippet begin\n")
	snippet, _, _ = strings.Cut(snippet, "\n// docs/notifications.md snippet end")
	if !strings.Contains(string(guide), "```go\n"+strings.Trim(snippet, "\n")+"\n```") {
		t.Error("docs/notifications.md's receiver differs from the one in guide_test.go; copy the code between the markers into the guide")
	}
}
