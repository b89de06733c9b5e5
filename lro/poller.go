package lro

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// maxBody bounds what the poller reads of an answer: an operation is a
// few hundred bytes, an error envelope a little more.
const maxBody = 1 << 20

// Options tune a Poller; nil or the zero value means the defaults.
type Options struct {
	// MinDelay is the shortest wait between two polls, whatever the
	// server says (default 1s, or MaxDelay if that is shorter).
	MinDelay time.Duration
	// MaxDelay caps the exponential backoff used when the server says
	// neither when to come back nor held the request (default 40s, so
	// that polls settle 30–40 s apart, as Graph asks).
	MaxDelay time.Duration
	// Wait is how long each GET asks the server to hold the request
	// while the operation does not change ("Prefer: wait", RFC 7240
	// §4.3): 0 means 20s, a negative value does not ask. It is kept
	// under half the client's Timeout and under the context's deadline.
	Wait time.Duration
	// MaxFailures is how many polls in a row may fail transiently (a
	// transport error, 408, 429, or a 5xx other than 501 and 505) before
	// PollUntilDone gives up (default 8).
	MaxFailures int
	// Progress, if not nil, is called with the operation after every
	// poll that read it, the last one included.
	Progress func(*Operation)
	// OnRetry, if not nil, is called by PollUntilDone each time a poll
	// failed transiently and will be retried, before it waits: a caller
	// can say what goes wrong while it goes wrong. It is not called for
	// the failure that makes PollUntilDone give up: that one is returned.
	OnRetry func(Retry)
}

// Retry describes a poll that failed transiently, to Options.OnRetry.
type Retry struct {
	Err         error         // what failed: a transport error, or a *ResponseError
	Failures    int           // polls failed in a row, this one included
	MaxFailures int           // how many PollUntilDone allows in a row
	Delay       time.Duration // the wait before the next poll
}

func (o *Options) withDefaults() Options {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxDelay <= 0 {
		out.MaxDelay = defaultMaxDelay
	}
	if out.MinDelay <= 0 {
		out.MinDelay = min(defaultMinDelay, out.MaxDelay)
	}
	out.MaxDelay = max(out.MaxDelay, out.MinDelay)
	if out.Wait == 0 {
		out.Wait = defaultWait
	}
	if out.MaxFailures <= 0 {
		out.MaxFailures = defaultMaxFailures
	}
	return out
}

// Poller follows one operation to its end. It is not safe for concurrent
// use.
type Poller struct {
	client *http.Client
	url    *url.URL
	opts   Options
	sleep  func(context.Context, time.Duration) error

	status   Status // last seen, for the resume token and errors
	done     bool
	result   *Operation
	err      *OperationError // the operation failed
	next     time.Duration   // wait before the next poll
	polls    int             // polls answered without guidance: the backoff's step
	failures int             // polls in a row that failed transiently
	lastErr  error           // the last of those failures, for contextError
}

// New returns a Poller for the operation a 202 Accepted names in its
// Location header, resolved against the version root of the request that
// got it (res.Request.URL). client sends the polls and may add
// credentials; nil is http.DefaultClient. The first poll comes after the
// 202's Retry-After, or MinDelay. New does not read or close res.Body.
func New(client *http.Client, res *http.Response, opts *Options) (*Poller, error) {
	if res == nil || res.Request == nil || res.Request.URL == nil {
		return nil, errors.New("lro: New needs a response with its request")
	}
	if res.StatusCode != http.StatusAccepted {
		return nil, fmt.Errorf("lro: want a 202 Accepted, got %d %s", res.StatusCode, http.StatusText(res.StatusCode))
	}
	root, ok := versionRoot(res.Request.URL)
	if !ok {
		return nil, fmt.Errorf("lro: %s names no API version (v1.0, beta): use NewFromLocation with the base URL", origin(res.Request.URL)+res.Request.URL.EscapedPath())
	}
	u, err := resolve(root, res.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	p := newPoller(client, u, opts)
	p.next = p.opts.MinDelay
	if d, ok := retryAfter(res.Header); ok {
		p.next = p.opts.asked(d)
	}
	return p, nil
}

// NewFromLocation returns a Poller for the operation at location, resolved
// against baseURL: Graph's versionless Location
// (/teams('…')/operations('…')) is appended to the version root of
// baseURL (https://graph.microsoft.com/v1.0, or any URL under it), and an
// absolute location must be on baseURL's scheme and host. The first poll
// is sent at once: the operation may have ended long ago.
func NewFromLocation(client *http.Client, baseURL, location string, opts *Options) (*Poller, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}
	root, ok := versionRoot(base)
	if !ok {
		root = &url.URL{Scheme: base.Scheme, Host: base.Host, Path: base.Path, RawPath: base.RawPath}
	}
	u, err := resolve(root, location)
	if err != nil {
		return nil, err
	}
	return newPoller(client, u, opts), nil
}

