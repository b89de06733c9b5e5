package tenantfile

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/teamsops/teamsops"
)

// What users and apps need to sign in, as Entra checks it when an app is
// registered (learn.microsoft.com/entra/identity-platform/reply-url).

// maxRedirectURI is Entra's limit on a redirect URI's length.
const maxRedirectURI = 256

// loopbackHosts are the hosts a redirect URI may reach over http: Entra
// takes http for the local machine only.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// password checks a user's password; the declaration holds it apart, as
// the store keeps only its hash.
func (p *planner) password(path, userID string, pw *string) {
	switch {
	case pw == nil || p.errs.failed(path):
	case *pw == "":
		p.errs.add(path, "a password cannot be empty: leave it out for a user who does not sign in with one")
	case len(*pw) > maxSecretLen:
		p.errs.addf(path, "a password is at most %d bytes (bcrypt's limit)", maxSecretLen)
	default:
		p.d.Passwords[userID] = *pw
	}
}

// signIn checks an app's credentials and sign-in settings beyond its
// secrets and fills them into app.
func (p *planner) signIn(a *appDoc, path string, app *teamsops.AppRegistration) {
	app.Certificates = p.certificates(path+".certificates", a.Certificates)
	app.PublicClient = a.PublicClient
	platforms := map[string]string{} // redirect URI → the path listing it first
	app.RedirectURIs = p.redirectURIs(path+".redirectUris", a.RedirectURIs, false, a.PublicClient, platforms)
	app.SPARedirectURIs = p.redirectURIs(path+".spaRedirectUris", a.SPARedirectURIs, true, false, platforms)
	app.IdentifierURIs = p.identifierURIs(path+".identifierUris", a.IdentifierURIs, app.ClientID)
	app.ExposedScopes = p.exposedScopes(path+".exposedScopes", a.ExposedScopes)
	if len(a.ExposedScopes) > 0 && len(a.IdentifierURIs) == 0 {
		p.errs.add(path+".exposedScopes", "exposedScopes need identifierUris: a client asks for a scope as {identifier URI}/{scope}")
	}
}

// certificates checks an app's certificates, each PEM inline or the path
// of a PEM file, and returns them as PEM re-encoded from their DER.
func (p *planner) certificates(path string, items []string) []string {
	var out []string
	var raws [][]byte
	for i, item := range items {
		at := fmt.Sprintf("%s[%d]", path, i)
		if p.errs.failed(at) {
			continue
		}
		data, subject := []byte(item), "this value"
		switch {
		case strings.TrimSpace(item) == "":
			p.errs.add(at, "a certificate cannot be empty: give a PEM certificate, or the path of a file holding one")
			continue
		case strings.Contains(item, "-----BEGIN"):
		case p.read == nil:
			p.errs.addf(at, "%q is a path, and this document was not read from a file: give the certificate inline, as PEM", clip(item))
			continue
		default:
			var err error
			if data, err = p.read(item); err != nil {
				p.errs.addf(at, "cannot read the certificate: %v", err)
				continue
			}
			subject = fmt.Sprintf("%q", clip(item))
		}
		cert, problem := parseCertificate(data)
		switch {
		case problem != "":
			p.errs.add(at, subject+" "+problem)
		case slices.ContainsFunc(raws, func(raw []byte) bool { return bytes.Equal(raw, cert.Raw) }):
			p.errs.add(at, "this certificate is listed twice")
		default:
			raws = append(raws, cert.Raw)
			out = append(out, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
		}
	}
	return out
}

// parseCertificate reads the one X.509 certificate with an RSA key data
// holds as PEM, or says what is wrong with it. A private key is refused:
// teamsops checks signatures, and a file it reads is no place for one.
func parseCertificate(data []byte) (*x509.Certificate, string) {
	if bytes.Contains(data, []byte("PRIVATE KEY-----")) {
		return nil, "holds a private key: list a certificate, not a private key"
	}
	var ders [][]byte
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			ders = append(ders, b.Bytes)
		}
	}
	switch len(ders) {
	case 0:
		return nil, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
	case 1:
	default:
		return nil, fmt.Sprintf("holds %d certificates: list each as an item of its own", len(ders))
	}
	cert, err := x509.ParseCertificate(ders[0])
	if err != nil {
		return nil, "is not an X.509 certificate: " + err.Error()
	}
	kind := ""
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return cert, ""
	case *ecdsa.PublicKey:
		kind = "an ECDSA"
	case ed25519.PublicKey:
		kind = "an Ed25519"
	default:
		kind = fmt.Sprintf("a %s", cert.PublicKeyAlgorithm)
	}
	return nil, fmt.Sprintf("holds a certificate with %s key: Entra takes client assertions signed with RSA keys only", kind)
}

