package notification

import (
	"context"
	"slices"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// A receiver must never learn anything of a resource its subscriber may no
// longer read, so access is checked again before every delivery, with the
// subscriber's principal as of its subscription (or last
// reauthorization), narrowed to the application permissions its app still
// holds, and with membership and resource-specific grants as they are now.

// subscriber returns the principal to check a subscription's access with,
// and whether application permissions it had were revoked since.
func (n *Notifier) subscriber(ctx context.Context, sub *teamsops.Subscription) (teamsops.Principal, bool, error) {
	p := sub.Subscriber()
	if p.Delegated() || len(p.Roles) == 0 {
		return p, false, nil
	}
	app, err := n.cfg.Store.AppRegistration(ctx, sub.TenantID, sub.ApplicationID)
	if teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
		return p, false, nil // an app of a trusted issuer: its token's roles stand
	} else if err != nil {
		return p, false, err
	}
	var kept []string
	for _, r := range p.Roles {
		if slices.Contains(app.Roles, r) {
			kept = append(kept, r)
		}
	}
	revoked := len(kept) < len(p.Roles)
	p.Roles = kept
	return p, revoked, nil
}

// allowed reports whether p may still read the operations of ref, under
// the rule that governs reading them.
func (n *Notifier) allowed(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef) (bool, error) {
	rule := authz.ChatOperationsRead
	if ref.Kind == teamsops.ResourceTeam {
		rule = authz.TeamOperationsRead
	}
	a, err := n.cfg.Store.Access(ctx, p.TenantID, ref, p.UserID, p.AppID)
	if err != nil {
		return false, err
	}
	switch err := authz.Check(p, rule, a, ref); teamsops.ErrorCode(err) {
	case "":
		return true, nil
	case teamsops.EFORBIDDEN, teamsops.ENOTFOUND:
		return false, nil
	default:
		return false, err
	}
}

// subscriptionAllowed reports whether the subscriber may still subscribe
// to its resource: read its chat or team, or hold a permission of the
// tenant-wide resource's rule.
func (n *Notifier) subscriptionAllowed(ctx context.Context, sub *teamsops.Subscription, p teamsops.Principal) (bool, error) {
	if sub.Target.ID != "" {
		return n.allowed(ctx, p, teamsops.ResourceRef(sub.Target))
	}
	err := authz.Check(p, authz.SubscribeAllOperations(sub.Target.Kind), teamsops.ResourceAccess{}, teamsops.ResourceRef{})
	return err == nil, nil
}

// readable returns the changes of notes the subscriber may still read.
// When it may no longer read its subscription's resource at all, the
// subscription is removed (removed true) and nothing is sent.
func (n *Notifier) readable(ctx context.Context, sub *teamsops.Subscription, notes []*teamsops.Notification) ([]*teamsops.Notification, bool, error) {
	p, _, err := n.subscriber(ctx, sub)
	if err != nil {
		return nil, false, err
	}
	ok, err := n.subscriptionAllowed(ctx, sub, p)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, true, n.remove(ctx, sub.TenantID, sub.ID, "the subscriber lost access to the resource")
	}
	seen := map[teamsops.ResourceRef]bool{}
	var out []*teamsops.Notification
	for _, note := range notes {
		ref := note.Operation.Resource
		ok, known := seen[ref]
		if !known {
			if ok, err = n.allowed(ctx, p, ref); err != nil {
				return nil, false, err
			}
			seen[ref] = ok
		}
		if ok {
			out = append(out, note)
		}
	}
	return out, false, nil
}
