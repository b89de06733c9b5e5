package conformance

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"

	"github.com/teamsops/teamsops/demo"
	"github.com/teamsops/teamsops/teamsopstest"
)

// The sign-in tenant (testdata/signin.yaml).
const (
	signinTenant = "5c1e9a7b-3d5f-4e2a-9b8c-1d3f5a7c9e0b"
	anaID        = "6a2c4e8f-0b1d-4f3a-8c5e-7a9b1d3f5c7e"
	anaUPN       = "ana@signin.example.com"
	anaPassword  = "ana-password-1"
	cliApp       = "2b4d6f8a-1c3e-4a5b-9d7f-0e2a4c6e8a1b"
	webApp       = "3c5e7a9b-2d4f-4b6c-8e0a-1f3b5d7f9b2c"
	webRedirect  = "https://web.signin.example.com/callback"
	daemonApp    = "4d6f8b0c-3e5a-4c7d-9f1b-2a4c6e8a0c3d"
	apiApp       = "5e7a9c1d-4f6b-4d8e-8a2c-3b5d7f9b1d4e"
	signinTeam   = "7f9b1d3e-5a7c-4e9f-8b3d-4c6e8a0c2e5f"
	signinTeamOp = "8a0c2e4f-6b8d-4f0a-9c4e-5d7f9b1d3f6a"
)

// startSignIn starts teamsops over https with the sign-in tenant:
// azidentity, like MSAL, accepts only an https authority.
func startSignIn(t *testing.T) *teamsopstest.Server {
	t.Helper()
	s := startServer(t, teamsopstest.WithTLS(), teamsopstest.WithTenantFile("testdata/signin.yaml"))
	trustServer(s)
	return s
}

var trustOnce sync.Once

// trustServer makes the Graph SDK's default HTTP client trust the test
// server's certificate: the SDK's client sends through
// http.DefaultTransport. httptest's certificate is the same for every
// server of the process.
func trustServer(s *teamsopstest.Server) {
	trustOnce.Do(func() {
		cfg := s.Client().Transport.(*http.Transport).TLSClientConfig
		http.DefaultTransport.(*http.Transport).TLSClientConfig = &tls.Config{RootCAs: cfg.RootCAs}
	})
}

// clientOptions is authority's options with the test server's TLS trust.
func clientOptions(s *teamsopstest.Server) azcore.ClientOptions {
	opts := authority(s.URL)
	opts.Transport = s.Client()
	return opts
}

// graphClient is graphFor's client, failing the test on an error.
func graphClient(t *testing.T, s *teamsopstest.Server, cred azcore.TokenCredential, scopes ...string) *msgraphsdk.GraphServiceClient {
	t.Helper()
	client, err := graphFor(s.URL, cred, scopes...)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// docs/sign-in.md snippet begin: setup

// authority points an azidentity credential at teamsops, as one points it
// at a national cloud: by its authority host. Set DisableInstanceDiscovery
// too, or the credential asks Entra whether the host is an authority.
func authority(baseURL string) azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: baseURL + "/"}}
}

// graphFor is msgraph-sdk-go signed in with cred, as Microsoft's docs
// teach, on teamsops: the SDK sends tokens only to hosts it is told of.
func graphFor(baseURL string, cred azcore.TokenCredential, scopes ...string) (*msgraphsdk.GraphServiceClient, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	client, err := msgraphsdk.NewGraphServiceClientWithCredentialsAndHosts(cred, scopes, []string{u.Hostname()})
	if err != nil {
		return nil, err
	}
	client.GetAdapter().SetBaseUrl(baseURL + "/v1.0")
	return client, nil
}

// docs/sign-in.md snippet end

