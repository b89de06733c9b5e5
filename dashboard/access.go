package dashboard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/teamsops/teamsops/internal/authlimit"
)

// cookieName names the session cookie; sessionTTL is how long a login
// lasts; maxSessions bounds the sessions kept at once.
const (
	cookieName  = "teamsops_session"
	sessionTTL  = 12 * time.Hour
	maxSessions = 1000
)

// gate decides who may see the dashboard. With an admin token, a session
// is a random id in a cookie ("v2.{id}") that the server keeps in memory
// (sessionSet): signing out forgets it at once, and a session is bound to
// a digest of the admin token it began under, so that a server started
// with another token honours none of the old ones. Wrong tokens at the
// login form are throttled per client address (authlimit). Without a
// token, there are no sessions, and the dashboard is served only on a
// loopback listener, to requests for a local host name.
type gate struct {
	token    bool
	tokenSum [sha256.Size]byte
	// key, derived from the token, keys the CSRF tokens and the digest
	// sessions are bound to.
	key      []byte
	binding  [sha256.Size]byte
	sessions *sessionSet
	failures *authlimit.Limiter
	loopback bool
	secure   bool // the public URL is https: cookies are Secure
	// crossOrigin refuses state-changing requests from other sites.
	crossOrigin *http.CrossOriginProtection
}

func newGate(token string, loopback bool, publicURL string, failures *authlimit.Limiter) (*gate, error) {
	g := &gate{token: token != "", loopback: loopback, crossOrigin: http.NewCrossOriginProtection(),
		sessions: &sessionSet{live: map[[sha256.Size]byte]liveSession{}}, failures: failures}
	if g.failures == nil {
		g.failures = authlimit.New(authlimit.DefaultMax, authlimit.DefaultWindow)
	}
	if u, err := url.Parse(publicURL); err == nil {
		g.secure = u.Scheme == "https"
	}
	if g.token {
		if strings.TrimSpace(token) == "" {
			return nil, errors.New("dashboard: the admin token is blank")
		}
		g.tokenSum = sha256.Sum256([]byte(token))
		mac := hmac.New(sha256.New, g.tokenSum[:])
		mac.Write([]byte("teamsops dashboard sessions"))
		g.key = mac.Sum(nil)
		copy(g.binding[:], g.sign("session binding"))
	}
	return g, nil
}

// sessionSet is the live sessions, by the SHA-256 of their ids: the
// cookie's id alone is a bearer secret, so the set does not keep it. It
// lives in the process: a restart signs everyone out, and with several
// replicas a session opens the dashboard only on the replica that made it
// (docs/security.md).
type sessionSet struct {
	mu   sync.Mutex
	live map[[sha256.Size]byte]liveSession
}

type liveSession struct {
	expires time.Time
	binding [sha256.Size]byte // the digest of the admin token it began under
}

// add records a session; past maxSessions it drops the expired ones, and
// then the one closest to its end.
func (s *sessionSet) add(id string, ls liveSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.live) >= maxSessions {
		now := time.Now()
		var oldest [sha256.Size]byte
		var oldestEnd time.Time
		for k, v := range s.live {
			if !now.Before(v.expires) {
				delete(s.live, k)
			} else if oldestEnd.IsZero() || v.expires.Before(oldestEnd) {
				oldest, oldestEnd = k, v.expires
			}
		}
		if len(s.live) >= maxSessions {
			delete(s.live, oldest)
		}
	}
	s.live[sha256.Sum256([]byte(id))] = ls
}

// get returns the live session with id, forgetting it if it expired.
func (s *sessionSet) get(id string) (liveSession, bool) {
	key := sha256.Sum256([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	ls, ok := s.live[key]
	if ok && !time.Now().Before(ls.expires) {
		delete(s.live, key)
		return liveSession{}, false
	}
	return ls, ok
}

func (s *sessionSet) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.live, sha256.Sum256([]byte(id)))
}

