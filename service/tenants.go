package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/teamsops/teamsops"
)

// Tenants applies tenant declarations (tenant files, the admin API) and
// deletes tenants: the operator's side of the domain, which no Graph
// caller reaches.
//
// Applying a declaration brings its tenant to what it says, in one
// transaction, and records what it declared. Applying it again changes
// nothing: an entity whose declaration did not change since the last apply
// is not written, so what clients changed at run time (a team archived
// through Graph) stays. An entity whose declaration changed is written
// anew; one the previous declaration listed and this one does not is
// deleted. Client secrets and passwords are stored as bcrypt hashes: one
// that did not change keeps its hash. Entities clients created — chats
// from POST /chats, teams and channels made by operations, operations
// started through Graph — and fault rules created through the admin API
// are never deleted by an apply. Declared operations are recorded as they
// are: nothing runs them.
type Tenants struct {
	Store teamsops.Store
	// Jobs deletes a tenant's jobs in the transaction that deletes the
	// tenant (engine.Runner); nil when no engine shares the database.
	Jobs interface {
		DeleteTenantJobs(ctx context.Context, tx teamsops.Tx, tenantID string) error
	}
	// Now is the clock: a declared entity without a createdDateTime is
	// created now. Nil means time.Now.
	Now func() time.Time
}

func (ts *Tenants) now() time.Time {
	if ts.Now != nil {
		return ts.Now().UTC()
	}
	return time.Now().UTC()
}

// Apply applies declarations, all in one transaction: if any fails,
// nothing is written. The error says which entity could not be written.
func (ts *Tenants) Apply(ctx context.Context, ds ...*teamsops.Declaration) error {
	_, err := ts.ApplySummary(ctx, ds...)
	return err
}

// Counts is what an apply did to the declared entities of one kind.
type Counts struct {
	Created, Changed, Deleted, Unchanged int
}

// Summary is what an apply did to one tenant: the counts of each kind
// it declares or declared, in teamsops.DeclaredKinds order.
type Summary struct {
	TenantID, DisplayName string
	Kinds                 map[teamsops.DeclaredKind]*Counts
}

