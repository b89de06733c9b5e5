// Package service is the domain service behind the HTTP edge: for every
// call it reads what authorization needs, applies the endpoint's rule, and
// only then reads what the caller asked for.
package service

import (
	"context"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/authz"
)

// Runner carries operations to their end; package engine implements it.
type Runner interface {
	// Enqueue records op's job inside tx, the transaction that records op
	// itself, so that an operation is never accepted without its job.
	// fault, if not nil, makes its attempts fail on purpose.
	Enqueue(ctx context.Context, tx teamsops.Tx, op *teamsops.Operation, fault *teamsops.Fault) error
}

// Service answers Graph's Teams calls on behalf of a principal.
type Service struct {
	Store teamsops.Store
	// Runner runs the operations that actions start; without one, an
	// action that needs an operation fails with EUNAVAILABLE.
	Runner Runner
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Waits holds requests waiting for operations (WaitOperation); nil:
	// requests are never held.
	Waits *Waits
	// Notifications serves subscriptions (subscriptions.go); nil: creating
	// one fails with EUNAVAILABLE.
	Notifications Notifications
	// MaxSubscriptions bounds the subscriptions of one app in one tenant
	// (serve --max-subscriptions); 0 sets no bound.
	MaxSubscriptions int
}

// New returns a Service over store.
func New(store teamsops.Store) *Service { return &Service{Store: store} }

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Operation returns one operation of a chat or team. It reads the
// caller's access to the resource and the operation at once
// (Store.OperationWithAccess) and answers only if authorization allows.
// Errors: EFORBIDDEN or ENOTFOUND from authorization; ENOTFOUND when the
// operation does not belong to that resource.
func (s *Service) Operation(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef, id string) (*teamsops.Operation, error) {
	rule := operationsRule(ref.Kind)
	if p.PersonalAccount() {
		return nil, authz.Check(p, rule, teamsops.ResourceAccess{}, ref)
	}
	access, op, err := s.Store.OperationWithAccess(ctx, p.TenantID, ref, id, p.UserID, p.AppID)
	if err != nil {
		return nil, err
	}
	if err := authz.Check(p, rule, access, ref); err != nil {
		return nil, err
	}
	if op == nil {
		return nil, teamsops.Errorf(teamsops.ENOTFOUND, "Operation '%s' was not found.", id)
	}
	return op, nil
}

// Operations lists a chat's or team's operations, filtered and paged by q;
// the int is the total count when q.Count is set, else -1.
func (s *Service) Operations(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef, q teamsops.OperationQuery) ([]*teamsops.Operation, int, error) {
	if err := s.authorize(ctx, p, ref, operationsRule(ref.Kind)); err != nil {
		return nil, 0, err
	}
	return s.Store.ListOperations(ctx, p.TenantID, ref, q)
}

// PermissionGrants lists the RSC permission grants on a chat.
func (s *Service) PermissionGrants(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef) ([]*teamsops.PermissionGrant, error) {
	if err := s.authorize(ctx, p, ref, authz.ChatPermissionGrantsRead); err != nil {
		return nil, err
	}
	return s.Store.PermissionGrants(ctx, p.TenantID, ref)
}

func (s *Service) authorize(ctx context.Context, p teamsops.Principal, ref teamsops.ResourceRef, rule authz.Rule) error {
	if p.PersonalAccount() || rule.Collection {
		// Decided before any read: a personal account has no tenant here,
		// and a collection rule reads no access facts.
		return authz.Check(p, rule, teamsops.ResourceAccess{}, ref)
	}
	access, err := s.Store.Access(ctx, p.TenantID, ref, p.UserID, p.AppID)
	if err != nil {
		return err
	}
	return authz.Check(p, rule, access, ref)
}

func operationsRule(kind teamsops.ResourceKind) authz.Rule {
	if kind == teamsops.ResourceTeam {
		return authz.TeamOperationsRead
	}
	return authz.ChatOperationsRead
}