// open reports whether the dashboard is served to r at all. Without a
// token, a request must name a loopback address or localhost: a web page
// whose own host name resolves to 127.0.0.1 (DNS rebinding) does not get
// in, nor does a request a reverse proxy passes on with its public name.
func (g *gate) open(r *http.Request) bool {
	if g.token {
		return true
	}
	if !g.loopback {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost"
}

// session is a signed-in browser; its id keys its CSRF token. Without
// an admin token every request is one, with an empty id.
type session struct{ id string }

type sessionKey struct{}

func sessionOf(ctx context.Context) session {
	s, _ := ctx.Value(sessionKey{}).(session)
	return s
}

// session returns r's session, if it has a live one begun under this
// admin token.
func (g *gate) session(r *http.Request) (session, bool) {
	if !g.token {
		return session{}, true
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	id, ok := strings.CutPrefix(c.Value, "v2.")
	if !ok || id == "" {
		return session{}, false
	}
	ls, ok := g.sessions.get(id)
	if !ok || subtle.ConstantTimeCompare(ls.binding[:], g.binding[:]) != 1 {
		return session{}, false
	}
	return session{id: id}, true
}

// newSession starts a session and returns its cookie.
func (g *gate) newSession() *http.Cookie {
	id := rand.Text()
	g.sessions.add(id, liveSession{expires: time.Now().Add(sessionTTL), binding: g.binding})
	c := g.cookie("v2." + id)
	c.MaxAge = int(sessionTTL / time.Second)
	return c
}

// cookie is the session cookie with value: only for the dashboard's
// paths, never sent by a request another site starts, never read by
// scripts.
func (g *gate) cookie(value string) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: Prefix, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: g.secure}
}

func (g *gate) sign(payload string) []byte {
	mac := hmac.New(sha256.New, g.key)
	mac.Write([]byte(payload))
	return mac.Sum(nil)
}

// csrf is the token the forms of a session carry.
func (g *gate) csrf(s session) string {
	if !g.token {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(g.sign("csrf." + s.id))
}

// checkForm refuses a state-changing request that another site started:
// by its Sec-Fetch-Site or Origin header (http.CrossOriginProtection),
// and, for a session, by the form's CSRF token.
func (g *gate) checkForm(r *http.Request, s session, withToken bool) error {
	if err := g.crossOrigin.Check(r); err != nil {
		return err
	}
	if withToken && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(g.csrf(s))) != 1 {
		return errors.New("the form's CSRF token is missing or wrong")
	}
	return nil
}

// validToken compares token with the admin token in constant time: their
// hashes, so that even the length does not leak.
func (g *gate) validToken(token string) bool {
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return g.token && subtle.ConstantTimeCompare(sum[:], g.tokenSum[:]) == 1
}

// signedIn runs next for a request with a session; others are sent to the
// login form, or refused (401) when they are not a page.
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := h.gate.session(r)
		if !ok {
			if r.Method == http.MethodGet && r.URL.Path != Prefix+"events" {
				http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "Sign in to the dashboard first.", http.StatusUnauthorized)
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	}
}

// maxForm bounds the body of a form.
const maxForm = 4096

// loginForm asks for the admin token.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.gate.session(r); ok {
		http.Redirect(w, r, nextPage(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, "login", loginPage{Next: nextPage(r.URL.Query().Get("next"))})
}

// login checks the admin token and starts a session.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := h.gate.checkForm(r, session{}, false); err != nil {
		h.fail(w, r, http.StatusForbidden, "Refused: "+err.Error()+".")
		return
	}
	next := nextPage(r.PostFormValue("next"))
	if !h.gate.token {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	addr := authlimit.ClientAddress(r)
	if wait, ok := h.gate.failures.Allow(addr); !ok {
		// Checked before the token, so that a right guess is no different
		// from a wrong one while the address is throttled.
		after := authlimit.RetryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(after))
		h.render(w, r, http.StatusTooManyRequests, "login", loginPage{Next: next, RetryAfter: after})
		return
	}
	if token := r.PostFormValue("token"); !h.gate.validToken(token) {
		if strings.TrimSpace(token) != "" {
			h.gate.failures.Fail(addr)
		}
		h.log.WarnContext(r.Context(), "dashboard login refused", "remote_addr", r.RemoteAddr)
		h.render(w, r, http.StatusUnauthorized, "login", loginPage{Next: next, Failed: true})
		return
	}
	http.SetCookie(w, h.gate.newSession())
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session: the server forgets it, so the cookie opens
// nothing any more, wherever a copy of it went.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := h.gate.checkForm(r, sessionOf(r.Context()), true); err != nil {
		h.fail(w, r, http.StatusForbidden, "Refused: "+err.Error()+".")
		return
	}
	h.gate.sessions.end(sessionOf(r.Context()).id)
	c := h.gate.cookie("")
	c.MaxAge = -1
	http.SetCookie(w, c)
	http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
}

// nextPage is where a login leads: a page of the dashboard, never
// another site.
func nextPage(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\\r\n") {
		return Prefix
	}
	return next
}

// loginPage is the login form's data.
type loginPage struct {
	Next   string
	Failed bool
	// RetryAfter, when not 0, says the form is throttled for this long
	// (seconds) after too many wrong tokens from the client's address.
	RetryAfter int
}
