package identity

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/teamsops/teamsops"
)

// A browser's sign-in session: the users signed in with it, for single
// sign-on and the account picker. The cookie holds a random secret that
// names the session's tenant (newSecretGrant); the store keeps the session
// as a grant under the secret's hash. It lasts a day, or 90 days once the
// user chose to stay signed in, which also makes the cookie outlive the
// browser ("Configure the 'Stay signed in?' prompt for Microsoft Entra
// accounts").
const (
	sessionCookie        = "teamsops_session"
	sessionTTL           = 24 * time.Hour
	persistentSessionTTL = 90 * 24 * time.Hour
	maxSessionAccounts   = 8
)

// sessionData is what a session grant keeps.
type sessionData struct {
	Accounts   []sessionAccount `json:"accounts"` // the latest sign-in first
	Persistent bool             `json:"persistent,omitempty"`
}

// sessionAccount is a user signed in with the session, and when.
type sessionAccount struct {
	TenantID string `json:"tenantId"`
	UserID   string `json:"userId"`
	AuthTime int64  `json:"authTime"` // Unix seconds
}

// browserSession is the session of a request's cookie; a zero one when
// the browser has none.
type browserSession struct {
	secret   string // the cookie's value; "" until the first sign-in
	tenantID string // where the grant is kept
	data     sessionData
	expires  time.Time
}

// signedInUser is an account of the session whose user may still sign in.
type signedInUser struct {
	acct sessionAccount
	user *teamsops.User
}

// session reads the browser's session; an expired or unknown one reads
// as none.
func (pg *page) session() (*browserSession, *oauthError) {
	c, err := pg.r.Cookie(sessionCookie)
	if err != nil {
		return &browserSession{}, nil
	}
	tid := secretTenant(c.Value)
	if tid == "" {
		return &browserSession{}, nil
	}
	g, err := pg.e.dir.SignInGrant(pg.r.Context(), tid, teamsops.GrantSession, secretKey(c.Value))
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return &browserSession{}, nil
	} else if err != nil {
		return nil, serverError(err)
	}
	s := &browserSession{secret: c.Value, tenantID: tid, expires: g.ExpiresAt}
	if pg.now().After(g.ExpiresAt) || json.Unmarshal(g.Data, &s.data) != nil {
		return &browserSession{}, nil
	}
	return s, nil
}

// users returns the session's accounts of tenant tenantID (of every tenant
// when it is ""), leaving out users deleted or disabled since.
func (pg *page) users(s *browserSession, tenantID string) ([]signedInUser, *oauthError) {
	var out []signedInUser
	for _, a := range s.data.Accounts {
		if tenantID != "" && a.TenantID != tenantID {
			continue
		}
		u, err := pg.e.dir.User(pg.r.Context(), a.TenantID, a.UserID)
		if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, serverError(err)
		}
		if !u.AccountDisabled {
			out = append(out, signedInUser{acct: a, user: u})
		}
	}
	return out, nil
}

// addUser records a user's sign-in in the browser's session, starting one
// if it has none, and returns the account. The session keeps its accounts
// under a new secret.
func (pg *page) addUser(s *browserSession, t *teamsops.Tenant, u *teamsops.User) (signedInUser, *oauthError) {
	now := pg.now()
	acct := sessionAccount{TenantID: t.ID, UserID: u.ID, AuthTime: now.Unix()}
	accts := slices.DeleteFunc(slices.Clone(s.data.Accounts), func(a sessionAccount) bool {
		return a.TenantID == acct.TenantID && a.UserID == acct.UserID
	})
	s.data.Accounts = append([]sessionAccount{acct}, accts...)
	if len(s.data.Accounts) > maxSessionAccounts {
		s.data.Accounts = s.data.Accounts[:maxSessionAccounts]
	}
	if exp := now.Add(sessionTTL); exp.After(s.expires) {
		s.expires = exp
	}
	// A new secret at each sign-in, in newSecretGrant's form: a cookie
	// planted in the browser before (session fixation) never gets the
	// account.
	oldSecret, oldTenant := s.secret, s.tenantID
	s.secret, s.tenantID = t.ID+"."+randomToken(32), t.ID
	if oerr := pg.saveSession(s); oerr != nil {
		return signedInUser{}, oerr
	}
	if oldSecret != "" {
		if err := pg.e.dir.DeleteSignInGrant(pg.r.Context(), oldTenant, teamsops.GrantSession, secretKey(oldSecret)); err != nil {
			return signedInUser{}, serverError(err)
		}
	}
	pg.setSessionCookie(s)
	return signedInUser{acct: acct, user: u}, nil
}

// staySignedIn makes the session last 90 days, and its cookie outlive the
// browser.
func (pg *page) staySignedIn(s *browserSession) *oauthError {
	s.data.Persistent = true
	s.expires = pg.now().Add(persistentSessionTTL)
	if oerr := pg.saveSession(s); oerr != nil {
		return oerr
	}
	pg.setSessionCookie(s)
	return nil
}

func (pg *page) saveSession(s *browserSession) *oauthError {
	raw, err := json.Marshal(s.data)
	if err != nil {
		return serverError(err)
	}
	err = pg.e.dir.PutSignInGrant(pg.r.Context(), &teamsops.SignInGrant{TenantID: s.tenantID, Kind: teamsops.GrantSession,
		Key: secretKey(s.secret), Data: raw, ExpiresAt: s.expires})
	if err != nil {
		return serverError(err)
	}
	return nil
}

// setSessionCookie sends the session's cookie: for every path, since the
// tenant's own paths, organizations and common share the session as they
// share Entra's.
func (pg *page) setSessionCookie(s *browserSession) {
	c := &http.Cookie{Name: sessionCookie, Value: s.secret, Path: "/", HttpOnly: true,
		Secure: pg.r.TLS != nil, SameSite: http.SameSiteLaxMode}
	if s.data.Persistent {
		c.MaxAge = max(int(s.expires.Sub(pg.now()).Seconds()), 1)
	}
	http.SetCookie(pg.w, c)
}

// endSession deletes the browser's session and its cookie.
func (pg *page) endSession(s *browserSession) *oauthError {
	if s.secret != "" {
		if err := pg.e.dir.DeleteSignInGrant(pg.r.Context(), s.tenantID, teamsops.GrantSession, secretKey(s.secret)); err != nil {
			return serverError(err)
		}
	}
	http.SetCookie(pg.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: pg.r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return nil
}