// Resume returns a Poller for the operation a ResumeToken names, so that
// a process that restarted carries on waiting without starting the
// operation again. The token holds no credentials: client brings them.
// The first poll is sent at once.
func Resume(client *http.Client, token string, opts *Options) (*Poller, error) {
	u, err := decodeToken(token)
	if err != nil {
		return nil, err
	}
	return newPoller(client, u, opts), nil
}

func newPoller(client *http.Client, u *url.URL, opts *Options) *Poller {
	return &Poller{client: guard(client, u), url: u, opts: opts.withDefaults(), sleep: sleep}
}

// ResumeToken returns an opaque token for Resume: the operation's URL and
// the last status seen, never credentials. It is valid at any time.
func (p *Poller) ResumeToken() string {
	return encodeToken(p.url, p.status)
}

// Done reports whether the operation has ended, succeeded or failed.
func (p *Poller) Done() bool { return p.done }

// PollUntilDone polls until the operation ends and returns it. When it
// failed, the error is an *OperationError with Graph's code and message
// and the operation. Other errors end the wait: the context's, an answer
// that no retry can change (a 4xx other than 408 and 429, such as 401 or
// 404, as a *ResponseError), or MaxFailures transient failures in a row.
func (p *Poller) PollUntilDone(ctx context.Context) (*Operation, error) {
	for !p.done {
		if err := p.sleep(ctx, p.next); err != nil {
			return nil, p.contextError(err)
		}
		_, retry, err := p.step(ctx)
		switch {
		case err == nil:
		case !retry:
			return nil, err
		case p.failures >= p.opts.MaxFailures:
			return nil, fmt.Errorf("lro: giving up after %d failed polls in a row: %w", p.failures, err)
		default:
			p.lastErr = err
			if p.opts.OnRetry != nil {
				p.opts.OnRetry(Retry{Err: err, Failures: p.failures, MaxFailures: p.opts.MaxFailures, Delay: p.next})
			}
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return p.result, nil
}

// Poll sends one GET now and returns the operation it read, even if it
// has not ended. As with PollUntilDone, a failed operation is an
// *OperationError, and an answer other than 200 a *ResponseError. Once
// the operation has ended, Poll sends nothing and returns the end again.
func (p *Poller) Poll(ctx context.Context) (*Operation, error) {
	op, _, err := p.step(ctx)
	return op, err
}

// step polls once and reports whether an error is worth a retry.
func (p *Poller) step(ctx context.Context) (op *Operation, retry bool, err error) {
	if p.done {
		if p.err != nil {
			return nil, false, p.err
		}
		return p.result, false, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url.String(), nil)
	if err != nil {
		return nil, false, fmt.Errorf("lro: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	// Members of operationType after unknownFutureValue (teamifyGroup,
	// createChannel…) come only to clients that ask ("Handling future
	// members in evolvable enumerations", concepts/best-practices-concept.md).
	req.Header.Add("Prefer", "include-unknown-enum-members")
	if n := p.waitSeconds(ctx); n > 0 {
		req.Header.Add("Prefer", "wait="+strconv.Itoa(n))
	}
	start := time.Now()
	res, err := p.client.Do(req)
	if err != nil {
		return p.transportError(ctx, err)
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(res.Body, maxBody)) // lets the connection be reused
		res.Body.Close()
	}()
	if res.StatusCode != http.StatusOK {
		rerr := readResponseError(res, p.url)
		if !transient(res.StatusCode) {
			return nil, false, rerr
		}
		return nil, p.failed(res.Header), rerr
	}
	op, err = decodeOperation(res.Body)
	if err != nil {
		return nil, false, fmt.Errorf("lro: GET %s: %w", p.url, err)
	}
	p.failures, p.lastErr, p.status = 0, nil, op.Status
	switch op.Status {
	case StatusSucceeded:
		p.done, p.result = true, op
	case StatusFailed:
		p.done, p.err = true, &OperationError{Operation: op}
		if op.Error != nil {
			p.err.Code, p.err.Message = op.Error.Code, op.Error.Message
		}
	default:
		p.next = p.delayAfter(res.Header, time.Since(start))
	}
	if p.opts.Progress != nil {
		p.opts.Progress(op)
	}
	if p.err != nil {
		return nil, false, p.err
	}
	return op, false, nil
}

// delayAfter is the wait after an answer that the operation goes on. A
// request the server held was the wait: the next one goes at once, but
// never sooner than MinDelay after the last one started, so a server that
// claims to hold and does not cannot make the poller spin.
func (p *Poller) delayAfter(h http.Header, took time.Duration) time.Duration {
	if held(h) {
		return max(0, p.opts.MinDelay-took)
	}
	if d, ok := retryAfter(h); ok {
		return p.opts.asked(d)
	}
	p.polls++
	return p.opts.backoff(p.polls)
}

// failed counts a transient failure and sets the wait before the retry:
// the server's Retry-After (429 and 503 carry one), else the backoff.
func (p *Poller) failed(h http.Header) bool {
	p.failures++
	p.next = p.opts.backoff(p.failures - 1)
	if d, ok := retryAfter(h); ok {
		p.next = p.opts.asked(d)
	}
	return true
}

// transportError sorts an error of client.Do: the context's and a refused
// redirect end the wait, as do a certificate that does not verify and a
// host that does not exist (no retry fixes them); anything else (a
// refused connection, a reset, a DNS timeout) is retried.
func (p *Poller) transportError(ctx context.Context, err error) (*Operation, bool, error) {
	if ctx.Err() != nil {
		return nil, false, p.contextError(ctx.Err())
	}
	var redirect *redirectError
	var cert *tls.CertificateVerificationError
	var dns *net.DNSError
	if errors.As(err, &redirect) || errors.As(err, &cert) || errors.As(err, &dns) && dns.IsNotFound {
		return nil, false, err
	}
	return nil, p.failed(http.Header{}), err
}

// contextError is err, the context's, with what is known of the wait:
// the last status read, and the failure being retried when it ended, so
// that a deadline does not hide a server that cannot be reached.
func (p *Poller) contextError(err error) error {
	if p.lastErr != nil {
		return fmt.Errorf("lro: waiting for %s (last error: %v): %w", p.url, p.lastErr, err)
	}
	if p.status == "" {
		return fmt.Errorf("lro: waiting for %s: %w", p.url, err)
	}
	return fmt.Errorf("lro: waiting for %s (last status %s): %w", p.url, p.status, err)
}

// waitSeconds is the "Prefer: wait" to ask for, in whole seconds (0: do
// not ask): Options.Wait, under half the client's Timeout, so that a held
// request is not cut short, and within the context's deadline.
func (p *Poller) waitSeconds(ctx context.Context) int {
	w := p.opts.Wait
	if w <= 0 {
		return 0
	}
	if t := p.client.Timeout; t > 0 {
		w = min(w, t/2)
	}
	if deadline, ok := ctx.Deadline(); ok {
		w = min(w, time.Until(deadline))
	}
	return int(w / time.Second)
}

// transient reports whether an HTTP status is worth a retry: a timeout,
// throttling (429), or a server error other than "not implemented" and
// "version not supported", which no retry changes.
func transient(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return status >= 500 && status <= 599
}

// decodeOperation reads a teamsAsyncOperation.
func decodeOperation(r io.Reader) (*Operation, error) {
	var op Operation
	if err := json.NewDecoder(io.LimitReader(r, maxBody)).Decode(&op); err != nil {
		return nil, fmt.Errorf("the answer is not a teamsAsyncOperation: %w", err)
	}
	if op.Status == "" {
		return nil, errors.New("the answer is not a teamsAsyncOperation: it has no status")
	}
	return &op, nil
}

// readResponseError reads Graph's error envelope
// ({"error":{"code","message","innerError":{"request-id"}}}, concepts/errors.md)
// from an answer other than 200, if it is one.
func readResponseError(res *http.Response, u *url.URL) *ResponseError {
	var envelope struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
			} `json:"innerError"`
		} `json:"error"`
	}
	json.NewDecoder(io.LimitReader(res.Body, maxBody)).Decode(&envelope)
	e := &ResponseError{
		StatusCode: res.StatusCode,
		Code:       envelope.Error.Code,
		Message:    envelope.Error.Message,
		RequestID:  envelope.Error.InnerError.RequestID,
		url:        u.String(),
	}
	if e.RequestID == "" {
		e.RequestID = res.Header.Get("request-id")
	}
	return e
}
