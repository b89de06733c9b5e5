// Package webhook speaks to change-notification receivers as Microsoft
// Graph does (concepts/change-notifications-delivery-webhooks.md): the
// validation handshake before a subscription is created, and the POST of
// each notification payload. It follows no redirect, reads at most a few
// kilobytes of an answer, and bounds connecting and answering by time.
//
// It also encrypts resource data for rich notifications, and decrypts it
// for receivers (content.go).
package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"

	"github.com/teamsops/teamsops"
)

// Graph's limits (concepts/change-notifications-delivery-webhooks.md): a
// receiver answers a validation request within 10 seconds, and a
// notification within 3 seconds, or the delivery fails and is retried.
const (
	ValidationTimeout   = 10 * time.Second
	NotificationTimeout = 3 * time.Second
)

// Limits of the client itself.
const (
	connectTimeout = 5 * time.Second
	maxTokenAnswer = 4 << 10  // a validation answer longer than this is wrong anyway
	maxDrain       = 64 << 10 // read (and discard) at most this much of a notification's answer
)

// Client sends validation requests and notifications.
type Client struct {
	// AllowHTTP accepts http:// URLs; Graph requires https (subscription
	// resource, notificationUrl), which stays the default.
	AllowHTTP bool
	// NotificationTimeout bounds one notification POST; 0 is Graph's 3s.
	NotificationTimeout time.Duration
	// ValidationTimeout bounds the validation handshake; 0 is Graph's 10s.
	ValidationTimeout time.Duration
	// TLSConfig, if set, is the base TLS configuration (tests trust
	// their own certificate authority with it).
	TLSConfig *tls.Config
	// Own are the addresses (host:port) teamsops itself listens on: its
	// Graph listener, --metrics-addr, --pprof-addr. No validation request
	// and no notification is sent to them (CheckTarget, and again when
	// connecting), so that a subscription cannot aim the server at itself.
	Own []string
	// Trace, if set, wraps the transport of every request sent (tracing
	// adds a client span and the traceparent header); nil when tracing is
	// off.
	Trace func(http.RoundTripper) http.RoundTripper

	mu      sync.Mutex
	clients map[string]*http.Client // by latestSupportedTlsVersion
}

// CheckURL reports whether raw may receive notifications: an absolute
// https URL (http too with AllowHTTP) without credentials. what names the
// property in the message.
func (c *Client) CheckURL(what, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		return teamsops.Errorf(teamsops.EINVALID, "Invalid %s '%s': an absolute URL is required.", what, teamsops.Clip(raw))
	case u.User != nil:
		return teamsops.Errorf(teamsops.EINVALID, "Invalid %s: credentials in the URL are not supported.", what)
	case u.Scheme == "https", u.Scheme == "http" && c.AllowHTTP:
		return nil
	}
	// subscription resource: "This URL must make use of the HTTPS protocol."
	return teamsops.Errorf(teamsops.EINVALID, "Invalid %s '%s': the URL must make use of the HTTPS protocol.",
		what, teamsops.Clip(raw))
}

// errOwnAddress refuses a connection to one of the server's own addresses.
var errOwnAddress = errors.New("webhook: the address is one teamsops itself listens on")

// CheckTarget reports whether rawURL, whose host is resolved, reaches one
// of the addresses teamsops listens on (Own): EINVALID if it does. what
// names the property in the message.
func (c *Client) CheckTarget(ctx context.Context, what, rawURL string) error {
	if len(c.Own) == 0 {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return teamsops.Errorf(teamsops.EINVALID, "Invalid %s '%s': an absolute URL is required.", what, teamsops.Clip(rawURL))
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	var ips []net.IP
	if ip := net.ParseIP(u.Hostname()); ip != nil {
		ips = []net.IP{ip}
	} else {
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, u.Hostname())
		if err != nil {
			return nil // the handshake fails on its own
		}
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	for _, ip := range ips {
		if c.own(ctx, ip, port) {
			return teamsops.Errorf(teamsops.EINVALID, "Invalid %s '%s': it is an address of this server, which does not send notifications to itself.",
				what, teamsops.Clip(rawURL))
		}
	}
	return nil
}

// own reports whether ip:port is one of the server's listening addresses.
// A listener on a loopback or unspecified address is reached through any
// address of the machine; one on another address through that one (or
// the unspecified address, which connects locally).
func (c *Client) own(ctx context.Context, ip net.IP, port string) bool {
	for _, addr := range c.Own {
		host, p, err := net.SplitHostPort(addr)
		if err != nil || p != port {
			continue
		}
		var hostIPs []net.IP
		if hip := net.ParseIP(host); hip != nil || host == "" {
			hostIPs = []net.IP{hip}
		} else if addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host); err == nil {
			for _, a := range addrs {
				hostIPs = append(hostIPs, a.IP)
			}
		}
		for _, hip := range hostIPs {
			if hip == nil || hip.IsUnspecified() || hip.IsLoopback() {
				if local(ip) {
					return true
				}
			} else if hip.Equal(ip) || ip.IsUnspecified() {
				return true
			}
		}
	}
	return false
}

