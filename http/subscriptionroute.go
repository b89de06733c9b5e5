package http

import (
	"strings"

	"github.com/teamsops/teamsops/odata"
)

// Endpoints of the subscription routes ("subscription resource type",
// api-reference/v1.0/resources/subscription.md, "Methods").
const (
	subscriptionsCollection = "subscriptions" // GET, POST /subscriptions
	subscriptionItem        = "subscription"  // GET, PATCH, DELETE /subscriptions/{id}
	subscriptionReauthorize = "reauthorize"   // POST /subscriptions/{id}/reauthorize
)

// subscriptionRoute is a route of the subscription endpoints.
type subscriptionRoute struct {
	endpoint string
	id       string
}

// matchSubscriptionRoute resolves /subscriptions and what follows it; it
// reports false for any other path.
func matchSubscriptionRoute(segs []odata.Segment) (*subscriptionRoute, bool, error) {
	if !strings.EqualFold(segs[0].Name, "subscriptions") {
		return nil, false, nil
	}
	if len(segs) == 1 && !segs[0].HasKey {
		return &subscriptionRoute{endpoint: subscriptionsCollection}, true, nil
	}
	id, next, _ := keyed(segs, 0)
	if id == "" {
		return nil, true, segmentNotFound("subscriptions")
	}
	switch {
	case next == len(segs):
		return &subscriptionRoute{endpoint: subscriptionItem, id: id}, true, nil
	case next+1 == len(segs) && !segs[next].HasKey && strings.EqualFold(segs[next].Name, "reauthorize"):
		return &subscriptionRoute{endpoint: subscriptionReauthorize, id: id}, true, nil
	}
	return nil, true, segmentNotFound(segs[next].Name)
}
