package conformance

// This file is the Go snippet of docs/sdks.md, verbatim between the
// markers; TestDocSnippets keeps the two identical, and every test builds
// its client with newGraphClient.

// docs/sdks.md snippet begin: msgraph-sdk-go client
import (
	"context"
	"net/url"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// newGraphClient returns a Graph SDK client for teamsops at baseURL
// (e.g. http://127.0.0.1:8080), signed in as an app of tenantID.
func newGraphClient(baseURL, tenantID, clientID, secret string) (*msgraphsdk.GraphServiceClient, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	// Kiota sends the token only to allowed hosts: allow teamsops' host.
	hosts, err := authentication.NewAllowedHostsValidatorErrorCheck([]string{u.Hostname()})
	if err != nil {
		return nil, err
	}
	// The client credentials flow, against teamsops' token endpoint.
	creds := clientcredentials.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURL:     baseURL + "/" + tenantID + "/oauth2/v2.0/token",
		Scopes:       []string{"https://graph.microsoft.com/.default"},
	}
	tokens := &tokenProvider{creds.TokenSource(context.Background()), hosts}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(authentication.NewBaseBearerTokenAuthenticationProvider(tokens))
	if err != nil {
		return nil, err
	}
	adapter.SetBaseUrl(baseURL + "/v1.0") // or baseURL + "/beta"
	return msgraphsdk.NewGraphServiceClient(adapter), nil
}

// tokenProvider is a Kiota AccessTokenProvider backed by an OAuth 2.0
// token source, which caches the token until it expires.
type tokenProvider struct {
	source oauth2.TokenSource
	hosts  *authentication.AllowedHostsValidator
}

func (p *tokenProvider) GetAuthorizationToken(ctx context.Context, u *url.URL, _ map[string]any) (string, error) {
	if !p.hosts.IsUrlHostValid(u) {
		return "", nil // another host: send no token
	}
	tok, err := p.source.Token()
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

func (p *tokenProvider) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	return p.hosts
}

// docs/sdks.md snippet end
