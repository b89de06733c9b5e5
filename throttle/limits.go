package throttle

// RequestType is one row of the "Microsoft Teams service limits" table of
// Graph's throttling-limits page (concepts/throttling-limits.md): the
// requests it groups and its two limits, in requests per second.
type RequestType struct {
	// Name is the row's first column, as the page writes it.
	Name string
	// PerAppPerTenant is the "Limit per app per tenant".
	PerAppPerTenant float64
	// PerApp is the "Limit per app across all tenants".
	PerApp float64
}

// The rows of the table that cover what teamsops serves. Rows for
// messages, tabs, schedules and activity notifications are left out:
// nothing here serves them.
var (
	// GetTeamResource: "GET team, channel, tab, installedApps, appCatalogs".
	GetTeamResource = RequestType{"GET team, channel, tab, installedApps, appCatalogs", 30, 600}
	// WriteTeamResource: "POST/PUT channel, tab, installedApps, appCatalogs".
	WriteTeamResource = RequestType{"POST/PUT channel, tab, installedApps, appCatalogs", 30, 300}
	// GetTeam: "GET /teams/{team-id}, joinedTeams".
	GetTeam = RequestType{"GET /teams/{team-id}, joinedTeams", 30, 300}
	// CreateTeam: "POST /teams".
	CreateTeam = RequestType{"POST /teams", 10, 100}
	// TeamFromGroupOrClone: "PUT /groups/{team-id}/team, clone".
	TeamFromGroupOrClone = RequestType{"PUT /groups/{team-id}/team, clone", 6, 150}
	// GetTeamMembers: "GET /teams/{team-id}/members".
	GetTeamMembers = RequestType{"GET /teams/{team-id}/members", 60, 1200}
	// GetChannels: "GET /teams/{team-id}/channels".
	GetChannels = RequestType{"GET /teams/{team-id}/channels", 60, 1200}
	// OtherGet: "Other GET API calls for Microsoft Teams".
	OtherGet = RequestType{"Other GET API calls for Microsoft Teams", 30, 1500}
	// Other: "Other API calls for Microsoft Teams".
	Other = RequestType{"Other API calls for Microsoft Teams", 30, 300}
)

// RequestTypes lists the rows above, in the page's order.
var RequestTypes = []RequestType{
	GetTeamResource, WriteTeamResource, GetTeam, CreateTeam, TeamFromGroupOrClone,
	GetTeamMembers, GetChannels, OtherGet, Other,
}

// ResourceLimit is a limit the page sets on the requests of one app to one
// resource, whatever the request's row: its rate in requests per second and
// the kinds of resource it is counted on.
type ResourceLimit struct {
	// Text is the page's sentence, as it writes it.
	Text string
	// PerApp is the number of requests per second per app on one resource.
	PerApp float64
	// Kinds are the resources it counts on, each on its own.
	Kinds []ResourceKind
	// AllApps says the limit counts the requests of every app together:
	// it is per user, not per app.
	AllApps bool
}

// ResourceKind names the kind of resource a ResourceLimit counts on.
type ResourceKind string

// The kinds of resource the page limits.
const (
	KindTeam    ResourceKind = "team"
	KindChannel ResourceKind = "channel"
	KindChat    ResourceKind = "chat"
	// KindUser is the signed-in user of a delegated request.
	KindUser ResourceKind = "user"
)

// The sentences under the Teams table (includes/throttling-teams.md, which
// concepts/throttling-limits.md includes).
var (
	// PerTeam: "A maximum of four requests per second per app can be
	// issued on a given team."
	PerTeam = ResourceLimit{
		Text:   "A maximum of four requests per second per app can be issued on a given team.",
		PerApp: 4,
		Kinds:  []ResourceKind{KindTeam},
	}
	// PerChannelOrChat: "A maximum of one request per second per app per
	// tenant can be issued on a given channel or chat." The table's column
	// "Limit per app per tenant per resource (chat/channel)" says the same,
	// 1 rps, for every row served here that has it.
	PerChannelOrChat = ResourceLimit{
		Text:   "A maximum of one request per second per app per tenant can be issued on a given channel or chat.",
		PerApp: 1,
		Kinds:  []ResourceKind{KindChannel, KindChat},
	}
)

// PerUserChats: "A maximum of five requests per second per user can be
// issued when doing List chats or Get chat". The user is the one who
// issues the request, a delegated token's; an application's requests
// are issued by no user and count against no user's limit.
var PerUserChats = ResourceLimit{
	Text:    "A maximum of five requests per second per user can be issued when doing List chats or Get chat",
	PerApp:  5,
	Kinds:   []ResourceKind{KindUser},
	AllApps: true,
}

// ResourceLimits lists the limits per resource, in the page's order.
var ResourceLimits = []ResourceLimit{PerTeam, PerChannelOrChat, PerUserChats}

// GlobalPerApp is the global limit the same page gives before every
// service's table: any request, 2000 requests per second per app across
// all tenants.
const GlobalPerApp = 2000
