package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/internal/testdb"
)

// TestServeRefusesOwnAddresses: serve tells the subscriptions its own
// listeners — the Graph one, --metrics-addr and --pprof-addr — and a
// subscription aimed at any of them is refused with a 400.
func TestServeRefusesOwnAddresses(t *testing.T) {
	db := testdb.DSN(t)
	metricsAddr, pprofAddr := freeAddr(t), freeAddr(t)
	base := serveInBackground(t, "--demo", "--profile", "instant", "--db", db,
		"--allow-http-notifications", "--metrics-addr", metricsAddr, "--pprof-addr", pprofAddr)
	token := runToken(t, db, "--tenant", demo.TenantID, "--app", demo.ConsoleApp, "--roles", strings.Join(demo.ConsoleRoles, ","))
	for _, target := range []string{base + "/_teamsops/tenants", "http://" + metricsAddr + "/metrics",
		"http://" + pprofAddr + "/debug/pprof/"} {
		status, _, answer, err := fetch(http.MethodPost, base+"/v1.0/subscriptions", token, map[string]any{
			"changeType": "created,updated", "notificationUrl": target, "resource": "/teamwork/getAllOperations",
			"expirationDateTime": time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339)})
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusBadRequest || !strings.Contains(string(answer), "address of this server") {
			t.Errorf("notificationUrl %s: %d %s", target, status, answer)
		}
	}
}
