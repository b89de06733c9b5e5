package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/tenantfile"
)

const tokenUsage = `usage: teamsops token --tenant ID --app APP [--roles A,B]      (application token)
       teamsops token --tenant ID --user USER --scopes A,B [--app APP]  (delegated token)

Prints one access token on stdout, signed with the key in the database a
server uses (--db), for the issuer that server recorded there when it
started, so that scripts can call the server without an OAuth flow.

Names are those tenant files take: --app is a client id or display name,
--user an object id, user principal name or its alias before @; --roles and
--scopes are permission names. One that names nothing is an error with the
closest name ("did you mean"); --force mints the token anyway.

token never creates a database: a SQLite file that does not exist is an
error naming the path (give --db the database "teamsops serve" uses).

Lifetime: iat and nbf are now, exp is now + --ttl, in whole seconds.
teamsops validates exp and nbf as Entra's token libraries do, with a clock
skew allowance of 5 minutes: a token is accepted until 5 minutes after its
exp, and from 5 minutes before its nbf. So "--ttl 1m" is refused as expired
only 6 minutes after it was minted; a test of expiry waits ttl + 5m.

Exit status: 0 the token was printed, 2 any error.

flags:
`

// tokenRequest is what the token command's flags ask for.
type tokenRequest struct {
	tenant, app, user string
	roles, scopes     listFlag
	force             bool
}

// token prints one access token signed with the server's key, read from
// the same --db as the server, with the issuer the server recorded there
// when it started, so scripts can call it without the OAuth flow.
func token(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var req tokenRequest
	fs := newFlagSet("token", tokenUsage, stderr)
	db := fs.String("db", "sqlite:teamsops.db", "database the server uses")
	publicURL := fs.String("public-url", "", "the issuer's base URL (default: the one the last server started on --db recorded)")
	fs.StringVar(&req.tenant, "tenant", "", "tenant id (tid)")
	fs.StringVar(&req.app, "app", "", "client id or display name of the calling app (appid)")
	fs.StringVar(&req.user, "user", "", "object id, user principal name, or its alias before @, of the signed-in user: makes a delegated token")
	fs.Var(&req.roles, "roles", "application permissions, comma-separated (default: all the app was granted)")
	fs.Var(&req.scopes, "scopes", "delegated permissions, comma-separated (delegated token)")
	fs.BoolVar(&req.force, "force", false, "mint the token even if the tenant, app or user does not exist or lacks a permission")
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the token, exp - nbf; teamsops accepts it until 5 minutes after exp (Entra's clock skew allowance: see above)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ttl < time.Second {
		return fmt.Errorf("--ttl %v: a token lives at least 1s (exp is in whole seconds)", *ttl)
	}
	if err := req.checkFlags(); err != nil {
		return err
	}
	b, err := server.OpenExistingBackend(ctx, *db, 2)
	if err != nil {
		return err
	}
	defer b.Store.Close()
	base := strings.TrimSuffix(*publicURL, "/")
	if base == "" {
		if base, err = b.Store.PublicURL(ctx); err != nil {
			return err
		} else if base == "" {
			return fmt.Errorf("no server has started on %s yet, so its public URL is not known: give --public-url", server.Redact(*db))
		}
	}
	claims, err := req.claims(ctx, b.Store, stderr)
	if err != nil {
		return err
	}
	iss, err := identity.NewIssuer(ctx, b.Store, base)
	if err != nil {
		return err
	}
	raw, err := iss.Issue(claims, *ttl)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, raw)
	return err
}

// checkFlags checks what can be checked without the database.
func (r *tokenRequest) checkFlags() error {
	switch {
	case r.tenant == "":
		return errors.New("--tenant is required")
	case r.user == "" && r.app == "":
		return errors.New("give --app CLIENT_ID --roles A,B (application token) or --user OBJECT_ID --scopes A,B (delegated token)")
	case r.user == "" && len(r.scopes) > 0:
		return errors.New("--scopes makes a delegated token: give --user too")
	case r.user != "" && len(r.roles) > 0:
		return errors.New("--roles are for application tokens: drop --user, or use --scopes")
	}
	return nil
}

