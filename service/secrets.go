package service

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
)

// secretPlan is, for each app registration of a declaration, the hashes
// its client secrets get: the stored hash of a secret the store already
// holds, a new one otherwise; and for each user with a password, the hash
// it gets (see passwordDigest). bcrypt makes each comparison cost tens of
// milliseconds, so the plan is worked out before the apply's transaction
// (which would hold the database's write lock meanwhile), every
// comparison at once on every core; the transaction uses it only if what
// it was made from is still what the store holds.
type secretPlan struct {
	from   map[string][]string // the stored hashes, by client id
	hashes map[string][]string
	kept   map[string]int // how many secrets kept their hash
	// recorded is each user's digest in the tenant's record, by user id;
	// passwords the hashes their passwords get.
	recorded  map[string]string
	passwords map[string]string
}

// planSecrets reads the stored hashes of d's apps and the record of d's
// users, and matches every secret and password of the declaration against
// them, in parallel.
func planSecrets(ctx context.Context, store teamsops.Store, d *teamsops.Declaration) (*secretPlan, error) {
	p := &secretPlan{from: map[string][]string{}, hashes: map[string][]string{}, kept: map[string]int{},
		recorded: map[string]string{}, passwords: map[string]string{}}
	var jobs []hashJob
	for _, r := range d.AppRegistrations {
		stored, err := store.AppRegistration(ctx, r.TenantID, r.ClientID)
		if err != nil && teamsops.ErrorCode(err) != teamsops.ENOTFOUND {
			return nil, err
		}
		var old []string
		if stored != nil {
			old = stored.SecretHashes
		}
		p.from[r.ClientID] = old
		secrets := d.ClientSecrets[r.ClientID]
		hashes := make([]string, len(secrets))
		p.hashes[r.ClientID] = hashes
		for i, s := range secrets {
			jobs = append(jobs, hashJob{s, old, func(h string, kept bool) {
				hashes[i] = h
				if kept {
					p.kept[r.ClientID]++
				}
			}})
		}
	}
	if len(d.Passwords) > 0 {
		declared, err := store.Declared(ctx, d.Tenant.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range declared {
			if e.Kind == teamsops.DeclaredUser {
				p.recorded[e.ID] = e.Digest
			}
		}
	}
	for id, password := range d.Passwords {
		jobs = append(jobs, hashJob{password, passwordHashOf(p.recorded[id]), func(h string, _ bool) { p.passwords[id] = h }})
	}
	return p, hashAll(jobs)
}

// hashJob is one secret or password to hash: done hears the stored hash
// among old that matches it, or a new one.
type hashJob struct {
	secret string
	old    []string
	done   func(hash string, kept bool)
}

// hashAll runs jobs on every core at once; their done functions run one
// at a time. It returns the first error.
func hashAll(jobs []hashJob) error {
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, j := range jobs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			h, kept, err := hashFor(j.secret, j.old)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				firstErr = cmpOrErr(firstErr, err)
				return
			}
			j.done(h, kept)
		})
	}
	wg.Wait()
	return firstErr
}

// hashFor returns the stored hash that matches secret, or a new one.
func hashFor(secret string, old []string) (string, bool, error) {
	if i := slices.IndexFunc(old, func(h string) bool { return identity.CheckSecret(h, secret) }); i >= 0 {
		return old[i], true, nil
	}
	h, err := identity.HashSecret(secret)
	return h, false, err
}

// lookup returns the planned hashes of an app and how many were kept,
// if its stored hashes are still those the plan was made from.
func (p *secretPlan) lookup(clientID string, stored []string) ([]string, int, bool) {
	if p == nil {
		return nil, 0, false
	}
	from, ok := p.from[clientID]
	if !ok || !slices.Equal(from, stored) {
		return nil, 0, false
	}
	return p.hashes[clientID], p.kept[clientID], true
}

// password returns the planned hash of a user's password, if the user's
// record is still the one the plan was made from.
func (p *secretPlan) password(userID, recorded string) (string, bool) {
	if p == nil {
		return "", false
	}
	h, ok := p.passwords[userID]
	return h, ok && p.recorded[userID] == recorded
}

// A user with a password is recorded with the password's bcrypt hash after
// the digest of the rest: the record tells whether the password changed
// since the last apply, as it tells of everything a file declares, and the
// hash is the one the store keeps, so an unchanged password keeps its
// hash. The record never holds a password, nor a fast hash of one.

// passwordDigest is the recorded digest of a user whose password hashes
// to hash.
func passwordDigest(digest, hash string) string { return digest + " " + hash }

// passwordHashOf returns the hash a user's recorded digest ends with, if
// any, as the list hashFor takes.
func passwordHashOf(recorded string) []string {
	if _, h, ok := strings.Cut(recorded, " "); ok {
		return []string{h}
	}
	return nil
}

// hashPasswords gives each password of the declaration its hash: the
// planned one, unless a user's record changed since the plan was made
// (another apply committed meanwhile), in which case it is worked out
// here, against the hash the record holds now.
func (a *applier) hashPasswords() error {
	a.passwords = map[string]string{}
	for id, password := range a.d.Passwords {
		recorded := a.before[key(teamsops.DeclaredUser, teamsops.ResourceRef{}, id)]
		h, ok := a.secrets.password(id, recorded)
		if !ok {
			var err error
			if h, _, err = hashFor(password, passwordHashOf(recorded)); err != nil {
				return err
			}
		}
		a.passwords[id] = h
	}
	return nil
}

func cmpOrErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
