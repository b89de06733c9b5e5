package http

import (
	"context"
	"time"

	"github.com/teamsops/teamsops"
)

// Observer hears of what the edge does, for metrics (package metrics
// implements it).
type Observer interface {
	// Request is called once per answered request with its route
	// template, never its path, so that what is counted stays bounded.
	Request(route, method string, status int, took time.Duration)
	// Accepted is called when an action answers 202 with an operation.
	Accepted(op *teamsops.Operation)
}

// Spans names and annotates the trace span of each request
// (internal/tracing implements it). Server.Spans is nil when tracing is
// off, and then the edge does nothing for it.
type Spans interface {
	// Routed is called once a Graph request's route and caller are
	// known: its version ("beta"), its route template
	// ("/chats/{chat-id}/operations/{operation-id}", as Observer.Request's)
	// and the operation it addresses, if any.
	Routed(ctx context.Context, method, version, route, tenantID, operationID string)
}

// Route templates of what is not a Graph resource.
const (
	routeUnknown  = "other"
	routeHealth   = "/healthz"
	routeReady    = "/readyz"
	routeIdentity = "/{tenant}/identity"
)

// teamTemplates are the route templates of the team, channel and group
// endpoints.
var teamTemplates = map[string]string{
	teamsCollection:  "/teams",
	teamItem:         "/teams/{team-id}",
	teamClone:        "/teams/{team-id}/clone",
	teamArchive:      "/teams/{team-id}/archive",
	teamUnarchive:    "/teams/{team-id}/unarchive",
	teamMembers:      "/teams/{team-id}/members",
	teamChannels:     "/teams/{team-id}/channels",
	channelItem:      "/teams/{team-id}/channels/{channel-id}",
	channelArchive:   "/teams/{team-id}/channels/{channel-id}/archive",
	channelUnarchive: "/teams/{team-id}/channels/{channel-id}/unarchive",
	groupItem:        "/groups/{group-id}",
	groupTeam:        "/groups/{group-id}/team",
}

// subscriptionTemplates are the route templates of the subscription
// endpoints.
var subscriptionTemplates = map[string]string{
	subscriptionsCollection: "/subscriptions",
	subscriptionItem:        "/subscriptions/{subscription-id}",
	subscriptionReauthorize: "/subscriptions/{subscription-id}/reauthorize",
}

// template names the route as its Graph page does, keys as placeholders.
func (rt route) template() string {
	switch {
	case rt.batch:
		return "/$batch"
	case rt.list != nil && rt.list.user == "":
		return "/me/" + rt.list.endpoint
	case rt.list != nil:
		return "/users/{user-id}/" + rt.list.endpoint
	case rt.user != nil && rt.user.id == "":
		return "/me"
	case rt.user != nil:
		return "/users/{user-id}"
	case rt.subscription != nil:
		return subscriptionTemplates[rt.subscription.endpoint]
	case rt.team != nil && rt.team.group && rt.team.endpoint == channelArchive:
		return "/groups/{group-id}/team/channels/{channel-id}/archive"
	case rt.team != nil && rt.team.group && rt.team.endpoint == channelUnarchive:
		return "/groups/{group-id}/team/channels/{channel-id}/unarchive"
	}
	if rt.team != nil {
		if t, ok := teamTemplates[rt.team.endpoint]; ok {
			return t
		}
		return routeUnknown
	}
	kind := string(rt.resource.Kind)
	if rt.resource.ID == "" {
		return "/" + kind
	}
	key := "/" + kind + "/{" + kind[:len(kind)-1] + "-id}"
	switch {
	case rt.nav == "":
		return key
	case rt.count:
		return key + "/operations/$count"
	case rt.hasID && rt.nav == "installedApps":
		return key + "/installedApps/{teamsAppInstallation-id}"
	case rt.hasID:
		return key + "/" + rt.nav + "/{operation-id}"
	}
	return key + "/" + rt.nav
}

// operationID is the id of the operation the route addresses, if any.
func (rt route) operationID() string {
	if rt.nav == "operations" && rt.hasID {
		return rt.id
	}
	return ""
}