// redirectURIs checks the redirect URIs of one platform of an app: the
// single-page application's (spa), or the web's, which a public client's
// native redirect URIs share, custom schemes included. seen holds the URIs
// of the app's other platform: a redirect URI belongs to one.
func (p *planner) redirectURIs(path string, uris []string, spa, public bool, seen map[string]string) []string {
	var out []string
	for i, s := range uris {
		at := fmt.Sprintf("%s[%d]", path, i)
		if p.errs.failed(at) {
			continue
		}
		if msg := redirectProblem(s, spa, public && !spa); msg != "" {
			p.errs.add(at, msg)
			continue
		}
		if first, ok := seen[s]; ok {
			if strings.HasPrefix(first, path+"[") {
				p.errs.addf(at, "redirect URI %q is listed twice", clip(s))
			} else {
				p.errs.addf(at, "redirect URI %q is listed at %s too: a redirect URI belongs to one platform", clip(s), first)
			}
			continue
		}
		seen[s] = at
		out = append(out, s)
	}
	return out
}

// redirectProblem says what is wrong with redirect URI s of a single-page
// application (spa) or not, or "": custom says whether it may have a
// custom scheme.
func redirectProblem(s string, spa, custom bool) string {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return "a redirect URI cannot be empty"
	case len(s) > maxRedirectURI:
		return fmt.Sprintf("a redirect URI is at most %d characters", maxRedirectURI)
	case strings.Contains(s, "#"):
		return fmt.Sprintf("%q has a fragment (#…): a redirect URI has none", clip(s))
	case strings.Contains(s, "*"):
		return fmt.Sprintf("%q has a wildcard: redirect URIs are matched exactly", clip(s))
	case err != nil || u.Scheme == "" || u.Opaque != "" || u.Host == "" && (u.Path == "" || web(u.Scheme)):
		return fmt.Sprintf("%q is not an absolute URI such as https://app.contoso.example/signin or http://localhost", clip(s))
	case u.Scheme == "https":
		return ""
	case u.Scheme == "http" && slices.Contains(loopbackHosts, strings.ToLower(u.Hostname())):
		return ""
	case u.Scheme == "http":
		return fmt.Sprintf("%q: http is for localhost, 127.0.0.1 and [::1] only; use https", clip(s))
	case spa:
		return fmt.Sprintf("%q: a single-page application's redirect URI is https, or http on localhost", clip(s))
	case !custom:
		return fmt.Sprintf("%q: a custom scheme (%s:) is for public clients: set publicClient: true, or use https", clip(s), u.Scheme)
	}
	return ""
}

func web(scheme string) bool { return scheme == "http" || scheme == "https" }

// identifierURIs checks the URIs that name an app as an API: absolute,
// and each naming one app of the tenant (compared ignoring case).
func (p *planner) identifierURIs(path string, uris []string, clientID string) []string {
	var out []string
	for i, s := range uris {
		at := fmt.Sprintf("%s[%d]", path, i)
		if p.errs.failed(at) {
			continue
		}
		u, err := url.Parse(s)
		switch {
		case s == "":
			p.errs.add(at, "an identifier URI cannot be empty")
			continue
		case err != nil || u.Scheme == "" || u.Host == "" || !cleanText(s):
			p.errs.addf(at, "%q is not an absolute URI such as api://%s or https://contoso.example/api", clip(s), clientID)
			continue
		}
		key := "identifierUri\x00" + strings.ToLower(s)
		if first, ok := p.seen[key]; ok {
			app, _, _ := strings.Cut(first, ".identifierUris[")
			if strings.HasPrefix(first, path+"[") {
				p.errs.addf(at, "identifier URI %q is listed twice", clip(s))
			} else {
				p.errs.addf(at, "identifier URI %q is %s's too: it names one app of the tenant", clip(s), app)
			}
			continue
		}
		p.seen[key] = at
		out = append(out, s)
	}
	return out
}

// exposedScopes checks the scopes an app exposes as an API: each one word,
// listed once.
func (p *planner) exposedScopes(path string, scopes []string) []string {
	var out []string
	for i, s := range scopes {
		at := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case p.errs.failed(at):
		case s == "":
			p.errs.add(at, "a scope cannot be empty")
		case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 || !cleanText(s):
			p.errs.addf(at, "scope %q is not one word: a scope is a name such as access_as_user", clip(s))
		case slices.Index(scopes, s) < i:
			p.errs.addf(at, "scope %q is listed twice", clip(s))
		default:
			out = append(out, s)
		}
	}
	return out
}
