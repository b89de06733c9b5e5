package lro

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// versionSegment matches the path segment that names Graph's API version:
// v1.0, beta, or another vN / vN.N a Graph-compatible server may serve.
var versionSegment = regexp.MustCompile(`^(?i:beta|v[0-9]+(\.[0-9]+)?)$`)

// hasScheme matches a URL that starts with a scheme, or with // (a
// reference to another host on the same scheme).
var hasScheme = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*:)?//`)

// versionRoot returns u cut after its version segment
// (https://graph.microsoft.com/v1.0/teams → https://graph.microsoft.com/v1.0),
// without query or fragment; false if its path has no version segment.
func versionRoot(u *url.URL) (*url.URL, bool) {
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if versionSegment.MatchString(s) {
			root, err := url.Parse(origin(u) + strings.Join(segs[:i+1], "/"))
			return root, err == nil
		}
	}
	return nil, false
}

// origin is scheme://host of u.
func origin(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}

// parseBase parses an absolute http or https URL without user
// information, which a poller may send credentials to.
func parseBase(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("lro: base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("lro: base URL %q: want an absolute http or https URL", raw)
	}
	if u.User != nil {
		return nil, errors.New("lro: base URL: user information in a URL is not accepted")
	}
	return u, nil
}

// resolve turns a Location into the operation's absolute URL. Graph's is
// relative and has no version (/teams('…')/operations('…'), "Create team",
// api-reference/v1.0/api/team-post.md): it is appended to root, the
// version root of the request that started the operation. One that starts
// with a version segment is taken from the server's root instead. An
// absolute Location is used as it is, but only on root's scheme and host:
// the poller's client may add credentials to every request, and those
// must never go to another host.
func resolve(root *url.URL, location string) (*url.URL, error) {
	loc := strings.TrimSpace(location)
	if loc == "" {
		return nil, errors.New("lro: the response has no Location header")
	}
	var raw string
	switch {
	case hasScheme.MatchString(loc):
		ref, err := url.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("lro: Location %q: %w", loc, err)
		}
		raw = root.ResolveReference(ref).String()
	default:
		if !strings.HasPrefix(loc, "/") {
			loc = "/" + loc
		}
		first, _, _ := strings.Cut(loc[1:], "/")
		if versionSegment.MatchString(first) {
			raw = origin(root) + loc
		} else {
			raw = strings.TrimSuffix(root.String(), "/") + loc
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("lro: Location %q: %w", location, err)
	}
	if u.User != nil {
		return nil, fmt.Errorf("lro: Location %q: user information in a URL is not accepted", location)
	}
	if !sameOrigin(u, root) {
		return nil, fmt.Errorf("lro: Location %q is on another host than %s: refusing to send credentials there", location, origin(root))
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// sameOrigin reports whether a and b have the same scheme, host and port
// (a default port written out or not).
func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && hostPort(a) == hostPort(b)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// redirectError is a redirect the poller refused to follow.
type redirectError struct{ to, from string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("lro: refusing to follow a redirect to %s, another host than %s", e.to, e.from)
}

// guard returns a copy of client (http.DefaultClient if nil) that follows
// redirects only on the origin of u, then as client would.
func guard(client *http.Client, u *url.URL) *http.Client {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	next := client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, u) {
			return &redirectError{to: origin(req.URL), from: origin(u)}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 { // net/http's own limit
			return errors.New("lro: stopped after 10 redirects")
		}
		return nil
	}
	return &c
}