// getTeamOperation reads the sign-in team's operation with client.
func getTeamOperation(t *testing.T, client *msgraphsdk.GraphServiceClient) {
	t.Helper()
	op, err := client.Teams().ByTeamId(signinTeam).Operations().ByTeamsAsyncOperationId(signinTeamOp).Get(context.Background(), nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkString(t, "id", op.GetId(), signinTeamOp)
}

// getMe reads the signed-in user with client and checks it is Ana.
func getMe(t *testing.T, client *msgraphsdk.GraphServiceClient) {
	t.Helper()
	me, err := client.Me().Get(context.Background(), nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkString(t, "id", me.GetId(), anaID)
	checkString(t, "userPrincipalName", me.GetUserPrincipalName(), anaUPN)
}

func TestClientSecretCredential(t *testing.T) {
	s := startServer(t, teamsopstest.WithTLS())
	trustServer(s)
	tenantID, clientID, secret, options := s.TenantID, demo.ConsoleApp, demo.ConsoleSecret, clientOptions(s)
	// docs/sign-in.md snippet begin: client secret
	cred, err := azidentity.NewClientSecretCredential(tenantID, clientID, secret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: options, DisableInstanceDiscovery: true})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	client := graphClient(t, s, cred, "https://graph.microsoft.com/.default")
	op, err := client.Teams().ByTeamId("d5a1c2f0-7c1e-4a8e-9b43-5f2a6c9e1b77").Operations().
		ByTeamsAsyncOperationId("6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b").Get(context.Background(), nil)
	if err != nil {
		t.Fatal(describe(err))
	}
	checkString(t, "id", op.GetId(), "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b")

	// A wrong secret is Entra's invalid_client, which azidentity reports
	// as an AuthenticationFailedError.
	bad, _ := azidentity.NewClientSecretCredential(s.TenantID, "7d3c9b1e-5a2f-4e8d-9c6b-1a2b3c4d5e6f", "wrong",
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	_, err = bad.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	var failed *azidentity.AuthenticationFailedError
	if !errors.As(err, &failed) || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestClientCertificateCredential(t *testing.T) {
	s := startSignIn(t)
	data, err := os.ReadFile("testdata/signin-daemon.pem")
	if err != nil {
		t.Fatal(err)
	}
	certs, key, err := azidentity.ParseCertificates(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	tenantID, clientID, options := signinTenant, daemonApp, clientOptions(s)
	// docs/sign-in.md snippet begin: certificate
	cred, err := azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: options, DisableInstanceDiscovery: true})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	getTeamOperation(t, graphClient(t, s, cred, "https://graph.microsoft.com/.default"))
	// With the certificate's chain in x5c, as for subject name and issuer
	// authentication: teamsops finds the certificate by thumbprint alone.
	chained, err := azidentity.NewClientCertificateCredential(tenantID, clientID, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: options, DisableInstanceDiscovery: true, SendCertificateChain: true})
	if err != nil {
		t.Fatal(err)
	}
	getTeamOperation(t, graphClient(t, s, chained, "https://graph.microsoft.com/.default"))
}

func TestUsernamePasswordCredential(t *testing.T) {
	s := startSignIn(t)
	tenantID, clientID, username, password, options := signinTenant, cliApp, anaUPN, anaPassword, clientOptions(s)
	// docs/sign-in.md snippet begin: password
	cred, err := azidentity.NewUsernamePasswordCredential(tenantID, clientID, username, password,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: options, DisableInstanceDiscovery: true})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	client := graphClient(t, s, cred, "https://graph.microsoft.com/User.Read", "https://graph.microsoft.com/Team.ReadBasic.All")
	getMe(t, client)
	getTeamOperation(t, client)

	//lint:ignore SA1019 as above
	wrong, _ := azidentity.NewUsernamePasswordCredential(signinTenant, cliApp, anaUPN, "wrong",
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	_, err = wrong.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/User.Read"}})
	if err == nil || !strings.Contains(err.Error(), "AADSTS50126") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestOnBehalfOfCredential(t *testing.T) {
	s := startSignIn(t)
	// The user signs in to the API's client (here the CLI) and calls the
	// API with a token for it...
	//lint:ignore SA1019 the password grant stands in for any user sign-in
	user, err := azidentity.NewUsernamePasswordCredential(signinTenant, cliApp, anaUPN, anaPassword,
		&azidentity.UsernamePasswordCredentialOptions{ClientOptions: clientOptions(s), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := user.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"api://" + apiApp + "/access_as_user"}})
	if err != nil {
		t.Fatal(err)
	}
	// ...and the API exchanges it for a Graph token of the same user.
	userToken, tenantID, apiID, apiSecret, options := tok.Token, signinTenant, apiApp, "api-secret", clientOptions(s)
	// docs/sign-in.md snippet begin: on behalf of
	obo, err := azidentity.NewOnBehalfOfCredentialWithSecret(tenantID, apiID, userToken, apiSecret,
		&azidentity.OnBehalfOfCredentialOptions{ClientOptions: options, DisableInstanceDiscovery: true})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	client := graphClient(t, s, obo, "https://graph.microsoft.com/.default")
	getMe(t, client)
	getTeamOperation(t, client)
}
