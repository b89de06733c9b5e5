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

// What the README's receiver refers to.
const clientState = "a secret of yours"

var received = make(chan notification.ChangeNotification, 100)

// README snippet begin
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

// README snippet end

// TestREADMEReceiver runs the README's receiver against teamsops, and
// checks that the README shows exactly this code.
func TestREADMEReceiver(t *testing.T) {
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

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, snippet, _ := strings.Cut(string(src), "// README snippet begin\n")
	snippet, _, _ = strings.Cut(snippet, "\n// README snippet end")
	_, section, found := strings.Cut(string(readme), "\n## Change notifications for operations\n")
	if !found {
		t.Fatal(`README.md lacks the section "Change notifications for operations"`)
	}
	if !strings.Contains(section, "```go\n"+strings.Trim(snippet, "\n")+"\n```") {
		t.Error("README's receiver differs from the one in readme_test.go; copy the code between the markers into the README")
	}
}
