package teamsopstest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/teamsopstest"
)

// A test starts a server with the demo tenant and reads the founding
// spec's operation with a token of the demo's "ops console" app.
func Example() {
	t := newExampleT() // in a test, its *testing.T
	defer t.done()

	srv := teamsopstest.NewServer(t)
	req, _ := http.NewRequest("GET", srv.URL+"/beta/chats/"+demo.ChatID+"/operations/"+demo.ChatOperation, nil)
	req.Header.Set("Authorization", "Bearer "+srv.AppToken(demo.ConsoleApp))
	res, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	var op struct{ OperationType, Status string }
	json.NewDecoder(res.Body).Decode(&op)
	fmt.Println(res.StatusCode, op.OperationType, op.Status)
	// Output: 200 createChat succeeded
}

// A test starts a server with a tenant of its own, from a tenant file,
// and signs in as one of its apps with the OAuth 2.0 client credentials
// flow, exactly as against Microsoft Entra.
func Example_tenantFile() {
	t := newExampleT()
	defer t.done()

	srv := teamsopstest.NewServer(t, teamsopstest.WithTenantFile("../examples/tenant.yaml"))
	res, err := srv.Client().PostForm(srv.URL+"/"+srv.TenantID+"/oauth2/v2.0/token", url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"3c9e2b7a-5d1f-4a8e-b6c4-2e0d9f7a1b3c"}, // "fabrikam sync"
		"client_secret": {"sync-secret-1"},
		"scope":         {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	fmt.Println(srv.TenantID, res.StatusCode)
	// Output: 6f0c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f 200
}

// A delegated token acts for a user, who must be a member of what it
// reads: Megan is not in the demo chat.
func ExampleServer_UserToken() {
	t := newExampleT()
	defer t.done()

	srv := teamsopstest.NewServer(t)
	for _, user := range []string{demo.UserAdele, demo.UserMegan} {
		req, _ := http.NewRequest("GET", srv.URL+"/v1.0/chats/"+demo.ChatID, nil)
		req.Header.Set("Authorization", "Bearer "+srv.UserToken(user, "Chat.Read"))
		res, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode)
	}
	// Output:
	// 200
	// 403
}

// exampleT stands in for the *testing.T a test passes to NewServer, so
// that the examples run: it runs cleanups when done, and panics on Fatalf.
type exampleT struct{ cleanups []func() }

func newExampleT() *exampleT { return &exampleT{} }

func (t *exampleT) Helper()                           {}
func (t *exampleT) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
