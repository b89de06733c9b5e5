package conformance

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/teamsops/teamsops/teamsopstest"
)

// pageBrowser fills in teamsops' sign-in pages over HTTP the way a login
// helper written for Entra's pages does: by the inputs' names (loginfmt,
// passwd, otc) and the buttons' ids (idSIButton9, idBtn_Back), posting
// back every hidden field and keeping cookies. It follows redirects within
// the server and stops at one that leaves it (to the app's redirect URI).
type pageBrowser struct {
	t      *testing.T
	client *http.Client
	host   string
}

func newPageBrowser(t *testing.T, s *teamsopstest.Server) *pageBrowser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(s.URL)
	b := &pageBrowser{t: t, host: u.Host}
	b.client = &http.Client{Jar: jar, Transport: s.Client().Transport, Timeout: 30 * time.Second,
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			if req.URL.Host != b.host {
				return http.ErrUseLastResponse
			}
			return nil
		}}
	return b
}

// page is an answer of the server: a page, or a redirect out of it.
type page struct {
	url      *url.URL
	status   int
	body     string
	location string
}

func (b *pageBrowser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return page{url: res.Request.URL, status: res.StatusCode, body: string(body), location: res.Header.Get("Location")}
}

func (b *pageBrowser) get(u string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

var (
	formAction  = regexp.MustCompile(`<form method="post"[^>]* action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// submit posts p's form with fields set and the button of that id
// pressed (its name and value, when it has a name).
func (b *pageBrowser) submit(p page, fields map[string]string, button string) page {
	b.t.Helper()
	m := formAction.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("%s: no form on the page (status %d):\n%s", p.url, p.status, p.body)
	}
	action, err := p.url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	form := url.Values{}
	for _, h := range hiddenInput.FindAllStringSubmatch(p.body, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	for k, v := range fields {
		if !strings.Contains(p.body, `name="`+k+`"`) {
			b.t.Fatalf("%s: no input named %s on the page:\n%s", p.url, k, p.body)
		}
		form.Set(k, v)
	}
	btn := regexp.MustCompile(`<input type="submit" id="` + button + `"(?: name="([^"]*)")? value="([^"]*)">`).FindStringSubmatch(p.body)
	if btn == nil {
		b.t.Fatalf("%s: no button #%s on the page:\n%s", p.url, button, p.body)
	}
	if btn[1] != "" {
		form.Set(btn[1], html.UnescapeString(btn[2]))
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn goes through the user name and password pages from p, and
// answers "Stay signed in?" when asked.
func (b *pageBrowser) signIn(p page, username, password string) page {
	b.t.Helper()
	if strings.Contains(p.body, `name="loginfmt" id="i0116"`) {
		p = b.submit(p, map[string]string{"loginfmt": username}, "idSIButton9")
	}
	p = b.submit(p, map[string]string{"passwd": password}, "idSIButton9")
	if strings.Contains(p.body, "Stay signed in?") {
		p = b.submit(p, nil, "idSIButton9")
	}
	return p
}

func TestDeviceCodeCredential(t *testing.T) {
	s := startSignIn(t)
	b := newPageBrowser(t, s)
	tenantID, clientID, options := signinTenant, cliApp, clientOptions(s)
	// completeOnThePage is what a person does with the prompt: open the
	// page, type the code, sign in, confirm.
	completeOnThePage := func(ctx context.Context, m azidentity.DeviceCodeMessage) error {
		p := b.get(m.VerificationURL)
		p = b.submit(p, map[string]string{"otc": m.UserCode}, "idSIButton9")
		p = b.signIn(p, anaUPN, anaPassword)
		p = b.submit(p, nil, "idSIButton9") // Continue
		if !strings.Contains(p.body, "You have signed in") {
			t.Errorf("the device page's last answer: %d %s", p.status, p.body)
		}
		return nil
	}
	// docs/sign-in.md snippet begin: device code
	cred, err := azidentity.NewDeviceCodeCredential(&azidentity.DeviceCodeCredentialOptions{
		ClientOptions: options, DisableInstanceDiscovery: true, TenantID: tenantID, ClientID: clientID,
		UserPrompt: completeOnThePage, // by default it prints the message: open the page, enter the code
	})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	client := graphClient(t, s, cred, "https://graph.microsoft.com/User.Read")
	getMe(t, client)
}

// TestInteractiveBrowserCredential signs a user in the way a desktop app
// does: azidentity listens on a loopback port and opens the system
// browser on the sign-in page, which redirects there with the code. The
// test's "browser" is an xdg-open on PATH that hands the URL to the page
// browser.
func TestInteractiveBrowserCredential(t *testing.T) {
	s := startSignIn(t)
	b := newPageBrowser(t, s)
	dir := t.TempDir()
	opened := filepath.Join(dir, "opened")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > " + opened + ".tmp && mv " + opened + ".tmp " + opened + "\n"
	if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	go func() {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			data, err := os.ReadFile(opened)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			// MSAL asks for response_mode=form_post: the page posts the
			// code to the credential's loopback listener, as a browser
			// runs its script (or a person presses Submit without one).
			p := b.signIn(b.get(string(data)), anaUPN, anaPassword)
			if !strings.Contains(p.body, `name="hiddenform"`) {
				t.Errorf("the sign-in did not answer the app: %d %s", p.status, p.body)
				return
			}
			done := b.submit(p, nil, "idSIButton9")
			if done.status != http.StatusOK {
				t.Errorf("the credential's listener answered %d: %s", done.status, done.body)
			}
			return
		}
		t.Error("the credential opened no browser")
	}()
	tenantID, clientID, options := signinTenant, cliApp, clientOptions(s)
	// docs/sign-in.md snippet begin: interactive browser
	cred, err := azidentity.NewInteractiveBrowserCredential(&azidentity.InteractiveBrowserCredentialOptions{
		ClientOptions: options, DisableInstanceDiscovery: true, TenantID: tenantID, ClientID: clientID,
		RedirectURL: "http://localhost", // the app's registered loopback URI; any port matches it
	})
	// docs/sign-in.md snippet end
	if err != nil {
		t.Fatal(err)
	}
	getMe(t, graphClient(t, s, cred, "https://graph.microsoft.com/User.Read"))
}
