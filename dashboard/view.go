package dashboard

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
)

// funcs are the templates' functions.
var funcs = template.FuncMap{
	// when writes a time as people read it (UTC, to the second); the
	// <time> element carries it exactly.
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	// mark is a status's sign beside its word and colour.
	"mark": func(s teamsops.OperationStatus) string {
		switch s {
		case teamsops.OperationStatusSucceeded:
			return "✓"
		case teamsops.OperationStatusFailed:
			return "✗"
		case teamsops.OperationStatusInProgress:
			return "◔"
		case teamsops.OperationStatusNotStarted:
			return "○"
		}
		return "?"
	},
	"pathEscape": url.PathEscape,
	"join":       strings.Join,
	"short":      short,
	"shortKeys":  shortKeys,
	"asset":      asset,
	"expired":    expired,
	"shortPath":  shortPath,
}

// assetVersions are the digests of the embedded assets: their URLs carry
// them, so that a browser keeps an asset only as long as it is the same.
var assetVersions = map[string]string{}

func init() {
	entries, _ := fs.ReadDir(staticFiles, "static")
	for _, e := range entries {
		b, _ := fs.ReadFile(staticFiles, "static/"+e.Name())
		sum := sha256.Sum256(b)
		assetVersions[e.Name()] = hex.EncodeToString(sum[:6])
	}
}

// asset is the URL of an embedded asset.
func asset(name string) string {
	return Prefix + "static/" + name + "?v=" + assetVersions[name]
}

// shortKeys shortens the keys of a path such as /chats('19:…@thread.v2').
func shortKeys(path string) string {
	var b strings.Builder
	for {
		open := strings.Index(path, "('")
		end := strings.Index(path[max(open, 0):], "')")
		if open < 0 || end < 0 {
			return b.String() + path
		}
		end += open
		b.WriteString(path[:open+2] + short(path[open+2:end]) + "')")
		path = path[end+2:]
	}
}

// short shortens a long id for a table cell; the full id is its title.
func short(id string) string {
	if len(id) <= 18 {
		return id
	}
	return id[:8] + "…" + id[len(id)-6:]
}

// page is what every page's layout needs, around its own data.
type page struct {
	Title string
	// Nav names the section of the navigation that is current.
	Nav string
	// CSRF is the session's token for forms; SignOut shows the sign-out
	// form (only with an admin token).
	CSRF    string
	SignOut bool
	Data    any
}

// render writes the page template name with data, wrapped in the layout.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s := sessionOf(r.Context())
	p := page{Title: titles[name], Nav: name, CSRF: h.gate.csrf(s), SignOut: h.gate.token && s.id != "", Data: data}
	if t, ok := data.(interface{ title() string }); ok {
		p.Title = t.title()
	}
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, p); err != nil {
		h.log.ErrorContext(r.Context(), "dashboard: render", "page", name, "error", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// titles are the pages' titles, unless their data says.
var titles = map[string]string{
	"operations": "Operations", "tenants": "Tenants", "login": "Sign in", "error": "Not shown",
	"subscriptions": "Subscriptions",
}

// errorPage is the data of a page that says what went wrong.
type errorPage struct{ Message string }

// fail answers with a page that says what went wrong.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	h.render(w, r, status, "error", errorPage{Message: message})
}

// failStore answers a store's error: its message when it is the caller's
// doing, a generic one (logged) otherwise.
func (h *Handler) failStore(w http.ResponseWriter, r *http.Request, err error) {
	switch teamsops.ErrorCode(err) {
	case teamsops.ENOTFOUND:
		h.fail(w, r, http.StatusNotFound, teamsops.ErrorMessage(err))
	case teamsops.EINVALID:
		h.fail(w, r, http.StatusBadRequest, teamsops.ErrorMessage(err))
	default:
		h.log.ErrorContext(r.Context(), "dashboard: read the store", "path", r.URL.Path, "error", err)
		h.fail(w, r, http.StatusServiceUnavailable, "The database could not be read; try again.")
	}
}

// namer finds the names of tenants, apps and users for one page, reading
// each once.
type namer struct {
	store   teamsops.Store
	tenants map[string]string
	apps    map[[2]string]string
	users   map[[2]string]string
}

func newNamer(store teamsops.Store) *namer {
	return &namer{store: store, apps: map[[2]string]string{}, users: map[[2]string]string{}}
}

func (n *namer) tenant(ctx context.Context, id string) string {
	if n.tenants == nil {
		n.tenants = map[string]string{}
		if ts, err := n.store.Tenants(ctx); err == nil {
			for _, t := range ts {
				n.tenants[t.ID] = t.DisplayName
			}
		}
	}
	return n.tenants[id]
}

func (n *namer) app(ctx context.Context, tenant, clientID string) string {
	return once(n.apps, tenant, clientID, func() string {
		if a, err := n.store.AppRegistration(ctx, tenant, clientID); err == nil {
			return a.DisplayName
		}
		return ""
	})
}

func (n *namer) user(ctx context.Context, tenant, id string) string {
	return once(n.users, tenant, id, func() string {
		if u, err := n.store.User(ctx, tenant, id); err == nil {
			return u.DisplayName
		}
		return ""
	})
}

// once returns the name names holds for tenant and id, reading it on the
// first ask; a name that cannot be read is kept as none ("").
func once(names map[[2]string]string, tenant, id string, read func() string) string {
	k := [2]string{tenant, id}
	name, ok := names[k]
	if !ok && id != "" {
		name = read()
		names[k] = name
	}
	return name
}

// rowView is one row of the operations table.
type rowView struct {
	Key, Link            string
	Op                   *teamsops.Operation
	Target               string
	TenantName           string
	AppID, AppName       string
	UserID, UserName     string
	Created, LastAction  time.Time
	HasOrigin            bool
	ErrorCode, ErrorText string
}

// rowKey is the id of an operation's row in the page: ids may hold any
// character, the key only letters, digits, - and _.
func rowKey(tenant, id string) string {
	return "op-" + base64.RawURLEncoding.EncodeToString([]byte(tenant+"\x00"+id))
}

// operationLink is the path of an operation's page.
func operationLink(tenant, id string) string {
	return Prefix + "operations/" + url.PathEscape(tenant) + "/" + url.PathEscape(id)
}

// newRow describes op for the table.
func newRow(ctx context.Context, n *namer, op *teamsops.Operation) rowView {
	v := rowView{Key: rowKey(op.TenantID, op.ID), Link: operationLink(op.TenantID, op.ID), Op: op,
		Target: op.TargetResourceLocation, TenantName: n.tenant(ctx, op.TenantID),
		Created: op.CreatedDateTime, LastAction: op.LastActionDateTime}
	if v.Target == "" {
		v.Target = "/" + string(op.Resource.Kind) + "('" + op.Resource.ID + "')"
	}
	if o := op.Origin; o != nil {
		v.HasOrigin = true
		v.AppID, v.AppName = o.ClientAppID, n.app(ctx, op.TenantID, o.ClientAppID)
		v.UserID, v.UserName = o.UserID, n.user(ctx, op.TenantID, o.UserID)
	}
	if op.Error != nil {
		v.ErrorCode, v.ErrorText = op.Error.Code, op.Error.Message
	}
	return v
}

// renderRow renders op's row of the table, for the event streams.
func (h *Handler) renderRow(ctx context.Context, op *teamsops.Operation) (string, error) {
	var buf bytes.Buffer
	err := h.pages.ExecuteTemplate(&buf, "row", newRow(ctx, newNamer(h.cfg.Store), op))
	return buf.String(), err
}
