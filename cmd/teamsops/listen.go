package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/term"

	"github.com/teamsops/teamsops/identity"
	"github.com/teamsops/teamsops/internal/server"
	"github.com/teamsops/teamsops/notification"
	"github.com/teamsops/teamsops/webhook"
)

const listenUsage = `usage: teamsops listen --resource RESOURCE (--token TOKEN | --tenant ID --client-id ID --client-secret S) [flags]

Receives change notifications locally and prints each one on stdout as it
arrives: it listens on --addr, subscribes to --resource through the server
(or takes over --subscription), answers the validation handshake, renews
the subscription when the server asks, and with --rich decrypts rich
notifications with a key pair of its own. It runs until interrupted.

listen talks to the server over HTTP only: it opens no database, so it
never creates one.

Exit status: 0 interrupted (Ctrl-C), 2 any error (a bad flag, a server
that cannot be reached, a refused subscription).

flags:
`

// listenConfig is what the listen command's flags say.
type listenConfig struct {
	clientLogin
	server, addr, publicURL      string
	subscription                 string
	resource, changeType, client string
	expires                      time.Duration
	rich                         bool
}

// listenCommand runs "teamsops listen": a local receiver of change
// notifications for development, in the spirit of "stripe listen". It
// answers the validation handshake, subscribes (or takes over an existing
// subscription), decrypts rich notifications with a key pair of its own,
// and prints each notification as it arrives.
func listenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c listenConfig
	fs := newFlagSet("listen", listenUsage, stderr)
	fs.StringVar(&c.server, "server", "http://"+defaultAddr, "base URL of the teamsops server")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "address the receiver listens on")
	fs.StringVar(&c.publicURL, "public-url", "", "URL the server reaches the receiver at (default http://{addr}); https when the server does not run with --allow-http-notifications")
	c.register(fs, "")
	fs.StringVar(&c.subscription, "subscription", "", "take over an existing subscription: its notificationUrl moves to this receiver")
	fs.StringVar(&c.resource, "resource", "", "resource to subscribe to, e.g. /teams/{id}/operations or /teamwork/getAllOperations")
	fs.StringVar(&c.changeType, "change-type", "created,updated", "changeType to subscribe to")
	fs.StringVar(&c.client, "client-state", "", "clientState of the subscription (default: random)")
	fs.DurationVar(&c.expires, "expires", time.Hour, "lifetime of the subscription; renewed when the server asks")
	fs.BoolVar(&c.rich, "rich", false, "ask for rich notifications (includeResourceData) and decrypt them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case c.token == "" && (c.clientID == "" || c.secret == "" || c.tenant == ""):
		return errors.New("listen needs --token, or --tenant, --client-id and --client-secret")
	case c.subscription == "" && c.resource == "":
		return errors.New("listen needs --resource (or --subscription)")
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	l, err := newListener(ctx, c, stdout, stderr)
	if err != nil {
		return err
	}
	return l.run(ctx)
}

// listener is the state of a running "teamsops listen".
type listener struct {
	c      listenConfig
	out    io.Writer
	log    io.Writer
	pretty bool
	ln     net.Listener
	base   string // the receiver's URL, as the server reaches it
	key    *rsa.PrivateKey
	cert   string // base64 DER
	jwks   jose.JSONWebKeySet
	issuer string

	token   tokenSource    // --token, or the client-credentials flow's
	mu      sync.Mutex     // serializes output
	sub     map[string]any // the subscription, as the server returned it
	created bool
}

