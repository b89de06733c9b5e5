package engine

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/riverqueue/river/rivertype"
	"github.com/teamsops/teamsops"
)

// Profile says how operations behave: how long an attempt of each
// operation type takes, how often a first attempt fails transiently, and
// how failed attempts are retried. Durations and failures are derived from
// a hash of the operation id, so a run can be repeated exactly.
type Profile struct {
	Name string
	// Durations is how long one attempt of each operation type takes;
	// Default is used for the types it does not list.
	Durations map[teamsops.OperationType]Range
	Default   Range
	// FailureRate is the share of operations whose first attempt fails
	// transiently; later attempts fail only when a Fault says so.
	FailureRate float64
	// RetryMin is the wait before the first retry; each further retry
	// waits twice as long, up to RetryMax.
	RetryMin, RetryMax time.Duration
	// MaxAttempts is how many attempts an operation gets before it ends
	// failed.
	MaxAttempts int
	// PollInterval is how long a client should wait before it looks at an
	// operation that has not ended again (Retry-After), in whole seconds.
	PollInterval time.Duration
	// JobTimeout bounds one run of an operation's job. A run only writes
	// to the database (the wait between start and end is a snooze of the
	// job, not a sleep), so it is short in every profile.
	JobTimeout time.Duration
}

// Range is a span of durations, both ends included.
type Range struct{ Min, Max time.Duration }

// jobTimeout is every profile's JobTimeout: a run is two short write
// transactions, each waiting at most SQLite's 5s busy timeout for the lock.
const jobTimeout = 15 * time.Second

// Profiles lists the timing profiles, fastest first. Clients are told to
// look again at once on instant, after a second on fast — a client that
// asks the server to hold its GET ("Prefer: wait") hears of the end at
// once — and after Graph's 30 seconds on realistic.
//
// Graph publishes no durations for Teams async operations. The realistic
// numbers are estimates bounded by what it does publish: a client should
// wait more than 30 seconds between polls of a teamsAsyncOperation
// (api-reference/v1.0/resources/teamsasyncoperation.md), so most operations
// end within a few polls; and a team created from a new group may need
// retries — three, 10 seconds apart, before waiting up to 15 minutes for
// replication (api-reference/v1.0/api/team-put-teams.md). createChat stays
// at a few seconds: installing an app in a chat is quick, and tests that
// restart the server run it.
var Profiles = []Profile{
	{
		Name: "instant", RetryMin: 5 * time.Millisecond, RetryMax: 5 * time.Millisecond,
		MaxAttempts: 3, JobTimeout: jobTimeout,
	},
	{
		Name: "fast", Default: Range{200 * time.Millisecond, 2 * time.Second}, FailureRate: 0.1,
		RetryMin: 100 * time.Millisecond, RetryMax: time.Second, MaxAttempts: 4, JobTimeout: jobTimeout,
		PollInterval: time.Second,
	},
	{
		Name: "realistic",
		Durations: map[teamsops.OperationType]Range{
			teamsops.OperationTypeCreateChat:       {2 * time.Second, 6 * time.Second},
			teamsops.OperationTypeCreateChannel:    {3 * time.Second, 10 * time.Second},
			teamsops.OperationTypeArchiveChannel:   {5 * time.Second, 20 * time.Second},
			teamsops.OperationTypeUnarchiveChannel: {5 * time.Second, 20 * time.Second},
			teamsops.OperationTypeArchiveTeam:      {10 * time.Second, 40 * time.Second},
			teamsops.OperationTypeUnarchiveTeam:    {10 * time.Second, 40 * time.Second},
			teamsops.OperationTypeCreateTeam:       {20 * time.Second, 90 * time.Second},
			teamsops.OperationTypeTeamifyGroup:     {20 * time.Second, 90 * time.Second},
			teamsops.OperationTypeCloneTeam:        {30 * time.Second, 2 * time.Minute},
		},
		Default: Range{5 * time.Second, 30 * time.Second}, FailureRate: 0.05,
		RetryMin: 10 * time.Second, RetryMax: 10 * time.Second, MaxAttempts: 4, JobTimeout: jobTimeout,
		// "Periodically check the status of the operation by making a GET
		// request to this location; wait >30 seconds between checks."
		// (api-reference/v1.0/resources/teamsasyncoperation.md)
		PollInterval: 30 * time.Second,
	},
}

// DefaultProfile is the profile "teamsops serve" uses unless told otherwise.
const DefaultProfile = "fast"

// ProfileByName returns the profile called name.
func ProfileByName(name string) (Profile, error) {
	var names []string
	for _, p := range Profiles {
		if p.Name == name {
			return p, nil
		}
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("engine: no profile %q (want one of %s)", name, strings.Join(names, ", "))
}

// Duration returns how long an attempt of op takes.
func (p Profile) Duration(op *teamsops.Operation) time.Duration {
	r, ok := p.Durations[op.Type]
	if !ok {
		r = p.Default
	}
	return r.Min + time.Duration(unit("duration", op.ID)*float64(r.Max-r.Min))
}

// FirstAttemptFails reports whether op's first attempt fails transiently.
func (p Profile) FirstAttemptFails(op *teamsops.Operation) bool {
	return unit("transient", op.ID) < p.FailureRate
}

// unit maps (salt, id) to [0, 1) evenly and reproducibly.
func unit(salt, id string) float64 {
	h := fnv.New64a()
	h.Write([]byte(salt + "\x00" + id))
	return float64(h.Sum64()>>11) / (1 << 53)
}

// retryPolicy is River's ClientRetryPolicy for a profile: RetryMin after
// the first failure, doubling up to RetryMax.
type retryPolicy struct{ min, max time.Duration }

// NextRetry counts the job's recorded errors, not its attempts, as River's
// default policy does, so snoozes do not lengthen the backoff.
func (r retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	wait := r.min
	for range min(len(job.Errors), 32) {
		if wait >= r.max {
			break
		}
		wait *= 2
	}
	return time.Now().Add(min(wait, r.max))
}
