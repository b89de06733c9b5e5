package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
)

// token prints one access token signed with the server's key, read from
// the same --db as the server, so scripts can call it without the OAuth
// flow.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sqlite:teamsops.db", "database the server uses")
	addr := fs.String("addr", defaultAddr, "address the server listens on (gives the default --public-url)")
	publicURL := fs.String("public-url", "", "the server's --public-url: the token's issuer is built on it (default http://{addr})")
	tenant := fs.String("tenant", "", "tenant id (tid)")
	app := fs.String("app", "", "client id of the calling app (appid)")
	user := fs.String("user", "", "object id of the signed-in user (oid): makes a delegated token")
	var roles, scopes listFlag
	fs.Var(&roles, "roles", "application permissions, comma-separated (application token)")
	fs.Var(&scopes, "scopes", "delegated permissions, comma-separated (delegated token)")
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the token")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tenant == "" {
		return errors.New("--tenant is required")
	}
	if *user == "" && *app == "" {
		return errors.New("give --app CLIENT_ID --roles A,B (application token) or --user OBJECT_ID --scopes A,B (delegated token)")
	}
	if *user == "" && len(scopes) > 0 {
		return errors.New("--scopes makes a delegated token: give --user too")
	}
	if *user != "" && len(roles) > 0 {
		return errors.New("--roles are for application tokens: drop --user, or use --scopes")
	}
	if *app == "" {
		// A delegated token always names the client it was issued to;
		// without --app it is Graph Explorer's, a public client.
		*app = identity.GraphExplorerClientID
	}
	base := strings.TrimSuffix(*publicURL, "/")
	if base == "" {
		base = "http://" + *addr
	}
	b, err := server.OpenBackend(ctx, *db, 2)
	if err != nil {
		return err
	}
	defer b.Store.Close()
	iss, err := identity.NewIssuer(ctx, b.Store, base)
	if err != nil {
		return err
	}
	raw, err := iss.Issue(identity.Claims{TenantID: *tenant, UserID: *user, AppID: *app, Scopes: scopes, Roles: roles}, *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, raw)
	return err
}
