package throttle

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// clock is a fake clock that tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

// scopes records the scope of every refusal.
type scopes []Scope

func (s *scopes) Throttled(_ RequestType, scope Scope) { *s = append(*s, scope) }

func newThrottler(scale float64) (*Throttler, *clock, *scopes) {
	c := &clock{t: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)}
	rec := &scopes{}
	t := New(scale)
	t.Now, t.Recorder = c.now, rec
	return t, c, rec
}

func capacity(rate, scale float64) int { return int(math.Max(1, rate*scale)) }

// TestPerAppPerTenant reaches each row's limit per app per tenant: the
// bucket's tokens pass, the next request is refused with a wait after
// which a retry passes, and other apps and tenants are unaffected.
func TestPerAppPerTenant(t *testing.T) {
	for _, rt := range RequestTypes {
		t.Run(rt.Name, func(t *testing.T) {
			th, c, rec := newThrottler(0.1)
			n := capacity(rt.PerAppPerTenant, 0.1)
			for i := range n {
				if _, ok := th.Allow("tenant-a", "app-1", rt); !ok {
					t.Fatalf("request %d of %d refused", i+1, n)
				}
			}
			wait, ok := th.Allow("tenant-a", "app-1", rt)
			if ok || wait <= 0 || len(*rec) != 1 || (*rec)[0] != ScopeAppTenant {
				t.Fatalf("request %d: ok %v, wait %v, scopes %v", n+1, ok, wait, *rec)
			}
			for _, other := range [][2]string{{"tenant-b", "app-1"}, {"tenant-a", "app-2"}} {
				if _, ok := th.Allow(other[0], other[1], rt); !ok {
					t.Errorf("tenant %s app %s refused", other[0], other[1])
				}
			}
			c.advance(wait)
			if _, ok := th.Allow("tenant-a", "app-1", rt); !ok {
				t.Errorf("refused again after waiting %v", wait)
			}
		})
	}
}

// TestPerAppAcrossTenants reaches each row's limit per app across all
// tenants, one request per tenant.
func TestPerAppAcrossTenants(t *testing.T) {
	for _, rt := range RequestTypes {
		t.Run(rt.Name, func(t *testing.T) {
			th, _, rec := newThrottler(0.1)
			n := capacity(rt.PerApp, 0.1)
			for i := range n {
				if _, ok := th.Allow(fmt.Sprintf("tenant-%d", i), "app-1", rt); !ok {
					t.Fatalf("tenant %d refused", i)
				}
			}
			if _, ok := th.Allow("tenant-new", "app-1", rt); ok || len(*rec) != 1 || (*rec)[0] != ScopeApp {
				t.Fatalf("request %d: ok %v, scopes %v", n+1, ok, *rec)
			}
			if _, ok := th.Allow("tenant-new", "app-2", rt); !ok {
				t.Error("another app refused")
			}
		})
	}
}

// TestGlobal reaches the global limit per app: requests of every type in
// many tenants, until the global bucket is empty.
func TestGlobal(t *testing.T) {
	const scale = 0.01
	th, _, rec := newThrottler(scale)
	admitted := 0
	for tenant := 0; len(*rec) == 0 || (*rec)[len(*rec)-1] != ScopeGlobal; tenant++ {
		if tenant > 1000 {
			t.Fatalf("no global refusal after %d admitted; scopes %v", admitted, *rec)
		}
		for _, rt := range RequestTypes {
			if _, ok := th.Allow(fmt.Sprintf("tenant-%d", tenant), "app-1", rt); ok {
				admitted++
			} else if (*rec)[len(*rec)-1] == ScopeGlobal {
				break
			}
		}
	}
	if want := int(GlobalPerApp * scale); admitted != want {
		t.Errorf("admitted %d before the global limit, want %d", admitted, want)
	}
	if _, ok := th.Allow("tenant-0", "app-2", Other); !ok {
		t.Error("another app refused")
	}
}

// TestRefusalTakesNothing: a refused request takes no token from the
// buckets that had one, so other request types are unaffected.
func TestRefusalTakesNothing(t *testing.T) {
	th, _, _ := newThrottler(0.1)
	if _, ok := th.Allow("t", "a", CreateTeam); !ok {
		t.Fatal("first refused")
	}
	for range 50 {
		th.Allow("t", "a", CreateTeam) // refused: 1 per tenant
	}
	for i := range capacity(OtherGet.PerAppPerTenant, 0.1) {
		if _, ok := th.Allow("t", "a", OtherGet); !ok {
			t.Fatalf("GET %d refused after refused POSTs", i)
		}
	}
}

