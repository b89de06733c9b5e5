package service

import (
	"context"
	"runtime"
	"slices"
	"sync"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/identity"
)

// secretPlan is, for each app registration of a declaration, the hashes
// its client secrets get: the stored hash of a secret the store already
// holds, a new one otherwise. bcrypt makes each comparison cost tens of
// milliseconds, so the plan is worked out before the apply's transaction
// (which would hold the database's write lock meanwhile), every
// comparison at once on every core; the transaction uses it only if the
// app's stored hashes are still those it was made from.
type secretPlan struct {
	from   map[string][]string // the stored hashes, by client id
	hashes map[string][]string
	kept   map[string]int // how many secrets kept their hash
}

// planSecrets reads the stored hashes of d's apps and matches every
// secret of the declaration against them, in parallel.
func planSecrets(ctx context.Context, store teamsops.Store, d *teamsops.Declaration) (*secretPlan, error) {
	p := &secretPlan{from: map[string][]string{}, hashes: map[string][]string{}, kept: map[string]int{}}
	type job struct {
		clientID string
		i        int
		secret   string
		old      []string
	}
	var jobs []job
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
		p.hashes[r.ClientID] = make([]string, len(secrets))
		for i, s := range secrets {
			jobs = append(jobs, job{r.ClientID, i, s, old})
		}
	}
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
			p.hashes[j.clientID][j.i] = h
			if kept {
				p.kept[j.clientID]++
			}
		})
	}
	wg.Wait()
	return p, firstErr
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

func cmpOrErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
