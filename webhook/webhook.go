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
	hc := &http.Client{
		Transport: &http.Transport{
			Proxy:                 nil, // receivers are reached directly
			DialContext:           (&net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       cfg,
			TLSHandshakeTimeout:   connectTimeout,
			ResponseHeaderTimeout: ValidationTimeout,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
		},
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