func TestSweepForgetsFullBuckets(t *testing.T) {
	th, c, _ := newThrottler(1)
	for i := range sweepEvery - 1 {
		th.Allow(fmt.Sprintf("tenant-%d", i), "app", Other)
	}
	c.advance(time.Hour)
	th.Allow("t", "a", Other) // the sweep runs on this call
	if n := len(th.buckets); n != 3 {
		t.Errorf("%d buckets after the sweep, want the 3 of the last request", n)
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in    string
		scale float64
		ok    bool
	}{
		{"off", 0, true}, {"", 0, true}, {"graph", 1, true}, {"GRAPH", 1, true},
		{"scale=0.01", 0.01, true}, {"scale=2", 2, true},
		{"scale=0", 0, false}, {"scale=-1", 0, false}, {"scale=NaN", 0, false}, {"scale=inf", 0, false},
		{"scale=", 0, false}, {"scale=1e7", 0, false}, {"on", 0, false}, {"graph=1", 0, false},
	}
	for _, tt := range tests {
		scale, err := ParseMode(tt.in)
		if (err == nil) != tt.ok || scale != tt.scale {
			t.Errorf("ParseMode(%q) = %v, %v; want %v, ok %v", tt.in, scale, err, tt.scale, tt.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	tests := map[time.Duration]string{
		time.Nanosecond: "1", 999 * time.Millisecond: "1", time.Second: "1",
		1001 * time.Millisecond: "2", 10 * time.Second: "10", 0: "1",
	}
	for wait, want := range tests {
		if got := RetryAfter(wait); got != want {
			t.Errorf("RetryAfter(%v) = %s, want %s", wait, got, want)
		}
	}
}

// TestPerResource reaches the page's limit per app on one team or
// channel, for each kind it names: requests on the resource pass until
// its bucket is empty, the next is refused by it, and another resource of
// the same kind, another app, and a request on no resource still pass.
func TestPerResource(t *testing.T) {
	tests := []struct {
		kind  ResourceKind
		scale float64
		want  int // requests admitted on one resource within a second
	}{
		{KindTeam, 1, 4},
		{KindChannel, 1, 1},
		{KindChat, 1, 1},
		{KindTeam, 0.5, 2},
		{KindChannel, 2, 2},
		{KindChat, 0.5, 1}, // a bucket holds at least one request
		{KindTeam, 0.1, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/scale=%v", tt.kind, tt.scale), func(t *testing.T) {
			rl, _ := resourceLimit(tt.kind)
			if n := capacity(rl.PerApp, tt.scale); n != tt.want {
				t.Fatalf("capacity %d, want %d", n, tt.want)
			}
			th, c, rec := newThrottler(tt.scale)
			res := Resource{tt.kind, "r-1"}
			// A request type whose own limits are far above the resource's.
			rt := GetTeamResource
			for i := range tt.want {
				if _, ok := th.AllowOn("tenant-a", "app-1", rt, res); !ok {
					t.Fatalf("request %d of %d refused", i+1, tt.want)
				}
			}
			wait, ok := th.AllowOn("tenant-a", "app-1", rt, res)
			if ok || wait <= 0 || len(*rec) != 1 || (*rec)[0] != ScopeResource {
				t.Fatalf("request %d: ok %v, wait %v, scopes %v", tt.want+1, ok, wait, *rec)
			}
			if _, ok := th.AllowOn("tenant-a", "app-1", rt, Resource{tt.kind, "r-2"}); !ok {
				t.Error("another resource refused")
			}
			if _, ok := th.AllowOn("tenant-a", "app-2", rt, res); !ok {
				t.Error("another app refused")
			}
			if _, ok := th.Allow("tenant-a", "app-1", rt); !ok {
				t.Error("a request on no resource refused")
			}
			c.advance(wait)
			if _, ok := th.AllowOn("tenant-a", "app-1", rt, res); !ok {
				t.Errorf("refused again after waiting %v", wait)
			}
		})
	}
}

// TestPerResourceKinds: a team, a channel and a chat with the same id are
// three resources, and a kind the page does not limit (or an empty id)
// takes no resource bucket.
func TestPerResourceKinds(t *testing.T) {
	th, _, rec := newThrottler(1)
	for _, res := range []Resource{{KindTeam, "x"}, {KindChannel, "x"}, {KindChat, "x"}} {
		rl, _ := resourceLimit(res.Kind)
		for i := range int(rl.PerApp) {
			if _, ok := th.AllowOn("t", "a", OtherGet, res); !ok {
				t.Fatalf("%v: request %d refused", res, i+1)
			}
		}
	}
	for _, res := range []Resource{{"group", "x"}, {KindTeam, ""}} {
		for i := range 10 {
			if _, ok := th.AllowOn("t", "b", OtherGet, res); !ok {
				t.Fatalf("%v: request %d refused; scopes %v", res, i+1, *rec)
			}
		}
	}
}

// TestPerUser: the page's five requests a second per user on List chats
// and Get chat count the user's requests through every app together; the
// sixth is refused whichever app sends it, another user's pass, and a
// request on a chat and by a user takes from both buckets.
func TestPerUser(t *testing.T) {
	th, c, rec := newThrottler(1)
	user := Resource{KindUser, "u-1"}
	for i := range int(PerUserChats.PerApp) {
		app := []string{"app-1", "app-2"}[i%2]
		if _, ok := th.AllowOn("t", app, OtherGet, user); !ok {
			t.Fatalf("request %d refused", i+1)
		}
	}
	wait, ok := th.AllowOn("t", "app-3", OtherGet, user)
	if ok || wait <= 0 || len(*rec) != 1 || (*rec)[0] != ScopeResource {
		t.Fatalf("sixth request: ok %v, wait %v, scopes %v", ok, wait, *rec)
	}
	if _, ok := th.AllowOn("t", "app-3", OtherGet, Resource{KindUser, "u-2"}); !ok {
		t.Error("another user refused")
	}
	if _, ok := th.AllowOn("t", "app-3", OtherGet, Resource{KindUser, "u-1"}); ok {
		t.Error("the same user in the same tenant admitted")
	}
	if _, ok := th.AllowOn("other-tenant", "app-3", OtherGet, Resource{KindUser, "u-1"}); !ok {
		t.Error("a user of another tenant refused")
	}
	c.advance(wait)
	chat := Resource{KindChat, "c-1"}
	if _, ok := th.AllowOn("t", "app-1", OtherGet, chat, user); !ok {
		t.Fatal("a chat and the user, after the wait, refused")
	}
	if _, ok := th.AllowOn("t", "app-1", OtherGet, chat, Resource{KindUser, "u-2"}); ok {
		t.Error("the chat's second request within a second admitted with another user")
	}
}
