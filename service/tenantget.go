package service

import (
	"context"

	"github.com/teamsops/teamsops"
)

// Get returns what the last applied declaration of tenant id declared, as
// it is stored now: a team archived through Graph reads archived. What
// clients created through Graph is not part of it, nor are the client
// secrets and passwords: the store keeps only their hashes, which are left
// out too. ENOTFOUND if there is no such tenant.
func (ts *Tenants) Get(ctx context.Context, id string) (*teamsops.Declaration, error) {
	t, err := ts.Store.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	declared, err := ts.Store.Declared(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &reader{s: ts.Store, tenant: id, d: &teamsops.Declaration{Tenant: *t, ClientSecrets: map[string][]string{},
		Passwords: map[string]string{}},
		installs: byParent[teamsops.AppInstallation]{read: ts.Store.AppInstallations,
			id: func(i *teamsops.AppInstallation) string { return i.ID }},
		grants: byParent[teamsops.PermissionGrant]{read: ts.Store.PermissionGrants,
			id: func(g *teamsops.PermissionGrant) string { return g.ID }},
	}
	for _, e := range declared {
		if err := r.read(ctx, e); err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
			return nil, err
		}
	}
	return r.d, nil
}

// reader reads declared entities into a Declaration; one that is gone is
// left out (ENOTFOUND).
type reader struct {
	s        teamsops.Store
	tenant   string
	d        *teamsops.Declaration
	installs byParent[teamsops.AppInstallation]
	grants   byParent[teamsops.PermissionGrant]
	// rules caches the tenant's fault rules, by id.
	rules map[string]*teamsops.FaultRule
}

func (r *reader) read(ctx context.Context, e teamsops.Declared) error {
	d, s, tenant := r.d, r.s, r.tenant
	switch e.Kind {
	case teamsops.DeclaredUser:
		u, err := s.User(ctx, tenant, e.ID)
		if err == nil {
			u.PasswordHash = ""
		}
		return add(&d.Users, u, err)
	case teamsops.DeclaredAppRegistration:
		a, err := s.AppRegistration(ctx, tenant, e.ID)
		if err == nil {
			a.SecretHashes = nil
		}
		return add(&d.AppRegistrations, a, err)
	case teamsops.DeclaredFaultRule:
		return r.faultRule(ctx, e)
	case teamsops.DeclaredTeamsApp:
		a, err := s.TeamsApp(ctx, tenant, e.ID)
		return add(&d.TeamsApps, a, err)
	case teamsops.DeclaredGroup:
		g, err := s.Group(ctx, tenant, e.ID)
		return add(&d.Groups, g, err)
	case teamsops.DeclaredTeam:
		t, err := s.Team(ctx, tenant, e.ID)
		return add(&d.Teams, t, err)
	case teamsops.DeclaredChannel:
		c, err := s.Channel(ctx, tenant, e.Parent.ID, e.ID)
		return add(&d.Channels, c, err)
	case teamsops.DeclaredChat:
		c, err := s.Chat(ctx, tenant, e.ID)
		return add(&d.Chats, c, err)
	case teamsops.DeclaredAppInstallation:
		return r.installs.add(ctx, tenant, e, &d.AppInstallations)
	case teamsops.DeclaredPermissionGrant:
		return r.grants.add(ctx, tenant, e, &d.PermissionGrants)
	case teamsops.DeclaredOperation:
		op, err := s.OperationByID(ctx, tenant, e.ID)
		return add(&d.Operations, op, err)
	}
	return nil
}

// byParent reads the entities listed under a chat or team, such as its
// apps: each is declared on its own, yet its parent's list is read once.
type byParent[T any] struct {
	read  func(ctx context.Context, tenant string, parent teamsops.ResourceRef) ([]*T, error)
	id    func(*T) string
	lists map[teamsops.ResourceRef][]*T
}

// add appends the entity e declares to out, if its parent still lists it.
func (b *byParent[T]) add(ctx context.Context, tenant string, e teamsops.Declared, out *[]*T) error {
	list, ok := b.lists[e.Parent]
	if !ok {
		var err error
		if list, err = b.read(ctx, tenant, e.Parent); err != nil {
			return err
		}
		if b.lists == nil {
			b.lists = map[teamsops.ResourceRef][]*T{}
		}
		b.lists[e.Parent] = list
	}
	for _, v := range list {
		if b.id(v) == e.ID {
			*out = append(*out, v)
		}
	}
	return nil
}

func (r *reader) faultRule(ctx context.Context, e teamsops.Declared) error {
	if r.rules == nil {
		rules, err := r.s.FaultRules(ctx, r.tenant, "")
		if err != nil {
			return err
		}
		r.rules = map[string]*teamsops.FaultRule{}
		for _, rule := range rules {
			r.rules[rule.ID] = rule
		}
	}
	if rule, ok := r.rules[e.ID]; ok {
		r.d.FaultRules = append(r.d.FaultRules, rule)
	}
	return nil
}

// add appends what a read found.
func add[T any](list *[]*T, v *T, err error) error {
	if err == nil {
		*list = append(*list, v)
	}
	return err
}

// Delete deletes tenant id and everything of it, its operations' jobs
// included, in one transaction. ENOTFOUND if there is no such tenant.
func (ts *Tenants) Delete(ctx context.Context, id string) error {
	if _, err := ts.Store.Tenant(ctx, id); err != nil {
		return err
	}
	return ts.Store.Update(ctx, func(tx teamsops.Tx) error {
		if ts.Jobs != nil {
			if err := ts.Jobs.DeleteTenantJobs(ctx, tx, id); err != nil {
				return err
			}
		}
		return tx.DeleteTenant(ctx, id)
	})
}
