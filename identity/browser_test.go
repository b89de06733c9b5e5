package identity

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a test browser for the sign-in pages: it keeps cookies, and
// fills and submits their forms as a sign-in helper written for Entra
// does, by the names and ids of Entra's fields and buttons.
type browser struct {
	t   *testing.T
	h   http.Handler
	jar *cookiejar.Jar
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, h: h, jar: jar}
}

// response is a page, or a redirect, the browser received.
type response struct {
	status int
	header http.Header
	body   string
	url    *url.URL // what was requested
}

// do sends a request from the browser, with its cookies; target is a
// path or a URL of the issuer.
func (b *browser) do(method, target string, form url.Values, header ...string) *response {
	b.t.Helper()
	u, err := url.Parse(publicURL)
	if err == nil {
		u, err = u.Parse(target)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, u.String(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, u.String(), nil)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range b.jar.Cookies(u) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	res := rec.Result()
	b.jar.SetCookies(u, res.Cookies())
	return &response{status: rec.Code, header: rec.Header(), body: rec.Body.String(), url: u}
}

func (b *browser) get(target string) *response { b.t.Helper(); return b.do("GET", target, nil) }

// htmlForm is a page's form, read with a few regular expressions: the
// pages are ours, and plain.
type htmlForm struct {
	action  string
	fields  url.Values        // inputs that are not buttons, with their values
	buttons map[string]string // by id or data-test-id: the name=value pair a click sends
}

var (
	formTag  = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	fieldTag = regexp.MustCompile(`<(input|button)\b([^>]*)>`)
	attr     = regexp.MustCompile(`([a-zA-Z_:-]+)(?:="([^"]*)")?`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attr.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2])
	}
	return m
}

// form reads the page's form; the test fails if it has none.
func (r *response) form(t *testing.T) htmlForm {
	t.Helper()
	m := formTag.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no form: %d %s", r.status, r.body)
	}
	f := htmlForm{action: attrs(m[1])["action"], fields: url.Values{}, buttons: map[string]string{}}
	for _, tag := range fieldTag.FindAllStringSubmatch(m[2], -1) {
		a := attrs(tag[2])
		if tag[1] == "button" || a["type"] == "submit" {
			pair := ""
			if a["name"] != "" {
				pair = url.Values{a["name"]: {a["value"]}}.Encode()
			}
			for _, k := range []string{"id", "data-test-id"} {
				if a[k] != "" {
					f.buttons[a[k]] = pair
				}
			}
			continue
		}
		if a["name"] != "" {
			f.fields.Set(a["name"], a["value"])
		}
	}
	return f
}

// has reports whether the page has a form field of that name.
func (r *response) has(t *testing.T, name string) bool {
	return formTag.MatchString(r.body) && r.form(t).fields.Has(name)
}

// submit fills the page's form and clicks the button with the id given.
func (b *browser) submit(r *response, fill map[string]string, button string) *response {
	b.t.Helper()
	f := r.form(b.t)
	pair, ok := f.buttons[button]
	if !ok {
		b.t.Fatalf("no button %q on the page: %s", button, r.body)
	}
	v := f.fields
	for k, val := range fill {
		v.Set(k, val)
	}
	if pair != "" {
		extra, _ := url.ParseQuery(pair)
		for k := range extra {
			v.Set(k, extra.Get(k))
		}
	}
	target, err := r.url.Parse(f.action)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do("POST", target.String(), v)
}

// signIn goes through the sign-in pages from the page r: the user name
// (unless the page asks only for the password), the password, and
// "Stay signed in?".
func (b *browser) signIn(r *response, username, password string, stay bool) *response {
	b.t.Helper()
	if r.has(b.t, "loginfmt") && !r.has(b.t, "passwd") {
		r = b.submit(r, map[string]string{"loginfmt": username}, "idSIButton9")
	}
	r = b.submit(r, map[string]string{"passwd": password}, "idSIButton9")
	if !strings.Contains(r.body, "Stay signed in?") {
		b.t.Fatalf("after the password: %d %s", r.status, r.body)
	}
	if stay {
		return b.submit(r, nil, "idSIButton9")
	}
	return b.submit(r, nil, "idBtn_Back")
}

// answer reads the authorization response a redirect or a form_post
// page carries.
func (r *response) answer(t *testing.T) url.Values {
	t.Helper()
	if r.status == http.StatusOK && strings.Contains(r.body, `name="hiddenform"`) {
		return r.form(t).fields
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if r.status != http.StatusFound || err != nil {
		t.Fatalf("not a redirect: %d %s", r.status, r.body)
	}
	if loc.Fragment != "" {
		v, _ := url.ParseQuery(loc.Fragment)
		return v
	}
	return loc.Query()
}

// authorizePath is an authorization request of tenant.
func authorizePath(tenant string, p url.Values) string {
	return "/" + tenant + "/oauth2/v2.0/authorize?" + p.Encode()
}
