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
	"time"
)

// cookieName names the session cookie; sessionTTL is how long a login
// lasts.
const (
	cookieName = "teamsops_session"
	sessionTTL = 12 * time.Hour
)

// gate decides who may see the dashboard. With an admin token, a session
// is a signed cookie: "v1.{expiry}.{nonce}.{mac}", the MAC keyed by a key
// derived from the token, so that every replica started with the same
// token accepts it, a restart keeps it, and changing the token ends every
// session. Without one, there are no sessions, and the dashboard is
// served only on a loopback listener, to requests for a local host name.
type gate struct {
	token    bool
	tokenSum [sha256.Size]byte
	key      []byte
	loopback bool
	secure   bool // the public URL is https: cookies are Secure
	// crossOrigin refuses state-changing requests from other sites.
	crossOrigin *http.CrossOriginProtection
}

func newGate(token string, loopback bool, publicURL string) (*gate, error) {
	g := &gate{token: token != "", loopback: loopback, crossOrigin: http.NewCrossOriginProtection()}
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
	}
	return g, nil
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

// session is a signed-in browser; its nonce keys its CSRF token. Without
// an admin token every request is one, with an empty nonce.
type session struct{ nonce string }

type sessionKey struct{}

func sessionOf(ctx context.Context) session {
	s, _ := ctx.Value(sessionKey{}).(session)
	return s
}

// session returns r's session, if it has a valid one.
func (g *gate) session(r *http.Request) (session, bool) {
	if !g.token {
		return session{}, true
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return session{}, false
	}
	parts := strings.Split(c.Value, ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return session{}, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(parts[3])
	if err != nil || !hmac.Equal(mac, g.sign(parts[0]+"."+parts[1]+"."+parts[2])) {
		return session{}, false
	}
	expiry, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() >= expiry {
		return session{}, false
	}
	return session{nonce: parts[2]}, true
}

// newSession returns the cookie of a new session.
func (g *gate) newSession() *http.Cookie {
	payload := "v1." + strconv.FormatInt(time.Now().Add(sessionTTL).Unix(), 10) + "." + rand.Text()
	c := g.cookie(payload + "." + base64.RawURLEncoding.EncodeToString(g.sign(payload)))
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
	return base64.RawURLEncoding.EncodeToString(g.sign("csrf." + s.nonce))
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
	if !h.gate.validToken(r.PostFormValue("token")) {
		h.log.WarnContext(r.Context(), "dashboard login refused", "remote_addr", r.RemoteAddr)
		h.render(w, r, http.StatusUnauthorized, "login", loginPage{Next: next, Failed: true})
		return
	}
	http.SetCookie(w, h.gate.newSession())
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout ends the session in this browser.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := h.gate.checkForm(r, sessionOf(r.Context()), true); err != nil {
		h.fail(w, r, http.StatusForbidden, "Refused: "+err.Error()+".")
		return
	}
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
}