// ApplySummary is Apply that also says, per tenant and kind, how many
// entities it created, changed, deleted or left as they were, in the
// order of ds. On an error nothing was written and it returns none.
func (ts *Tenants) ApplySummary(ctx context.Context, ds ...*teamsops.Declaration) ([]Summary, error) {
	now := ts.now()
	plans := make([]*secretPlan, len(ds))
	for i, d := range ds {
		var err error
		if plans[i], err = planSecrets(ctx, ts.Store, d); err != nil {
			return nil, fmt.Errorf("apply tenant %s: %w", d.Tenant.ID, err)
		}
	}
	var sums []Summary
	err := ts.Store.Update(ctx, func(tx teamsops.Tx) error {
		sums = sums[:0] // the store may run the function again
		for i, d := range ds {
			a := &applier{tx: tx, d: d, now: now, secrets: plans[i], counts: map[teamsops.DeclaredKind]*Counts{}}
			if err := a.apply(ctx); err != nil {
				if code := teamsops.ErrorCode(err); code != teamsops.EINTERNAL {
					return teamsops.Errorf(code, "Tenant %s: %s", d.Tenant.ID, teamsops.ErrorMessage(err))
				}
				return fmt.Errorf("apply tenant %s: %w", d.Tenant.ID, err)
			}
			sums = append(sums, Summary{TenantID: d.Tenant.ID, DisplayName: d.Tenant.DisplayName, Kinds: a.counts})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sums, nil
}

// count returns the counts of kind, made on first use.
func (a *applier) count(kind teamsops.DeclaredKind) *Counts {
	c := a.counts[kind]
	if c == nil {
		c = &Counts{}
		a.counts[kind] = c
	}
	return c
}

// applier applies one declaration inside a transaction.
type applier struct {
	tx  teamsops.Tx
	d   *teamsops.Declaration
	now time.Time
	// before is what the last apply declared, by entity key, with its digest.
	before map[string]string
	// after is what this one declares.
	after []teamsops.Declared
	// wrote says whether the apply deleted or wrote any entity.
	wrote bool
	// secrets are the hashes the apps' secrets and the users' passwords
	// get (planSecrets); passwords those of the passwords, by user id.
	secrets   *secretPlan
	passwords map[string]string
	// counts is what the apply did, by kind; appKept says the last
	// writeApp found the app registration as declared and left it.
	counts  map[teamsops.DeclaredKind]*Counts
	appKept bool
}

// key identifies a declared entity among the tenant's.
func key(kind teamsops.DeclaredKind, parent teamsops.ResourceRef, id string) string {
	return string(kind) + "\x00" + parent.ID + "\x00" + id
}

// digest identifies what an entity was declared as.
func digest(v any) string {
	b, _ := json.Marshal(v) // domain values always marshal
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func (a *applier) apply(ctx context.Context) error {
	tenantID := a.d.Tenant.ID
	before, err := a.tx.Declared(ctx, tenantID)
	if err != nil {
		return err
	}
	a.before = map[string]string{}
	for _, e := range before {
		a.before[key(e.Kind, e.Parent, e.ID)] = e.Digest
	}
	if err := a.tx.CreateTenant(ctx, &a.d.Tenant); err != nil {
		return err
	}
	if err := a.hashPasswords(); err != nil {
		return err
	}
	a.declareAll()
	if err := a.deleteUndeclared(ctx, before); err != nil {
		return err
	}
	if err := a.writeChanged(ctx); err != nil {
		return err
	}
	if !a.wrote && len(before) == len(a.after) {
		return nil // the same declaration: the record stands
	}
	return a.tx.SetDeclared(ctx, tenantID, a.after)
}

// declareAll lists what the declaration declares, with digests.
func (a *applier) declareAll() {
	add := func(kind teamsops.DeclaredKind, parent teamsops.ResourceRef, id string, v any) {
		a.after = append(a.after, teamsops.Declared{Kind: kind, Parent: parent, ID: id, Digest: digest(v)})
	}
	none := teamsops.ResourceRef{}
	for _, u := range a.d.Users {
		if h, ok := a.passwords[u.ID]; ok {
			v := *u
			v.PasswordHash = ""
			a.after = append(a.after, teamsops.Declared{Kind: teamsops.DeclaredUser, ID: u.ID, Digest: passwordDigest(digest(v), h)})
			continue
		}
		add(teamsops.DeclaredUser, none, u.ID, u)
	}
	for _, r := range a.d.AppRegistrations {
		add(teamsops.DeclaredAppRegistration, none, r.ClientID, r) // secrets are compared apart
	}
	for _, r := range a.d.FaultRules {
		add(teamsops.DeclaredFaultRule, none, r.ID, r)
	}
	for _, app := range a.d.TeamsApps {
		add(teamsops.DeclaredTeamsApp, none, app.ID, app)
	}
	for _, g := range a.d.Groups {
		add(teamsops.DeclaredGroup, none, g.ID, g)
	}
	for _, t := range a.d.Teams {
		add(teamsops.DeclaredTeam, none, t.ID, t)
	}
	for _, c := range a.d.Channels {
		add(teamsops.DeclaredChannel, teamRef(c.TeamID), c.ID, c)
	}
	for _, c := range a.d.Chats {
		add(teamsops.DeclaredChat, none, c.ID, c)
	}
	for _, i := range a.d.AppInstallations {
		add(teamsops.DeclaredAppInstallation, i.Resource, i.ID, i)
	}
	for _, g := range a.d.PermissionGrants {
		add(teamsops.DeclaredPermissionGrant, g.Resource, g.ID, g)
	}
	for _, op := range a.d.Operations {
		add(teamsops.DeclaredOperation, op.Resource, op.ID, op)
	}
}

// deleteUndeclared deletes what the last apply declared and this one does
// not, dependents first.
func (a *applier) deleteUndeclared(ctx context.Context, before []teamsops.Declared) error {
	now := map[string]bool{}
	for _, e := range a.after {
		now[key(e.Kind, e.Parent, e.ID)] = true
	}
	gone := slices.DeleteFunc(slices.Clone(before), func(e teamsops.Declared) bool { return now[key(e.Kind, e.Parent, e.ID)] })
	slices.SortStableFunc(gone, func(x, y teamsops.Declared) int {
		return slices.Index(teamsops.DeclaredKinds, y.Kind) - slices.Index(teamsops.DeclaredKinds, x.Kind)
	})
	tenantID := a.d.Tenant.ID
	a.wrote = a.wrote || len(gone) > 0
	for _, e := range gone {
		a.count(e.Kind).Deleted++
		var err error
		switch e.Kind {
		case teamsops.DeclaredOperation:
			err = a.tx.DeleteOperation(ctx, tenantID, e.ID)
		case teamsops.DeclaredPermissionGrant:
			err = a.tx.DeletePermissionGrant(ctx, tenantID, e.ID)
		case teamsops.DeclaredAppInstallation:
			err = a.tx.DeleteAppInstallation(ctx, tenantID, e.ID)
		case teamsops.DeclaredChat:
			err = a.tx.DeleteChat(ctx, tenantID, e.ID)
		case teamsops.DeclaredChannel:
			err = a.tx.DeleteChannel(ctx, tenantID, e.Parent.ID, e.ID)
		case teamsops.DeclaredTeam:
			err = a.tx.DeleteTeam(ctx, tenantID, e.ID)
		case teamsops.DeclaredGroup:
			err = a.tx.DeleteGroup(ctx, tenantID, e.ID)
		case teamsops.DeclaredTeamsApp:
			err = a.tx.DeleteTeamsApp(ctx, tenantID, e.ID)
		case teamsops.DeclaredFaultRule:
			// The admin API may have deleted it already.
			if err = a.tx.DeleteFaultRule(ctx, tenantID, e.ID); teamsops.ErrorCode(err) == teamsops.ENOTFOUND {
				err = nil
			}
		case teamsops.DeclaredAppRegistration:
			err = a.tx.DeleteAppRegistration(ctx, tenantID, e.ID)
		case teamsops.DeclaredUser:
			err = a.tx.DeleteUser(ctx, tenantID, e.ID)
		}
		if err != nil {
			return entityError("delete", e, err)
		}
	}
	return nil
}

// entityError says which entity could not be deleted or written, keeping
// the store's code: a conflict with what clients created is the caller's
// to resolve.
func entityError(what string, e teamsops.Declared, err error) error {
	if code := teamsops.ErrorCode(err); code != teamsops.EINTERNAL {
		return teamsops.Errorf(code, "Cannot %s %s %s: %s", what, e.Kind, e.ID, teamsops.ErrorMessage(err))
	}
	return fmt.Errorf("%s %s %s: %w", what, e.Kind, e.ID, err)
}

// unchanged reports whether the last apply declared the i-th entity of
// this one exactly so.
func (a *applier) unchanged(i int) bool {
	e := a.after[i]
	d, ok := a.before[key(e.Kind, e.Parent, e.ID)]
	return ok && d == e.Digest
}

// writeChanged writes every entity whose declaration is new or changed,
// in the order of a.after (teamsops.DeclaredKinds: referenced first).
func (a *applier) writeChanged(ctx context.Context) error {
	for i, e := range a.after {
		c := a.count(e.Kind)
		if a.unchanged(i) && e.Kind != teamsops.DeclaredAppRegistration {
			c.Unchanged++
			continue
		}
		a.appKept = false
		if err := a.write(ctx, i, e); err != nil {
			return entityError("write", e, err)
		}
		_, existed := a.before[key(e.Kind, e.Parent, e.ID)]
		switch {
		case a.appKept:
			c.Unchanged++
		case existed:
			c.Changed++
		default:
			c.Created++
		}
	}
	return nil
}

// write writes the i-th declared entity, which is of kind e.Kind: the
// entities of each kind follow each other in a.after as in a.d.
func (a *applier) write(ctx context.Context, i int, e teamsops.Declared) error {
	n := i - slices.IndexFunc(a.after, func(x teamsops.Declared) bool { return x.Kind == e.Kind })
	tx, d := a.tx, a.d
	if e.Kind != teamsops.DeclaredAppRegistration {
		a.wrote = true
	}
	switch e.Kind {
	case teamsops.DeclaredUser:
		u := *d.Users[n]
		if h, ok := a.passwords[u.ID]; ok {
			u.PasswordHash = h
		}
		return tx.CreateUser(ctx, &u)
	case teamsops.DeclaredAppRegistration:
		return a.writeApp(ctx, d.AppRegistrations[n], a.unchanged(i))
	case teamsops.DeclaredFaultRule:
		return a.writeFaultRule(ctx, d.FaultRules[n])
	case teamsops.DeclaredTeamsApp:
		return tx.CreateTeamsApp(ctx, d.TeamsApps[n])
	case teamsops.DeclaredGroup:
		g := *d.Groups[n]
		old, err := tx.Group(ctx, g.TenantID, g.ID)
		if g.CreatedDateTime, err = a.created(g.CreatedDateTime, err, func() time.Time { return old.CreatedDateTime }); err != nil {
			return err
		}
		return tx.CreateGroup(ctx, &g)
	case teamsops.DeclaredTeam:
		t := *d.Teams[n]
		old, err := tx.Team(ctx, t.TenantID, t.ID)
		if t.CreatedDateTime, err = a.created(t.CreatedDateTime, err, func() time.Time { return old.CreatedDateTime }); err != nil {
			return err
		}
		return tx.CreateTeam(ctx, &t)
	case teamsops.DeclaredChannel:
		c := *d.Channels[n]
		old, err := tx.Channel(ctx, c.TenantID, c.TeamID, c.ID)
		if c.CreatedDateTime, err = a.created(c.CreatedDateTime, err, func() time.Time { return old.CreatedDateTime }); err != nil {
			return err
		}
		return tx.CreateChannel(ctx, &c)
	case teamsops.DeclaredChat:
		c := *d.Chats[n]
		old, err := tx.Chat(ctx, c.TenantID, c.ID)
		if c.CreatedDateTime, err = a.created(c.CreatedDateTime, err, func() time.Time { return old.CreatedDateTime }); err != nil {
			return err
		}
		return tx.CreateChat(ctx, &c)
	case teamsops.DeclaredAppInstallation:
		return tx.CreateAppInstallation(ctx, d.AppInstallations[n])
	case teamsops.DeclaredPermissionGrant:
		return tx.CreatePermissionGrant(ctx, d.PermissionGrants[n])
	case teamsops.DeclaredOperation:
		op := *d.Operations[n]
		old, err := tx.OperationByID(ctx, op.TenantID, op.ID)
		if op.CreatedDateTime, err = a.created(op.CreatedDateTime, err, func() time.Time { return old.CreatedDateTime }); err != nil {
			return err
		}
		if op.LastActionDateTime.IsZero() {
			op.LastActionDateTime = op.CreatedDateTime
		}
		return tx.CreateOperation(ctx, &op)
	}
	return nil
}

// created is an entity's createdDateTime: the declared one, else the one
// it was first written with (old, when reading it found it: err is nil),
// else now.
func (a *applier) created(declared time.Time, err error, old func() time.Time) (time.Time, error) {
	switch {
	case !declared.IsZero():
		return declared, nil
	case err == nil:
		return old(), nil
	case teamsops.ErrorCode(err) == teamsops.ENOTFOUND:
		return a.now, nil
	}
	return time.Time{}, err
}

// writeApp writes an app registration unless neither it nor its secrets
// changed. A secret keeps the hash it has: bcrypt hashes differ each
// time, and re-hashing would change the app at every apply.
func (a *applier) writeApp(ctx context.Context, r *teamsops.AppRegistration, unchanged bool) error {
	stored, err := a.tx.AppRegistration(ctx, r.TenantID, r.ClientID)
	if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
		return err
	}
	var old []string
	if stored != nil {
		old = stored.SecretHashes
	}
	secrets := a.d.ClientSecrets[r.ClientID]
	hashes, kept, planned := a.secrets.lookup(r.ClientID, old)
	if !planned { // the stored hashes changed since the plan was made
		hashes, kept = make([]string, 0, len(secrets)), 0
		for _, secret := range secrets {
			h, k, err := hashFor(secret, old)
			if err != nil {
				return err
			}
			hashes = append(hashes, h)
			if k {
				kept++
			}
		}
	}
	if unchanged && stored != nil && kept == len(secrets) && len(old) == len(secrets) {
		a.appKept = true
		return nil
	}
	a.wrote = true
	app := *r
	app.SecretHashes = hashes
	return a.tx.CreateAppRegistration(ctx, &app)
}