// claims checks the request against the directory and returns the
// token's claims. Users and apps may be named as tenant files name them;
// with --force, what the directory does not hold is taken as given, and
// a permission name no tenant file could grant only draws a warning.
func (r *tokenRequest) claims(ctx context.Context, s teamsops.Store, stderr io.Writer) (identity.Claims, error) {
	c := identity.Claims{TenantID: r.tenant, UserID: r.user, AppID: r.app, Scopes: r.scopes, Roles: r.roles}
	if c.AppID == "" {
		// A delegated token always names the client it was issued to;
		// without --app it is Graph Explorer's, a public client.
		c.AppID = identity.GraphExplorerClientID
	}
	if err := r.checkNames(stderr); err != nil {
		return c, err
	}
	if _, err := s.Tenant(ctx, r.tenant); err != nil {
		if r.force {
			return c, nil
		}
		return c, refuse(err, "tenant %s", r.tenant)
	}
	var app *teamsops.AppRegistration
	if r.app != "" {
		a, err := lookup(ctx, s, r.tenant, teamsops.DeclaredAppRegistration, r.app,
			func(id string) (*teamsops.AppRegistration, error) { return s.AppRegistration(ctx, r.tenant, id) },
			tenantfile.AppNames)
		switch {
		case err == nil:
			app, c.AppID = a, a.ClientID
		case !r.force:
			return c, refuse(err, "app %s in tenant %s", r.app, r.tenant)
		}
	}
	var u *teamsops.User
	if r.user != "" {
		var err error
		u, err = lookup(ctx, s, r.tenant, teamsops.DeclaredUser, r.user,
			func(id string) (*teamsops.User, error) { return s.User(ctx, r.tenant, id) },
			tenantfile.UserNames)
		switch {
		case err == nil:
			c.UserID = u.ID
		case !r.force:
			return c, refuse(err, "user %s in tenant %s", r.user, r.tenant)
		}
	}
	if r.force {
		return c, nil
	}
	if r.user == "" {
		if len(c.Roles) == 0 {
			c.Roles = app.Roles // all it was granted, as the token endpoint gives
		}
		return c, notGranted("application permission", c.Roles, app.Roles, app.ClientID)
	}
	if u.AccountDisabled {
		return c, fmt.Errorf("the account of user %s is disabled: it cannot sign in (--force mints the token anyway)", r.user)
	}
	if app == nil {
		return c, nil // Graph Explorer is consented for everything
	}
	return c, notGranted("delegated permission", c.Scopes, app.DelegatedScopes, app.ClientID)
}

// checkNames checks the permission names against those tenant files may
// grant: an unknown one is refused, with the closest known name, or with
// --force only warned about.
func (r *tokenRequest) checkNames(stderr io.Writer) error {
	var problems []string
	for _, p := range r.roles {
		if msg := tenantfile.PermissionProblem(p, "application"); msg != "" {
			problems = append(problems, msg)
		}
	}
	for _, p := range r.scopes {
		if msg := tenantfile.PermissionProblem(p, "delegated"); msg != "" {
			problems = append(problems, msg)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	if r.force {
		for _, msg := range problems {
			fmt.Fprintf(stderr, "teamsops token: warning: %s (minted anyway: --force)\n", msg)
		}
		return nil
	}
	return fmt.Errorf("%s (--force mints the token anyway)", strings.Join(problems, "; "))
}

// lookup reads what ref names: first as an id (or, for a user, a user
// principal name), then by the names the tenant's file gave its entities
// of kind. An unknown name is an error of code ENOTFOUND that lists the
// closest name.
func lookup[T any](ctx context.Context, s teamsops.Store, tenant string, kind teamsops.DeclaredKind, ref string,
	read func(id string) (T, error), names func([]T) *tenantfile.Names) (T, error) {
	v, err := read(ref)
	if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return v, err
	}
	declared, derr := s.Declared(ctx, tenant)
	if derr != nil {
		return v, err
	}
	var known []T
	for _, d := range declared {
		if d.Kind != kind {
			continue
		}
		if e, rerr := read(d.ID); rerr == nil {
			known = append(known, e)
		}
	}
	id, nerr := names(known).Resolve(ref)
	if nerr != nil {
		return v, &notFound{tenant, nerr}
	}
	return read(id)
}

// notFound is a name that names nothing in tenant, with the reason.
type notFound struct {
	tenant string
	err    error
}

func (e *notFound) Error() string { return e.err.Error() }

// refuse explains a failed read of what the token names.
func refuse(err error, format string, args ...any) error {
	what := fmt.Sprintf(format, args...)
	var nf *notFound
	if errors.As(err, &nf) {
		return fmt.Errorf("tenant %s: %v (--force mints the token anyway)", nf.tenant, nf.err)
	}
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return fmt.Errorf("there is no %s (--force mints the token anyway)", what)
	}
	return fmt.Errorf("read %s: %w", what, err)
}

// notGranted names the permissions of asked that granted lacks.
func notGranted(kind string, asked, granted []string, app string) error {
	var missing []string
	for _, p := range asked {
		if !slices.Contains(granted, p) {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	has := strings.Join(granted, ", ")
	if has == "" {
		has = "none"
	}
	return fmt.Errorf("app %s was not granted the %s %s (it has: %s); --force mints the token anyway",
		app, kind, strings.Join(missing, ", "), has)
}

// mintToken signs a token with the issuer key kept in the database dsn,
// for the issuer a server with the public URL base has.
func mintToken(ctx context.Context, dsn, base string, claims identity.Claims, ttl time.Duration) (string, error) {
	b, err := server.OpenExistingBackend(ctx, dsn, 2)
	if err != nil {
		return "", err
	}
	defer b.Store.Close()
	iss, err := identity.NewIssuer(ctx, b.Store, base)
	if err != nil {
		return "", err
	}
	return iss.Issue(claims, ttl)
}
