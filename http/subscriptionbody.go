package http

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/service"
)

const subscriptionEntityType = "microsoft.graph.subscription"

// Properties of a subscription (api-reference/v1.0/resources/subscription.md):
// those a create sets, and the read-only ones it ignores when a client
// sends them back.
var (
	subscriptionStrings = []string{"changeType", "notificationUrl", "lifecycleNotificationUrl", "resource",
		"expirationDateTime", "clientState", "encryptionCertificate", "encryptionCertificateId",
		"latestSupportedTlsVersion", "notificationUrlAppId", "notificationQueryOptions"}
	ignoredSubscriptionProperties = []string{"id", "applicationId", "creatorId", "notificationContentType"}
	// updatableSubscriptionProperties are what "Update subscription" changes.
	updatableSubscriptionProperties = []string{"expirationDateTime", "notificationUrl", "lifecycleNotificationUrl"}
)

// decodeCreateSubscription reads the body of POST /subscriptions. Every
// property is checked for its type; an unknown one is refused.
func decodeCreateSubscription(body []byte) (service.NewSubscription, error) {
	var ns service.NewSubscription
	props, err := decodeObject(body, "", subscriptionEntityType, ignoredSubscriptionProperties)
	if err != nil {
		return ns, err
	}
	text := map[string]string{}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		switch {
		case isNull(raw):
		case name == "includeResourceData":
			if json.Unmarshal(raw, &ns.IncludeResourceData) != nil {
				return ns, wrongType(name, "a Boolean")
			}
		case slices.Contains(subscriptionStrings, name):
			var v string
			if err := decodeString(raw, name, &v); err != nil {
				return ns, err
			}
			text[name] = v
		default:
			return ns, badProperty(name, subscriptionEntityType)
		}
	}
	ns.ChangeType, ns.NotificationURL = text["changeType"], text["notificationUrl"]
	ns.LifecycleNotificationURL, ns.ClientState = text["lifecycleNotificationUrl"], text["clientState"]
	ns.EncryptionCertificate, ns.EncryptionCertificateID = text["encryptionCertificate"], text["encryptionCertificateId"]
	ns.LatestSupportedTLSVersion, ns.NotificationURLAppID = text["latestSupportedTlsVersion"], text["notificationUrlAppId"]
	ns.NotificationQueryOptions = text["notificationQueryOptions"]
	switch {
	case ns.NotificationURL == "":
		return ns, teamsops.Errorf(teamsops.EINVALID, "The notificationUrl is required.")
	case text["resource"] == "":
		return ns, teamsops.Errorf(teamsops.EINVALID, "The resource is required.")
	}
	if ns.ExpirationDateTime, err = parseExpiration(text["expirationDateTime"]); err != nil {
		return ns, err
	}
	ns.Resource = text["resource"]
	ns.Target, err = parseSubscriptionResource(ns.Resource)
	return ns, err
}

// decodeUpdateSubscription reads the body of PATCH /subscriptions/{id}.
func decodeUpdateSubscription(body []byte) (service.SubscriptionPatch, error) {
	var patch service.SubscriptionPatch
	props, err := decodeObject(body, "", subscriptionEntityType, ignoredSubscriptionProperties)
	if err != nil {
		return patch, err
	}
	for _, name := range sortedKeys(props) {
		raw := props[name]
		switch {
		case slices.Contains(updatableSubscriptionProperties, name):
		case slices.Contains(subscriptionStrings, name), name == "includeResourceData":
			return patch, teamsops.Errorf(teamsops.EINVALID, "The property '%s' cannot be updated.", name)
		default:
			return patch, badProperty(name, subscriptionEntityType)
		}
		var v string
		if isNull(raw) {
			return patch, wrongType(name, "a string")
		}
		if err := decodeString(raw, name, &v); err != nil {
			return patch, err
		}
		switch name {
		case "expirationDateTime":
			t, err := parseExpiration(v)
			if err != nil {
				return patch, err
			}
			patch.ExpirationDateTime = &t
		case "notificationUrl":
			patch.NotificationURL = &v
		default:
			patch.LifecycleNotificationURL = &v
		}
	}
	return patch, nil
}

// parseExpiration reads a DateTimeOffset: RFC 3339, with an offset.
func parseExpiration(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, teamsops.Errorf(teamsops.EINVALID, "The expirationDateTime is required.")
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, teamsops.Errorf(teamsops.EINVALID,
			"Invalid expirationDateTime '%s': a DateTimeOffset such as 2026-03-20T11:00:00.0000000Z is required.", clipText(v))
	}
	return t.UTC(), nil
}

// Tenant-wide resources teamsops adds, in the style of Graph's
// /chats/getAllMessages and /teams/getAllMessages: every operation of the
// tenant's chats, of its teams, or of both (the teamwork entity being
// Graph's root of what spans Teams).
var allOperationsResources = map[string]teamsops.ResourceKind{
	"chats": teamsops.ResourceChat, "teams": teamsops.ResourceTeam, "teamwork": "",
}

// parseSubscriptionResource reads a subscription's resource: a path
// without the base URL (subscription resource, resource), with or without
// a leading slash, keys as segments or in OData key syntax.
func parseSubscriptionResource(resource string) (teamsops.SubscriptionTarget, error) {
	bad := teamsops.Errorf(teamsops.EINVALID, "The resource '%s' is not supported: subscribe to "+
		"/chats/{chat-id}/operations, /teams/{team-id}/operations, /chats/getAllOperations, "+
		"/teams/getAllOperations or /teamwork/getAllOperations.", clipText(resource))
	segs, err := odata.ParsePath("/" + strings.TrimPrefix(resource, "/"))
	if err != nil || len(segs) < 2 {
		return teamsops.SubscriptionTarget{}, bad
	}
	first := strings.ToLower(segs[0].Name)
	kind, known := allOperationsResources[first]
	if !known {
		return teamsops.SubscriptionTarget{}, bad
	}
	if len(segs) == 2 && !segs[0].HasKey && !segs[1].HasKey && strings.EqualFold(segs[1].Name, "getAllOperations") {
		return teamsops.SubscriptionTarget{Kind: kind}, nil
	}
	id, next, ok := keyed(segs, 0)
	if !ok || id == "" || first == "teamwork" || next+1 != len(segs) || segs[next].HasKey ||
		!strings.EqualFold(segs[next].Name, "operations") {
		return teamsops.SubscriptionTarget{}, bad
	}
	return teamsops.SubscriptionTarget{Kind: kind, ID: id}, nil
}
