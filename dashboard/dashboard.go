// Package dashboard is teamsops' operations dashboard, under
// /_teamsops/ui/: what is running, what failed and why, how many attempts
// an operation took, which app and user started it, what the receivers of
// change notifications got, and each tenant's directory at a glance. It
// is for people, not Graph clients, so it lives outside the Graph edge;
// it is part of the binary — templates and assets are embedded, plain
// html/template and a little JavaScript. Under /_teamsops/ui/:
//
//	GET  /                               operations across tenants, newest first, filtered and paged (a GET form)
//	GET  events                          server-sent events: the table's rows as they change
//	GET  operations/{tenant}/{id}        an operation: timeline, error, origin, Graph's JSON, curl and wait lines
//	GET  tenants, tenants/{id}           the tenants; a tenant's directory
//	GET  subscriptions                   change-notification subscriptions, with their last delivery
//	GET  subscriptions/{tenant}/{id}     a subscription and its recent deliveries
//	GET  login, POST login, POST logout  the session, with an admin token
//
// Every page works without JavaScript; with it, the table and an
// operation's page follow changes as they happen, fed by the store's one
// change feed (teamsops.Store.Watch) — the events that release "Prefer:
// wait" — never by polling the database.
//
// Access: with an admin token, the dashboard asks for it once (a login
// form, throttled per client address) and then trusts an HttpOnly,
// SameSite=Strict session cookie naming a session the process keeps in
// memory, until it signs out, expires, or the token changes; without one, it is served only when the
// server listens on a loopback address, and answers 404 otherwise. Graph's
// tokens never open it.
package dashboard

import (
	"cmp"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/internal/authlimit"
)

// Prefix is the path every page of the dashboard starts with.
const Prefix = "/_teamsops/ui/"

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Directory reads what a tenant declares, as the admin API does
// (service.Tenants.Get).
type Directory interface {
	Get(ctx context.Context, id string) (*teamsops.Declaration, error)
}

// Config is what the dashboard shows and who may see it.
type Config struct {
	Store     teamsops.Store
	Directory Directory
	// PublicURL is the server's base URL, for the curl and wait lines and
	// Graph's JSON.
	PublicURL string
	// AdminToken, if set, is asked for once, at a login form.
	AdminToken string
	// Loopback says that the server listens on loopback addresses only.
	// Without AdminToken, the dashboard is served only then.
	Loopback bool
	// Failures, if set, throttles wrong tokens at the login form per
	// client address; the server shares it with the admin API, so that a
	// guesser has one budget for both. Nil: the dashboard keeps its own.
	Failures *authlimit.Limiter
	Logger   *slog.Logger
}

// Handler serves the dashboard. Drain it when the server shuts down: it
// ends the event streams, which would otherwise hold the shutdown.
type Handler struct {
	cfg   Config
	log   *slog.Logger
	gate  *gate
	hub   *hub
	pages *template.Template
	mux   *http.ServeMux
}

// New returns the dashboard, listening to cfg.Store's changes.
func New(cfg Config) (*Handler, error) {
	g, err := newGate(cfg.AdminToken, cfg.Loopback, cfg.PublicURL, cfg.Failures)
	if err != nil {
		return nil, err
	}
	pages, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.DiscardHandler)), gate: g, pages: pages}
	h.hub = newHub(cfg.Store, h.renderRow, h.log)
	h.routes()
	return h, nil
}

func (h *Handler) routes() {
	static, _ := fs.Sub(staticFiles, "static")
	m := http.NewServeMux()
	m.Handle("GET "+Prefix+"static/", http.StripPrefix(Prefix+"static/", h.assets(http.FileServerFS(static))))
	m.HandleFunc("GET "+Prefix+"login", h.loginForm)
	m.HandleFunc("POST "+Prefix+"login", h.login)
	m.HandleFunc("POST "+Prefix+"logout", h.signedIn(h.logout))
	m.HandleFunc("GET "+Prefix+"{$}", h.signedIn(h.operations))
	m.HandleFunc("GET "+Prefix+"events", h.signedIn(h.events))
	m.HandleFunc("GET "+Prefix+"operations/{tenant}/{id}", h.signedIn(h.operation))
	m.HandleFunc("GET "+Prefix+"tenants", h.signedIn(h.tenants))
	m.HandleFunc("GET "+Prefix+"tenants/{id}", h.signedIn(h.tenant))
	m.HandleFunc("GET "+Prefix+"subscriptions", h.signedIn(h.subscriptions))
	m.HandleFunc("GET "+Prefix+"subscriptions/{tenant}/{id}", h.signedIn(h.subscription))
	m.HandleFunc(Prefix, h.notFound)
	h.mux = m
}

// ServeHTTP serves a request under Prefix (and Prefix without its slash,
// redirected), if the dashboard is on for it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secure(w.Header())
	if !h.gate.open(r) {
		http.Error(w, "The dashboard is off: start the server with --admin-token, or listen on a loopback address.", http.StatusNotFound)
		return
	}
	if r.URL.Path == strings.TrimSuffix(Prefix, "/") {
		http.Redirect(w, r, Prefix, http.StatusMovedPermanently)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Drain ends every event stream and stops listening to the store.
func (h *Handler) Drain() { h.hub.close() }

// secure sets the headers every answer carries: no script, style or
// frame from elsewhere, no caching of what an operator sees.
func secure(hd http.Header) {
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; "+
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
}

// assets lets browsers keep the embedded assets: their URLs change with
// their content (asset).
// Only the embedded files' own names are served: any other name, among
// them one the file system would refuse as invalid, is a 404.
func (h *Handler) assets(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := assetVersions[r.URL.Path]; !ok {
			r.URL.Path = Prefix + "static/" + r.URL.Path
			h.notFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=86400")
		next.ServeHTTP(w, r)
	})
}

// notFound answers a path the dashboard does not serve.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.signedIn(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, http.StatusNotFound, "There is no page at "+teamsops.Clip(r.URL.Path)+".")
	})(w, r)
}
