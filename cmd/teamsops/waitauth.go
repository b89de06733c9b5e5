package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/teamsops/teamsops/identity"
)

// graphScope is what a client-credentials request asks for: every
// application permission granted to the app, on Graph.
const graphScope = "https://graph.microsoft.com/.default"

// tokenSource returns a valid access token.
type tokenSource func(ctx context.Context) (string, error)

// credentials chooses where wait's token comes from: --token, the
// client-credentials flow (--client-id, --client-secret), or a token
// minted with the key in --db. root is the server without a version.
func (c *waitConfig) credentials(ctx context.Context, root string) (tokenSource, error) {
	switch {
	case c.token != "":
		return c.source(""), nil
	case c.clientID != "" || c.secret != "":
		if c.clientID == "" || c.secret == "" || c.tenant == "" {
			return nil, errors.New("the client-credentials flow needs --tenant, --client-id and --client-secret")
		}
		tokenURL := c.tokenURL
		if tokenURL == "" {
			tokenURL = tokenEndpoint(root, c.tenant)
		}
		return c.source(tokenURL), nil
	case c.db != "":
		if c.tenant == "" || c.app == "" {
			return nil, errors.New("a token from --db needs --tenant and --app")
		}
		issuer := strings.TrimSuffix(c.publicURL, "/")
		if issuer == "" {
			issuer = root
		}
		// Valid for the whole wait, and a little after.
		tok, err := mintToken(ctx, c.db, issuer, identity.Claims{TenantID: c.tenant, AppID: c.app, Roles: c.roles}, c.timeout+10*time.Minute)
		if err != nil {
			return nil, err
		}
		return func(context.Context) (string, error) { return tok, nil }, nil
	}
	return nil, errors.New("give --token, or --tenant --client-id --client-secret, or --db --tenant --app")
}

// tokenEndpoint is the tenant's token endpoint on the server at root.
func tokenEndpoint(root, tenant string) string {
	return root + "/" + url.PathEscape(tenant) + "/oauth2/v2.0/token"
}

// bearer is a transport that sends a token from source with every
// request; lro sends requests only to the operation's host.
type bearer struct {
	source tokenSource
	next   http.RoundTripper
}

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := b.source(r.Context())
	if err != nil {
		return nil, err
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return b.next.RoundTrip(r)
}

// clientCredentials is the OAuth 2.0 client-credentials flow against a
// Microsoft Entra-style token endpoint (teamsops' own, or
// login.microsoftonline.com), its token kept until a minute before it
// expires.
type clientCredentials struct {
	url, id, secret string

	mu      sync.Mutex
	current string
	expires time.Time
}

func (c *clientCredentials) token(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current != "" && time.Now().Before(c.expires) {
		return c.current, nil
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.id}, "client_secret": {c.secret}, "scope": {graphScope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("token endpoint: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("token endpoint: %w", err)
	}
	defer res.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&body); err != nil || res.StatusCode != http.StatusOK || body.AccessToken == "" {
		return "", fmt.Errorf("token endpoint %s: %d %s: %s", c.url, res.StatusCode, body.Error, body.Description)
	}
	c.current = body.AccessToken
	c.expires = time.Now().Add(time.Duration(body.ExpiresIn)*time.Second - time.Minute)
	return c.current, nil
}
