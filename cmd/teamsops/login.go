package main

import (
	"context"
	"flag"
)

// clientLogin is how listen and wait get an access token: --token as
// given, or the client-credentials flow of --tenant, --client-id and
// --client-secret.
type clientLogin struct {
	token, tenant, clientID, secret string
}

// register adds the login's flags to fs; tenantUse says what else
// --tenant is for.
func (l *clientLogin) register(fs *flag.FlagSet, tenantUse string) {
	fs.StringVar(&l.token, "token", "", "access token to send, instead of --client-id")
	fs.StringVar(&l.tenant, "tenant", "", "tenant id, for --client-id"+tenantUse)
	fs.StringVar(&l.clientID, "client-id", "", "client id of an app: get a token with the client-credentials flow")
	fs.StringVar(&l.secret, "client-secret", "", "the app's secret (better: TEAMSOPS_CLIENT_SECRET)")
}

// source returns --token or, without it, the client-credentials flow
// against tokenURL.
func (l *clientLogin) source(tokenURL string) tokenSource {
	if l.token != "" {
		tok := l.token
		return func(context.Context) (string, error) { return tok, nil }
	}
	cc := &clientCredentials{url: tokenURL, id: l.clientID, secret: l.secret}
	return cc.token
}
