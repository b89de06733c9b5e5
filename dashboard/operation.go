package dashboard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/teamsops/teamsops"
	httpapi "github.com/teamsops/teamsops/http"
)

// operationPage is the data of an operation's page.
type operationPage struct {
	Row    rowView
	Origin *teamsops.Origin
	Steps  []step
	// Version is the API version the JSON, curl and wait lines use: beta
	// for chats (whose createChat only beta names, as the seed shows),
	// v1.0 for teams.
	Version    string
	JSON       string
	URL        string
	Curl, Wait string
	Events     string
}

func (p operationPage) title() string { return "Operation " + short(p.Row.Op.ID) }

// step is one transition of the timeline.
type step struct {
	teamsops.Transition
	// Event says what happened, in words.
	Event string
	// After is the time since the first transition.
	After string
}

// operation answers an operation's page.
func (h *Handler) operation(w http.ResponseWriter, r *http.Request) {
	tenant, id := r.PathValue("tenant"), r.PathValue("id")
	ctx := r.Context()
	version := h.hub.version.Load()
	op, err := h.cfg.Store.OperationByID(ctx, tenant, id)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	history, err := h.cfg.Store.OperationHistory(ctx, tenant, id)
	if err != nil {
		h.failStore(w, r, err)
		return
	}
	op.Origin = history.Origin
	p := operationPage{Row: newRow(ctx, newNamer(h.cfg.Store), op), Origin: history.Origin,
		Steps: timeline(history), Version: "v1.0",
		Events: Prefix + "events?" + filter{Operation: &opKey{tenant, id}, Tenant: tenant}.query("v", strconv.FormatUint(version, 10))}
	if op.Resource.Kind == teamsops.ResourceChat {
		p.Version = "beta"
	}
	body, err := httpapi.OperationJSON(h.cfg.PublicURL, p.Version)(op)
	if err == nil {
		var pretty bytes.Buffer
		json.Indent(&pretty, body, "", "  ")
		p.JSON = pretty.String()
	}
	p.URL = h.cfg.PublicURL + "/" + p.Version + "/" + string(op.Resource.Kind) + "/" + url.PathEscape(op.Resource.ID) +
		"/operations/" + url.PathEscape(op.ID)
	p.Curl = `curl -s -H "Authorization: Bearer $TOKEN" '` + p.URL + `'`
	p.Wait = `teamsops wait --token "$TOKEN" '` + p.URL + `'`
	h.render(w, r, http.StatusOK, "operation", p)
}

// timeline tells the transitions of a history as events.
func timeline(h *teamsops.History) []step {
	steps := make([]step, 0, len(h.Transitions))
	var prev *teamsops.Transition
	for i, tr := range h.Transitions {
		s := step{Transition: tr, Event: describe(prev, tr, h.Origin != nil)}
		if i > 0 {
			s.After = "+" + roundDuration(tr.At.Sub(h.Transitions[0].At))
		}
		steps = append(steps, s)
		prev = &h.Transitions[i]
	}
	return steps
}

// describe says in words what a transition did, after prev (nil: the first).
func describe(prev *teamsops.Transition, tr teamsops.Transition, started bool) string {
	switch {
	case prev == nil && started:
		return "Accepted (202)"
	case prev == nil:
		return "Recorded as " + string(tr.Status) + " (declared, not started by a request)"
	case tr.Status == teamsops.OperationStatusSucceeded:
		return "Succeeded"
	case tr.Status == teamsops.OperationStatusFailed:
		return "Failed"
	case tr.Status == teamsops.OperationStatusInProgress && tr.Attempt != prev.Attempt:
		return fmt.Sprintf("Attempt %d started", tr.Attempt)
	case tr.Error != nil:
		return fmt.Sprintf("Attempt %d failed; it will be retried", tr.Attempt)
	}
	return "Updated"
}

// roundDuration writes d as people read it: 42ms, 1.2s, 3m05s.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
