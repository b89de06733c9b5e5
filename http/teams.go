package http

import (
	"bytes"
	"io"
	"net/http"
	"net/url"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
	"github.com/teamsops/teamsops/service"
)

// serveTeams answers the team, channel and group endpoints (teamroute.go).
func (s *Server) serveTeams(w http.ResponseWriter, r *http.Request, req *request) error {
	t := req.route.team
	switch {
	case t.endpoint == teamsCollection && r.Method == http.MethodGet:
		return s.listTeams(w, r, req) // lists.go
	case t.endpoint == teamItem,
		// "/groups/{id}/team is the same as /teams/{id}" (the v1.0 team
		// resource page).
		t.endpoint == groupTeam && r.Method == http.MethodGet:
		return s.getTeam(w, r, req)
	case t.endpoint == teamMembers:
		return s.listTeamMembers(w, r, req)
	case t.endpoint == teamChannels && r.Method == http.MethodGet:
		return s.listChannels(w, r, req)
	case t.endpoint == channelItem:
		return s.getChannel(w, r, req)
	case t.endpoint == groupItem:
		return s.getGroup(w, r, req)
	}
	return s.startTeamAction(w, r, req)
}

// startTeamAction runs the endpoints that start an operation: they take
// no query options, take the operation's fault (fault.go) and a JSON body.
func (s *Server) startTeamAction(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err
	}
	fault := req.fault
	body, err := readOptionalBody(w, r)
	if err != nil {
		return err
	}
	t, ctx, p := req.route.team, r.Context(), req.p
	var start *service.TeamStart
	switch t.endpoint {
	case teamsCollection:
		var nt service.NewTeam
		if nt, err = decodeCreateTeam(body, s.PublicURL); err == nil {
			start, err = s.Service.CreateTeam(ctx, p, nt, fault)
		}
	case groupTeam:
		return s.createTeamFromGroup(w, r, req, body)
	case teamClone:
		var nc service.NewClone
		if nc, err = decodeClone(body); err == nil {
			start, err = s.Service.CloneTeam(ctx, p, t.id, nc, fault)
		}
	case teamArchive, channelArchive:
		var spo bool
		if spo, err = decodeArchive(body); err == nil && t.endpoint == teamArchive {
			start, err = s.Service.ArchiveTeam(ctx, p, t.id, spo, fault)
		} else if err == nil {
			start, err = s.Service.ArchiveChannel(ctx, p, t.id, t.channelID, spo, fault)
		}
	case teamUnarchive:
		start, err = s.Service.UnarchiveTeam(ctx, p, t.id, fault)
	case channelUnarchive:
		start, err = s.Service.UnarchiveChannel(ctx, p, t.id, t.channelID, fault)
	default: // POST /teams/{id}/channels
		return s.createChannel(w, r, req, body, fault)
	}
	if err != nil {
		return err
	}
	switch t.endpoint {
	case teamsCollection:
		s.writeTeamAccepted(w, start, true)
	case channelArchive, channelUnarchive:
		s.writeChannelAccepted(w, start)
	default:
		s.writeTeamAccepted(w, start, false)
	}
	return nil
}

// createTeamFromGroup answers PUT /groups/{id}/team as its page says:
// "201 Created response code and a team object in the response body"
// (api-reference/v1.0/api/team-put-teams.md). POST /teams with
// group@odata.bind is the way to the teamifyGroup operation.
func (s *Server) createTeamFromGroup(w http.ResponseWriter, r *http.Request, req *request, body []byte) error {
	settings, err := decodeGroupTeam(body)
	if err != nil {
		return err
	}
	team, err := s.Service.CreateTeamFromGroup(r.Context(), req.p, req.route.team.id, settings)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.teamEntity(req, team, nil))
	return nil
}

// Each page that starts a team's operation shows its own 202 (no body):
//   - "Create team" (api-reference/v1.0/api/team-post.md):
//     Content-Type: application/json, Location:
//     /teams('{team-id}')/operations('{operation-id}') and Content-Location:
//     /teams('{team-id}');
//   - archive, unarchive and clone (api-reference/v1.0/api/team-archive.md,
//     team-unarchive.md, team-clone.md): Content-Type: text/plain and
//     Location /teams({id})/operations({opId}), the key form;
//   - a channel's archive and unarchive (api-reference/v1.0/api/
//     channel-archive.md, channel-unarchive.md): Content-Type: text/plain
//     and Location /teams/{team-id}/operations/{operation-id}, the segment
//     form, on the team (a channel has no operations navigation).
const (
	acceptedJSON  = "application/json"
	acceptedPlain = "text/plain"
)

// writeTeamAccepted answers a team's operation in key form; create (with
// Content-Location) as "Create team" shows it, the others as archive,
// unarchive and clone show it.
func (s *Server) writeTeamAccepted(w http.ResponseWriter, start *service.TeamStart, create bool) {
	loc := "/teams('" + start.TeamID + "')/operations('" + start.Operation.ID + "')"
	if create {
		s.writeAccepted(w, start.Operation, loc, "/teams('"+start.TeamID+"')", acceptedJSON)
		return
	}
	s.writeAccepted(w, start.Operation, loc, "", acceptedPlain)
}

// writeChannelAccepted answers a channel's archive or unarchive with the
// team's operation in segment form, as the channel pages show it.
func (s *Server) writeChannelAccepted(w http.ResponseWriter, start *service.TeamStart) {
	loc := "/teams/" + url.PathEscape(start.TeamID) + "/operations/" + url.PathEscape(start.Operation.ID)
	s.writeAccepted(w, start.Operation, loc, "", acceptedPlain)
}

// writeAccepted answers 202 Accepted for op with no body, the operation's
// Location, a Content-Location when given, the Content-Type its page shows
// and when to look at the operation (Retry-After).
func (s *Server) writeAccepted(w http.ResponseWriter, op *teamsops.Operation, location, contentLocation, contentType string) {
	if s.Observer != nil {
		s.Observer.Accepted(op)
	}
	w.Header().Set("Location", location)
	if contentLocation != "" {
		w.Header().Set("Content-Location", contentLocation)
	}
	s.setRetryAfter(w)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusAccepted)
}

// createChannel answers "Create channel": 201 and the channel, or, for a
// shared channel, 202 and the createChannel operation in Location and, as
// the beta page's example 6 shows it, Content-Location.
func (s *Server) createChannel(w http.ResponseWriter, r *http.Request, req *request, body []byte, fault *teamsops.Fault) error {
	if len(body) == 0 {
		return errPayload
	}
	nc, err := decodeCreateChannel(body, s.PublicURL)
	if err != nil {
		return err
	}
	res, err := s.Service.CreateChannel(r.Context(), req.p, req.route.team.id, nc, fault)
	if err != nil {
		return err
	}
	if res.Operation == nil {
		writeJSON(w, http.StatusCreated, s.channelEntity(req, res.Channel, nil))
		return nil
	}
	loc := "/teams('" + req.route.team.id + "')/operations('" + res.Operation.ID + "')"
	s.writeAccepted(w, res.Operation, loc, loc, acceptedJSON)
	return nil
}

// readOptionalBody reads a JSON body, which archive and unarchive may
// omit: nothing, or only whitespace, is no body; anything else needs the
// JSON content type, as readJSONBody requires.
func readOptionalBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.Header.Get("Content-Type") == "" {
		peek, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCreateChatBody))
		if err != nil || len(bytes.TrimSpace(peek)) > 0 {
			return nil, errPayload
		}
		return nil, nil
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return nil, err
	}
	return bytes.TrimSpace(body), nil
}