func newListener(ctx context.Context, c listenConfig, stdout, stderr io.Writer) (*listener, error) {
	l := &listener{c: c, out: stdout, log: stderr}
	if f, ok := stdout.(*os.File); ok {
		l.pretty = term.IsTerminal(int(f.Fd()))
	}
	l.c.server = strings.TrimRight(c.server, "/")
	var err error
	if l.ln, err = net.Listen("tcp", c.addr); err != nil {
		return nil, err
	}
	l.base = strings.TrimRight(c.publicURL, "/")
	if l.base == "" {
		l.base = "http://" + l.ln.Addr().String()
	}
	if l.c.tenant == "" {
		l.c.tenant = tokenClaim(c.token, "tid")
	}
	l.token = c.source(tokenEndpoint(l.c.server, l.c.tenant))
	if l.c.client == "" {
		l.c.client = rand.Text()
	}
	if c.rich {
		if l.key, l.cert, err = newEncryptionCertificate(); err != nil {
			return nil, err
		}
		if err := l.loadKeys(ctx); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// run serves the receiver, subscribes, and prints until ctx ends; a
// subscription it created is deleted then.
func (l *listener) run(ctx context.Context) error {
	t := server.DefaultTimeouts
	srv := &http.Server{Handler: t.LimitBody(http.HandlerFunc(l.serve))}
	t.Apply(srv)
	go srv.Serve(l.ln)
	defer srv.Close()
	fmt.Fprintf(l.log, "listening on %s\n", l.base)
	if err := l.subscribe(ctx); err != nil {
		return err
	}
	fmt.Fprintf(l.log, "subscribed: id %s, resource %s, expires %s\n", l.sub["id"], l.sub["resource"], l.sub["expirationDateTime"])
	<-ctx.Done()
	if l.created {
		cleanup, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		status, body, err := l.graph(cleanup, http.MethodDelete, "/subscriptions/"+l.subID(), nil)
		if err == nil && status == http.StatusNoContent {
			fmt.Fprintf(l.log, "deleted subscription %s\n", l.subID())
		} else {
			fmt.Fprintf(l.log, "deleting subscription %s failed: %d %v %v\n", l.subID(), status, body["error"], err)
		}
	}
	return nil
}

func (l *listener) subID() string { id, _ := l.sub["id"].(string); return id }

// subscribe creates the subscription, or points the existing one at this
// receiver.
func (l *listener) subscribe(ctx context.Context) error {
	if l.c.subscription != "" {
		body := map[string]any{"notificationUrl": l.base + "/notify"}
		status, sub, err := l.graph(ctx, http.MethodGet, "/subscriptions/"+l.c.subscription, nil)
		if err == nil && status == http.StatusOK && sub["lifecycleNotificationUrl"] != nil {
			body["lifecycleNotificationUrl"] = l.base + "/lifecycle"
		}
		return l.expect(ctx, http.MethodPatch, "/subscriptions/"+l.c.subscription, body, http.StatusOK)
	}
	body := map[string]any{
		"changeType": l.c.changeType, "resource": l.c.resource, "clientState": l.c.client,
		"notificationUrl": l.base + "/notify", "lifecycleNotificationUrl": l.base + "/lifecycle",
		"expirationDateTime": time.Now().Add(l.c.expires).UTC().Format(time.RFC3339),
	}
	if l.c.rich {
		body["includeResourceData"], body["encryptionCertificate"], body["encryptionCertificateId"] = true, l.cert, "teamsops-listen"
	}
	l.created = true
	return l.expect(ctx, http.MethodPost, "/subscriptions", body, http.StatusCreated)
}

// expect sends a Graph request and keeps the subscription it returns.
func (l *listener) expect(ctx context.Context, method, path string, body any, want int) error {
	status, sub, err := l.graph(ctx, method, path, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %v", method, path, status, sub["error"])
	}
	l.mu.Lock()
	l.sub = sub
	l.mu.Unlock()
	return nil
}

// serve answers the handshake and receives notifications: it answers 202
// at once, as Graph asks of receivers, then prints.
func (l *listener) serve(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("validationToken"); tok != "" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, tok)
		return
	}
	var c notification.Collection
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<20)).Decode(&c); err != nil || r.Method != http.MethodPost {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	l.received(r.Context(), c)
}

// printed is what the receiver prints of one notification.
type printed struct {
	ReceivedAt   string                          `json:"receivedAt"`
	Notification notification.ChangeNotification `json:"notification"`
	// Content is the decrypted resource of a rich notification.
	Content json.RawMessage `json:"content,omitempty"`
	// Problems lists what did not check out: clientState, validation
	// tokens, decryption.
	Problems []string `json:"problems,omitempty"`
}

func (l *listener) received(ctx context.Context, c notification.Collection) {
	var tokenProblem string
	if len(c.ValidationTokens) > 0 {
		for _, tok := range c.ValidationTokens {
			if err := identity.VerifyValidationToken(tok, l.jwks, l.issuer, l.audiences(), time.Now()); err != nil {
				tokenProblem = err.Error()
			}
		}
	}
	for _, n := range c.Value {
		p := printed{ReceivedAt: time.Now().UTC().Format(time.RFC3339Nano), Notification: n}
		if n.ClientState == nil || (l.created && *n.ClientState != l.c.client) {
			p.Problems = append(p.Problems, "clientState does not match the subscription's")
		}
		if tokenProblem != "" {
			p.Problems = append(p.Problems, tokenProblem)
		}
		if n.EncryptedContent != nil && l.key != nil {
			content, err := webhook.Decrypt(l.key, n.EncryptedContent)
			if err != nil {
				p.Problems = append(p.Problems, err.Error())
			} else {
				p.Content = content
			}
		}
		l.print(p)
		if n.LifecycleEvent == "reauthorizationRequired" {
			go l.renew(context.WithoutCancel(ctx))
		}
	}
}

func (l *listener) audiences() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, k := range []string{"applicationId", "notificationUrlAppId"} {
		if v, ok := l.sub[k].(string); ok && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// print writes one notification: indented under a headline on a
// terminal, one JSON object per line otherwise.
func (l *listener) print(p printed) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.pretty {
		b, _ := json.Marshal(p)
		fmt.Fprintf(l.out, "%s\n", b)
		return
	}
	what := p.Notification.ChangeType + " " + p.Notification.Resource
	if p.Notification.LifecycleEvent != "" {
		what = "lifecycle: " + p.Notification.LifecycleEvent
	}
	b, _ := json.MarshalIndent(p, "  ", "  ")
	fmt.Fprintf(l.out, "\x1b[1m%s\x1b[0m  %s\n  %s\n", p.ReceivedAt, what, b)
}

// renew answers reauthorizationRequired by renewing the subscription.
func (l *listener) renew(ctx context.Context) {
	body := map[string]any{"expirationDateTime": time.Now().Add(l.c.expires).UTC().Format(time.RFC3339)}
	if err := l.expect(ctx, http.MethodPatch, "/subscriptions/"+l.subID(), body, http.StatusOK); err != nil {
		fmt.Fprintf(l.log, "renewing the subscription failed: %v\n", err)
		return
	}
	fmt.Fprintf(l.log, "renewed subscription %s until %s\n", l.subID(), l.sub["expirationDateTime"])
}
