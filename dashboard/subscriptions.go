package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
)

// subscriptionView is a change-notification subscription with what its
// recent deliveries say.
type subscriptionView struct {
	*teamsops.Subscription
	Link       string
	TenantName string
	AppName    string
	// Last is the newest delivery, nil before the first; Delivered and
	// Failed count the recent deliveries kept (teamsops.DeliveriesKept).
	Last              *deliveryView
	Delivered, Failed int
	// Pending counts the notifications not delivered yet, up to
	// maxPending ("maxPending+" past it: PendingMore).
	Pending     int
	PendingMore bool
}

// deliveryView is one delivery, as people read it.
type deliveryView struct {
	*teamsops.Delivery
	Latency string
	// Retries is how many attempts came before this one.
	Retries int
	OK      bool
}

// maxPending bounds the pending notifications counted for a page.
const maxPending = 100

// subscriptionsPage is the data of the list of subscriptions.
type subscriptionsPage struct {
	Tenant  string
	Tenants []*teamsops.Tenant
	Rows    []subscriptionView
}

// subscriptionPage is the data of a subscription's page.
type subscriptionPage struct {
	View       subscriptionView
	Deliveries []deliveryView
}

func (p subscriptionPage) title() string { return "Subscription " + short(p.View.ID) }

// subscriptions answers the list of change-notification subscriptions,
// of every tenant or one, with their recent deliveries in brief.
func (h *Handler) subscriptions(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(url.Values{"tenant": {r.URL.Query().Get("tenant")}})
	if err != nil {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx := r.Context()
	tenants, err := h.cfg.Store.Tenants(ctx)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	// "" lists every tenant's: this is the operator's view.
	subs, err := h.cfg.Store.Subscriptions(ctx, f.Tenant, "")
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	p := subscriptionsPage{Tenant: f.Tenant, Tenants: tenants}
	n := newNamer(h.cfg.Store)
	for _, s := range subs {
		v, _, err := h.subscriptionView(r, n, s)
		if err != nil {
			h.failStore(w, r, err)
			return
		}
		p.Rows = append(p.Rows, v)
	}
	h.render(w, r, http.StatusOK, "subscriptions", p)
}

// subscription answers one subscription's page: what it asked for and its
// recent deliveries — status, latency, retries.
func (h *Handler) subscription(w http.ResponseWriter, r *http.Request) {
	s, err := h.cfg.Store.Subscription(r.Context(), r.PathValue("tenant"), r.PathValue("id"))
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	v, deliveries, err := h.subscriptionView(r, newNamer(h.cfg.Store), s)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "subscription", subscriptionPage{View: v, Deliveries: deliveries})
}

// subscriptionView reads what a page shows of s: its names, its recent
// deliveries, newest first, and how many notifications wait.
func (h *Handler) subscriptionView(r *http.Request, n *namer, s *teamsops.Subscription) (subscriptionView, []deliveryView, error) {
	ctx := r.Context()
	v := subscriptionView{Subscription: s, TenantName: n.tenant(ctx, s.TenantID), AppName: n.app(ctx, s.TenantID, s.ApplicationID),
		Link: Prefix + "subscriptions/" + url.PathEscape(s.TenantID) + "/" + url.PathEscape(s.ID)}
	ds, err := h.cfg.Store.Deliveries(ctx, s.TenantID, s.ID)
	if err != nil {
		return v, nil, err
	}
	var out []deliveryView
	for _, d := range ds {
		dv := deliveryView{Delivery: d, Latency: roundDuration(d.Latency), Retries: max(d.Attempt-1, 0), OK: d.Error == ""}
		if dv.OK {
			v.Delivered++
		} else {
			v.Failed++
		}
		out = append(out, dv)
	}
	if len(out) > 0 {
		v.Last = &out[0]
	}
	pending, err := h.cfg.Store.PendingNotifications(ctx, s.TenantID, s.ID, maxPending+1)
	if err != nil {
		return v, nil, err
	}
	v.Pending, v.PendingMore = min(len(pending), maxPending), len(pending) > maxPending
	return v, out, nil
}

// shortPath shortens the long segments and keys of a resource path.
func shortPath(path string) string {
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if !strings.Contains(seg, "('") {
			segs[i] = short(seg)
		}
	}
	return shortKeys(strings.Join(segs, "/"))
}

// expired reports whether a subscription's expiration has passed.
func expired(s *teamsops.Subscription) bool { return time.Now().After(s.ExpirationDateTime) }
