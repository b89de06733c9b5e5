package identity

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// pages registers Entra's browser pages: the authorization endpoint with
// its sign-in pages, the device code page and sign-out. They work without
// JavaScript, and their forms carry the names and ids of Entra's own
// (loginfmt, passwd, idSIButton9, idBtn_Back), so that helpers written to
// sign in to Entra sign in here unchanged.
func (e *endpoints) pages(mux *http.ServeMux) {
	for _, m := range []string{"GET ", "POST "} {
		mux.HandleFunc(m+"/{tenant}/oauth2/v2.0/authorize", e.authorize)
		mux.HandleFunc(m+"/{tenant}/oauth2/deviceauth", e.deviceAuth)
		mux.HandleFunc(m+"/{tenant}/oauth2/v2.0/logout", e.logout)
	}
}

//go:embed templates/*.html
var templateFiles embed.FS

// pageTemplates are the pages, each parsed with the layout.
var pageTemplates = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"loginfmt", "password", "kmsi", "picker", "error", "formpost",
		"otc", "confirm", "devicedone", "signedout"} {
		m[name] = template.Must(template.ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	return m
}()

// Names of the anti-forgery token's cookie and form field, and of the
// field that says which page a form was posted from. Entra calls its
// anti-forgery field "canary".
const (
	canaryCookie = "teamsops_csrf"
	canaryField  = "canary"
	stepField    = "step"
	canaryBytes  = 32
	canaryLen    = 43 // base64url of canaryBytes
	maxPageForm  = 64 << 10
)

// field is a hidden form field.
type field struct{ Name, Value string }

// pickerAccount is an account on the account picker.
type pickerAccount struct{ UPN, Name string }

// pageData is what the templates show; each uses what it needs.
type pageData struct {
	Title  string
	Nonce  string // the CSP nonce of the page's style and script
	Action string // where the page's form posts
	Step   string // the step the form submits
	Hidden []field

	Error     string // what was wrong with the last submission
	ErrorID   string // the id of its element, as Entra's
	ErrorCode int    // its AADSTS code, if any

	Username string
	App      string
	Accounts []pickerAccount
	Code     string // the device page's user code
	Approved bool

	PostTo                        template.URL // form_post's target
	Trace, Correlation, Timestamp string       // an error page's details
}

// page is one request to a browser page: its tenant, its form, and the
// browser's anti-forgery token.
type page struct {
	e      *endpoints
	w      http.ResponseWriter
	r      *http.Request
	ref    tenantRef
	form   url.Values
	post   bool   // a form posted from one of the pages
	canary string // the browser's anti-forgery token; "" until set
	nonce  string
}

// openPage starts a page request: it sets the headers every page has,
// reads the form and the tenant, and checks a form posted from a page
// against the browser's anti-forgery token (a double-submit cookie). It
// answers an error page and reports false when any of that fails.
//
// A POST that carries neither the token nor a step is an authorization
// request sent as a form (OpenID Connect Core, section 3.1.2.1), which
// starts a flow just as a GET does and so needs no token.
func (e *endpoints) openPage(w http.ResponseWriter, r *http.Request) (*page, bool) {
	pg := &page{e: e, w: w, r: r, nonce: randomToken(18)}
	h := w.Header()
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; style-src 'nonce-%s'; script-src 'nonce-%s'; base-uri 'none'; frame-ancestors 'none'", pg.nonce, pg.nonce))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	r.Body = http.MaxBytesReader(w, r.Body, maxPageForm)
	if err := r.ParseForm(); err != nil {
		pg.fail(badRequest("invalid_request", 90023, "The request is not a valid URL-encoded form."))
		return nil, false
	}
	pg.form = r.Form
	switch id := r.PathValue("tenant"); strings.ToLower(id) {
	case "organizations", "common":
		pg.ref = tenantRef{multi: strings.ToLower(id)}
	default:
		t, oerr := e.findTenant(r.Context(), id)
		if oerr != nil {
			pg.fail(oerr)
			return nil, false
		}
		pg.ref = tenantRef{tenant: t}
	}
	if c, err := r.Cookie(canaryCookie); err == nil && len(c.Value) == canaryLen {
		pg.canary = c.Value
	}
	pg.post = r.Method == http.MethodPost && (r.PostForm.Has(canaryField) || r.PostForm.Has(stepField))
	if pg.post && (pg.canary == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get(canaryField)), []byte(pg.canary)) != 1) {
		pg.fail(badRequest("invalid_request", 90023, "The form's anti-forgery token is missing or does not match this browser's. Go back to the application and sign in again."))
		return nil, false
	}
	return pg, true
}

// step is the page a form was posted from; "" for a request that starts
// a flow.
func (pg *page) step() string {
	if !pg.post {
		return ""
	}
	return pg.r.PostForm.Get(stepField)
}

// ensureCanary gives the browser an anti-forgery token if it has none.
// The cookie is read only by the pages of the tenant path that set it.
func (pg *page) ensureCanary() {
	if pg.canary != "" {
		return
	}
	pg.canary = randomToken(canaryBytes)
	path := pg.r.URL.EscapedPath()
	if i := strings.Index(path, "/oauth2/"); i >= 0 {
		path = path[:i+len("/oauth2/")]
	}
	http.SetCookie(pg.w, &http.Cookie{Name: canaryCookie, Value: pg.canary, Path: path, HttpOnly: true,
		Secure: pg.r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// render answers a page. A page with a form posts back to the same path,
// with the flow's fields and the anti-forgery token.
func (pg *page) render(status int, name string, d pageData) {
	d.Nonce = pg.nonce
	if d.Step != "" {
		pg.ensureCanary()
		d.Action = pg.r.URL.EscapedPath()
		d.Hidden = append(d.Hidden, field{canaryField, pg.canary})
	}
	if d.Title == "" {
		d.Title = "Sign in to your account"
	}
	var buf bytes.Buffer
	if err := pageTemplates[name].Execute(&buf, d); err != nil {
		http.Error(pg.w, "The page could not be shown.", http.StatusInternalServerError)
		return
	}
	pg.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pg.w.WriteHeader(status)
	pg.w.Write(buf.Bytes())
}

// fail answers Entra's error page, which a browser shows instead of
// following a redirect that cannot be trusted.
func (pg *page) fail(oerr *oauthError) {
	trace, corr := traceIDs(pg.w, pg.r)
	status := oerr.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	pg.render(status, "error", pageData{Title: "Sign in", Error: fmt.Sprintf("AADSTS%d: %s", oerr.aadsts, oerr.msg),
		Trace: trace, Correlation: corr, Timestamp: pg.e.iss.Now().UTC().Format("2006-01-02 15:04:05Z")})
}

// redirect answers a redirect to a URI the request has been checked
// against.
func (pg *page) redirect(location string) {
	pg.w.Header().Set("Location", location)
	pg.w.WriteHeader(http.StatusFound)
}

// randomToken returns n random bytes, base64url-encoded.
func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// now is the issuer's clock.
func (pg *page) now() time.Time { return pg.e.iss.Now() }
