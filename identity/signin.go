package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/teamsops/teamsops"
)

// Entra's smart lockout defaults ("Protect user accounts from attacks with
// Microsoft Entra smart lockout"): ten failed sign-ins lock the account
// for a minute, and the lockout grows with each repetition.
const (
	lockoutThreshold = 10
	lockoutDuration  = time.Minute
)

// lockoutData counts a user's failed passwords since the last success.
type lockoutData struct {
	Failures    int   `json:"failures"`
	LockedUntil int64 `json:"lockedUntil"` // Unix seconds
	Lockouts    int   `json:"lockouts"`
}

// SignIn checks a user's name and password in tenant t, as Entra does
// for the password grant and its sign-in page, and returns the user.
// Errors are Entra's: an unknown user (AADSTS50034), a locked account
// (AADSTS50053), a disabled one (AADSTS50057), a wrong password
// (AADSTS50126; also for a user who has none).
func (e *endpoints) signIn(ctx context.Context, t *teamsops.Tenant, username, password string) (*teamsops.User, *oauthError) {
	u, oerr := e.directoryUser(ctx, t, username)
	if oerr != nil {
		return nil, oerr
	}
	now := e.iss.Now()
	var lock lockoutData
	g, err := e.dir.SignInGrant(ctx, t.ID, teamsops.GrantLockout, u.ID)
	if err == nil {
		json.Unmarshal(g.Data, &lock)
	} else if teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return nil, serverError(err)
	}
	if now.Unix() < lock.LockedUntil {
		return nil, badRequest("invalid_grant", 50053, "Your account is locked because you've tried to sign in too many times with an incorrect user ID or password.")
	}
	if u.AccountDisabled {
		return nil, badRequest("invalid_grant", 50057, "The user account is disabled.")
	}
	ok, oerr := e.checkHashes(ctx, []string{u.PasswordHash}, password, false, clientAddress(ctx))
	if oerr != nil {
		return nil, oerr
	}
	if !ok {
		lock.Failures++
		if lock.Failures >= lockoutThreshold {
			lock.Lockouts++
			lock.Failures = 0
			lock.LockedUntil = now.Add(time.Duration(lock.Lockouts) * lockoutDuration).Unix()
		}
		data, _ := json.Marshal(lock)
		err := e.dir.PutSignInGrant(ctx, &teamsops.SignInGrant{TenantID: t.ID, Kind: teamsops.GrantLockout, Key: u.ID,
			Data: data, ExpiresAt: now.Add(24 * time.Hour)})
		if err != nil {
			return nil, serverError(err)
		}
		return nil, badRequest("invalid_grant", 50126, "Error validating credentials due to invalid username or password.")
	}
	if g != nil {
		if err := e.dir.DeleteSignInGrant(ctx, t.ID, teamsops.GrantLockout, u.ID); err != nil {
			return nil, serverError(err)
		}
	}
	return u, nil
}

// directoryUser reads a user of the tenant by id or user principal name;
// one it lacks is Entra's AADSTS50034.
func (e *endpoints) directoryUser(ctx context.Context, t *teamsops.Tenant, user string) (*teamsops.User, *oauthError) {
	u, err := e.dir.User(ctx, t.ID, user)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return nil, badRequest("invalid_grant", 50034, fmt.Sprintf("The user account {EUII Hidden} does not exist in the %s directory. To sign into this application, the account must be added to the directory.", t.ID))
	} else if err != nil {
		return nil, serverError(err)
	}
	return u, nil
}

// currentUser checks that the user a code, refresh token or assertion
// names may still sign in: the user exists, is enabled, and, for a
// refresh token, has not changed password since (stamp, when not empty).
func (e *endpoints) currentUser(ctx context.Context, t *teamsops.Tenant, userID, stamp string) (*teamsops.User, *oauthError) {
	u, oerr := e.directoryUser(ctx, t, userID)
	if oerr != nil {
		return nil, oerr
	}
	if u.AccountDisabled {
		return nil, badRequest("invalid_grant", 50057, "The user account is disabled.")
	}
	if stamp != "" && stamp != passwordStamp(u) {
		return nil, badRequest("invalid_grant", 50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.")
	}
	return u, nil
}
