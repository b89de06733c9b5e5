package dashboard

import (
	"net/http"
	"slices"
	"strings"

	"github.com/teamsops/teamsops"
)

// tenantsPage is the data of the list of tenants.
type tenantsPage struct{ Tenants []*teamsops.Tenant }

// tenants answers the list of tenants.
func (h *Handler) tenants(w http.ResponseWriter, r *http.Request) {
	ts, err := h.cfg.Store.Tenants(r.Context())
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "tenants", tenantsPage{Tenants: ts})
}

// tenantPage is the data of a tenant's directory.
type tenantPage struct {
	Tenant teamsops.Tenant
	Users  []*teamsops.User
	Apps   []appView
	// Catalog is the tenant's Teams app catalog.
	Catalog    []*teamsops.TeamsApp
	Teams      []*teamsops.Team
	Chats      []*teamsops.Chat
	FaultRules []*teamsops.FaultRule
	Operations string // the link to the tenant's operations
}

func (p tenantPage) title() string {
	if p.Tenant.DisplayName != "" {
		return p.Tenant.DisplayName
	}
	return "Tenant " + p.Tenant.ID
}

// appView is an app registration with the RSC grants it holds.
type appView struct {
	*teamsops.AppRegistration
	Grants []*teamsops.PermissionGrant
}

// tenant answers a tenant's directory at a glance: what its tenant file
// declares, as the admin API reads it, and every team and chat, those
// clients created through Graph too.
func (h *Handler) tenant(w http.ResponseWriter, r *http.Request) {
	ctx, id := r.Context(), r.PathValue("id")
	if h.cfg.Directory == nil {
		h.fail(w, r, http.StatusNotFound, "This server does not read tenants' directories.")
		return
	}
	d, err := h.cfg.Directory.Get(ctx, id)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	p := tenantPage{Tenant: d.Tenant, Users: d.Users, Catalog: d.TeamsApps,
		Operations: Prefix + "?" + filter{Tenant: id}.query()}
	for _, a := range d.AppRegistrations {
		v := appView{AppRegistration: a}
		for _, g := range d.PermissionGrants {
			if g.ClientAppID == a.ClientID {
				v.Grants = append(v.Grants, g)
			}
		}
		p.Apps = append(p.Apps, v)
	}
	if p.Teams, err = h.cfg.Store.Teams(ctx, id); err != nil {
		h.failStore(w, r, err)
		return
	}
	if p.FaultRules, err = h.cfg.Store.FaultRules(ctx, id, ""); err != nil {
		h.failStore(w, r, err)
		return
	}
	// Every chat has members, and every member is a user of the tenant.
	seen := map[string]bool{}
	for _, u := range d.Users {
		chats, err := h.cfg.Store.UserChats(ctx, id, u.ID)
		if err != nil {
			h.failStore(w, r, err)
			return
		}
		for _, c := range chats {
			if !seen[c.ID] {
				seen[c.ID] = true
				p.Chats = append(p.Chats, c)
			}
		}
	}
	slices.SortFunc(p.Chats, func(a, b *teamsops.Chat) int {
		if c := a.CreatedDateTime.Compare(b.CreatedDateTime); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	h.render(w, r, http.StatusOK, "tenant", p)
}
