package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/throttle"
)

// eTooManyRequests is the code of a throttled request: 429, as Graph's
// throttling page shows it (concepts/throttling.md, "Sample response").
const eTooManyRequests = "too_many_requests"

// errThrottled is the message of that page's sample response.
const errThrottled = "Please retry again later."

// retryLater is an error answered with a Retry-After header (seconds).
type retryLater struct {
	err   *teamsops.Error
	after string
}

func (e *retryLater) Error() string { return e.err.Error() }
func (e *retryLater) Unwrap() error { return e.err }

// admit runs what stands between authentication and the service: the
// fault header's latency and refusals, then Graph's throttling limits.
// The batch request itself is not throttled; each request in it is.
func (s *Server) admit(r *http.Request, p teamsops.Principal, f faults, rt route) error {
	if f.latency > 0 {
		if holdLeft(r.Context(), f.latency) < f.latency {
			// In a batch, a delay that would outlast the batch's deadline
			// is refused at once rather than cut: the client asked for
			// this much, and the request does not run.
			return &retryLater{teamsops.Errorf(teamsops.EUNAVAILABLE,
				"The delay asked by %s (%s) would outlast the batch's time limit; the request did not run.", FaultHeader, f.latency), "1"}
		}
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return teamsops.Errorf(teamsops.EUNAVAILABLE, "The request was cancelled while delayed by %s.", FaultHeader)
		}
	}
	if f.refuse != 0 && s.faultCounts.refused(p, f) {
		after := strconv.Itoa(f.retryAfter)
		if f.refuse == http.StatusTooManyRequests {
			return &retryLater{teamsops.Errorf(eTooManyRequests, errThrottled), after}
		}
		return &retryLater{teamsops.Errorf(teamsops.EUNAVAILABLE, "The service is unavailable (%s).", FaultHeader), after}
	}
	if s.Throttle == nil || rt.batch {
		return nil
	}
	if wait, ok := s.Throttle.AllowOn(p.TenantID, p.AppID, requestType(r.Method, rt), throttledResource(rt), throttledUser(r.Method, rt, p)); !ok {
		return &retryLater{teamsops.Errorf(eTooManyRequests, errThrottled), throttle.RetryAfter(wait)}
	}
	return nil
}

// throttledResource is the team, channel or chat a request is issued on,
// for the page's limits per app on one (throttle.PerTeam,
// throttle.PerChannelOrChat): a request under /teams/{id} is on the team,
// one under its /channels/{id} on the channel, and so is a team's
// operation and /groups/{id}/team, whose group is the team; a request
// under /chats/{id}, its operations included, is on the chat. Creating a
// team or a chat, and the user routes, are on none.
func throttledResource(rt route) throttle.Resource {
	if t := rt.team; t != nil {
		switch t.endpoint {
		case channelItem, channelArchive, channelUnarchive:
			return throttle.Resource{Kind: throttle.KindChannel, ID: t.channelID}
		case teamItem, teamClone, teamArchive, teamUnarchive, teamMembers, teamChannels, groupTeam:
			return throttle.Resource{Kind: throttle.KindTeam, ID: t.id}
		}
		return throttle.Resource{}
	}
	switch {
	case rt.resource.ID == "":
		return throttle.Resource{}
	case rt.resource.Kind == teamsops.ResourceTeam:
		return throttle.Resource{Kind: throttle.KindTeam, ID: rt.resource.ID}
	case rt.resource.Kind == teamsops.ResourceChat:
		return throttle.Resource{Kind: throttle.KindChat, ID: rt.resource.ID}
	}
	return throttle.Resource{}
}

// throttledUser is the user who issues a List chats or Get chat, for the
// page's limit per user on them (throttle.PerUserChats): the signed-in
// user of a delegated token; an application's request has none.
func throttledUser(method string, rt route, p teamsops.Principal) throttle.Resource {
	chats := rt.resource.Kind == teamsops.ResourceChat && rt.nav == "" // GET /chats, /chats/{id}
	listChats := rt.list != nil && rt.list.endpoint == chatsList       // /me/chats, /users/{id}/chats
	if method != http.MethodGet || p.UserID == "" || !chats && !listChats {
		return throttle.Resource{}
	}
	return throttle.Resource{Kind: throttle.KindUser, ID: p.UserID}
}

// requestType places a request in a row of Graph's Teams throttling table
// (throttle.RequestTypes).
func requestType(method string, rt route) throttle.RequestType {
	get := method == http.MethodGet
	if t := rt.team; t != nil {
		switch t.endpoint {
		case teamsCollection:
			if get {
				return throttle.GetTeamResource
			}
			return throttle.CreateTeam
		case teamItem:
			return throttle.GetTeam
		case groupTeam:
			if get {
				return throttle.GetTeam
			}
			return throttle.TeamFromGroupOrClone
		case teamClone:
			return throttle.TeamFromGroupOrClone
		case teamMembers:
			return throttle.GetTeamMembers
		case teamChannels:
			if get {
				return throttle.GetChannels
			}
			return throttle.WriteTeamResource
		case channelItem:
			return throttle.GetTeamResource
		case channelArchive, channelUnarchive:
			return throttle.WriteTeamResource
		}
	}
	switch {
	case rt.nav == "installedApps" && get:
		return throttle.GetTeamResource
	case rt.nav == "installedApps":
		return throttle.WriteTeamResource
	case rt.list != nil && rt.list.endpoint == joinedTeamsList:
		return throttle.GetTeam
	case get:
		return throttle.OtherGet
	}
	return throttle.Other
}
