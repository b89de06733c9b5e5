package dashboard_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/engine"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/internal/testdb"
)

// teamsopsServer is a whole teamsops with the demo tenant, on a loopback
// listener and a new database of the back end under test.
type teamsopsServer struct {
	URL string
	srv *server.Server
}

func startServer(t *testing.T, profile, adminToken string) *teamsopsServer {
	t.Helper()
	p, err := engine.ProfileByName(profile)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	s := &teamsopsServer{URL: "http://" + hs.Listener.Addr().String()}
	s.srv, err = server.Open(t.Context(), server.Config{DB: testdb.DSN(t), PublicURL: s.URL, Profile: p, Demo: true,
		AdminToken: adminToken, Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = s.srv.Handler
	hs.Start()
	if err := s.srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.srv.Drain()
		hs.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.srv.Stop(ctx)
		s.srv.Close()
	})
	return s
}

// start sends a request that starts an operation as the demo's ops
// console, and returns the operation's id.
func (s *teamsopsServer) start(t *testing.T, path, body, fault string) string {
	t.Helper()
	token, err := s.srv.Issuer.Issue(identity.Claims{TenantID: demo.TenantID, AppID: demo.ConsoleApp, Roles: demo.ConsoleRoles}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if fault != "" {
		req.Header.Set("X-Teamsops-Fault", fault)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	_, id, ok := strings.Cut(loc, "/operations('")
	if res.StatusCode != http.StatusAccepted || !ok {
		t.Fatalf("POST %s: %d, Location %q", path, res.StatusCode, loc)
	}
	return strings.TrimSuffix(id, "')")
}

// archive and newTeam start the demo's team actions.
func (s *teamsopsServer) archive(t *testing.T, fault string) string {
	return s.start(t, "/v1.0/teams/"+demo.TeamID+"/archive", "", fault)
}

func (s *teamsopsServer) newTeam(t *testing.T, name, fault string) string {
	body := `{"template@odata.bind": "https://graph.microsoft.com/v1.0/teamsTemplates('standard')", "displayName": "` + name + `",
		"members": [{"@odata.type": "#microsoft.graph.aadUserConversationMember", "roles": ["owner"],
		"user@odata.bind": "https://graph.microsoft.com/v1.0/users('` + demo.UserAdele + `')"}]}`
	return s.start(t, "/v1.0/teams", body, fault)
}

// key is the id of an operation's row in the table.
func key(id string) string {
	return "op-" + base64.RawURLEncoding.EncodeToString([]byte(demo.TenantID+"\x00"+id))
}