// local reports whether ip is an address of this machine.
func local(ip net.IP) bool {
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// control refuses, when connecting, an address that CheckTarget let
// through but whose name now resolves to one of the server's own.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip != nil && c.own(context.Background(), ip, port) {
		return errOwnAddress
	}
	return nil
}

// Validation failures, in Graph's words.
const (
	failedStatus  = "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request."
	failedBody    = "Subscription validation request failed. Response must exactly match validationToken query parameter."
	failedType    = "Subscription validation request failed. Response must be of content type text/plain."
	failedTimeout = "Subscription validation request timeout."
)

// Validate runs Graph's validation handshake against rawURL
// (concepts/includes/change-notifications-delivery-notificationurl-validation.md):
// a POST with ?validationToken={token}, answered within 10 seconds by 200,
// text/plain, and the token itself as the body. Any other answer is
// EINVALID with Graph's message. tlsVersion is the subscription's
// latestSupportedTlsVersion.
func (c *Client) Validate(ctx context.Context, rawURL, tlsVersion string) error {
	if err := c.CheckURL("notification URL", rawURL); err != nil {
		return err
	}
	if err := c.CheckTarget(ctx, "notification URL", rawURL); err != nil {
		return err
	}
	token := "Validation: Testing client application reachability for subscription Request-Id: " + uuid.NewString()
	u, _ := url.Parse(rawURL)
	q := u.Query()
	q.Set("validationToken", token)
	u.RawQuery = q.Encode()

	timeout := c.ValidationTimeout
	if timeout <= 0 {
		timeout = ValidationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedStatus)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := c.client(tlsVersion).Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return teamsops.Errorf(teamsops.EINVALID, "%s", failedTimeout)
		}
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedStatus)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenAnswer+1))
	switch {
	case err != nil && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)):
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedTimeout)
	case resp.StatusCode != http.StatusOK:
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedStatus)
	case !isPlainText(resp.Header.Get("Content-Type")):
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedType)
	case err != nil || string(body) != token:
		return teamsops.Errorf(teamsops.EINVALID, "%s", failedBody)
	}
	return nil
}

func isPlainText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/plain"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Result is the outcome of one notification POST.
type Result struct {
	Status  int // 0 when the receiver did not answer
	Latency time.Duration
	Err     error // nil when the receiver answered 2xx in time
}

// Post sends one notification payload (JSON) to rawURL. Graph counts only
// a 2xx answer within 3 seconds as delivered; anything else — another
// status, a redirect, no answer, a slower one — fails the delivery.
func (c *Client) Post(ctx context.Context, rawURL, tlsVersion string, payload []byte) Result {
	if err := c.CheckURL("notification URL", rawURL); err != nil {
		return Result{Err: err}
	}
	timeout := c.NotificationTimeout
	if timeout <= 0 {
		timeout = NotificationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(payload))
	if err != nil {
		return Result{Err: err}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	start := time.Now()
	resp, err := c.client(tlsVersion).Do(req)
	if err != nil {
		return Result{Latency: time.Since(start), Err: err}
	}
	_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
	res := Result{Status: resp.StatusCode, Latency: time.Since(start)}
	switch {
	case err != nil:
		res.Err = fmt.Errorf("reading the answer: %w", err)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		res.Err = fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return res
}

// tlsVersions maps latestSupportedTlsVersion (subscription resource) to
// the highest TLS version offered.
var tlsVersions = map[string]uint16{
	"v1_0": tls.VersionTLS10, "v1_1": tls.VersionTLS11, "v1_2": tls.VersionTLS12, "v1_3": tls.VersionTLS13,
}

// client returns the HTTP client for a latestSupportedTlsVersion: Graph
// defaults to v1_2 and offers no more than the receiver supports.
func (c *Client) client(tlsVersion string) *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hc, ok := c.clients[tlsVersion]; ok {
		return hc
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		cfg = c.TLSConfig.Clone()
	}
	if v, ok := tlsVersions[tlsVersion]; ok {
		cfg.MaxVersion = v
		if v < tls.VersionTLS12 {
			cfg.MinVersion = v
		}
	}
	dialer := &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}
	if len(c.Own) > 0 {
		dialer.Control = c.control
	}
	var transport http.RoundTripper = &http.Transport{
		Proxy:                 nil, // receivers are reached directly
		DialContext:           dialer.DialContext,
		TLSClientConfig:       cfg,
		TLSHandshakeTimeout:   connectTimeout,
		ResponseHeaderTimeout: ValidationTimeout,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
	}
	if c.Trace != nil {
		transport = c.Trace(transport)
	}
	hc := &http.Client{
		Transport: transport,
		// Graph follows no redirect: a 3xx is not a 2xx.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if c.clients == nil {
		c.clients = map[string]*http.Client{}
	}
	c.clients[tlsVersion] = hc
	return hc
}

// TLSVersionValid reports whether v is a latestSupportedTlsVersion Graph
// accepts ("" included: Graph then uses v1_2).
func TLSVersionValid(v string) bool {
	_, ok := tlsVersions[v]
	return ok || v == ""
}
