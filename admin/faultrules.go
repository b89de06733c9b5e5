package admin

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/tenantfile"
)

// maxRuleSize bounds the body of a POST of a fault rule: a rule's texts
// are at most teamsops.MaxFaultText bytes each.
const maxRuleSize = 64 << 10

// faultRules serves a tenant's fault rules: the list, and creating one.
func (h *Handler) faultRules(w http.ResponseWriter, r *http.Request, tenantID string) {
	switch r.Method {
	case http.MethodGet:
		rules, err := h.tenants.FaultRules(r.Context(), tenantID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		list := struct {
			Value []json.RawMessage `json:"value"`
		}{Value: []json.RawMessage{}}
		for _, rule := range rules {
			b, err := tenantfile.EncodeFaultRule(rule)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			list.Value = append(list.Value, b)
		}
		b, _ := json.Marshal(list) // raw messages of json.Marshal
		writeJSON(w, http.StatusOK, b)
	case http.MethodPost:
		h.createFaultRule(w, r, tenantID)
	default:
		notAllowed(w, r, http.MethodGet+", "+http.MethodPost)
	}
}

// createFaultRule creates the rule of the body, or replaces the rule of
// its id: 201 Created, or 200 OK when the id existed, as POST of a tenant.
func (h *Handler) createFaultRule(w http.ResponseWriter, r *http.Request, tenantID string) {
	d, err := h.tenants.Get(r.Context(), tenantID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rule, ok := readDocument(w, r, maxRuleSize, "fault rule", func(name string, data []byte) (*teamsops.FaultRule, error) {
		return tenantfile.DecodeFaultRule(name, data, d)
	})
	if !ok {
		return
	}
	created, err := h.tenants.PutFaultRule(r.Context(), rule)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := http.StatusOK // the id existed: the rule is replaced
	if created {
		status = http.StatusCreated
	}
	h.log.InfoContext(r.Context(), "fault rule set", "tenant_id", tenantID, "rule_id", rule.ID, "created", created)
	w.Header().Set("Location", Prefix+"tenants/"+tenantID+"/faultRules/"+url.PathEscape(rule.ID))
	h.writeRule(w, r, status, rule)
}

// faultRule serves one fault rule: reading it and deleting it.
func (h *Handler) faultRule(w http.ResponseWriter, r *http.Request, tenantID, escapedID string) {
	id, err := url.PathUnescape(escapedID)
	if err != nil {
		writeError(w, r, teamsops.Errorf(teamsops.ENOTFOUND, "Fault rule '%s' was not found.", teamsops.Clip(escapedID)), nil)
		return
	}
	switch r.Method {
	case http.MethodGet:
		rules, err := h.tenants.FaultRules(r.Context(), tenantID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, rule := range rules {
			if rule.ID == id {
				h.writeRule(w, r, http.StatusOK, rule)
				return
			}
		}
		writeError(w, r, teamsops.Errorf(teamsops.ENOTFOUND, "Fault rule '%s' was not found.", teamsops.Clip(id)), nil)
	case http.MethodDelete:
		if err := h.tenants.DeleteFaultRule(r.Context(), tenantID, id); err != nil {
			h.fail(w, r, err)
			return
		}
		h.log.InfoContext(r.Context(), "fault rule deleted", "tenant_id", tenantID, "rule_id", id)
		w.WriteHeader(http.StatusNoContent)
	default:
		notAllowed(w, r, http.MethodGet+", "+http.MethodDelete)
	}
}

func (h *Handler) writeRule(w http.ResponseWriter, r *http.Request, status int, rule *teamsops.FaultRule) {
	b, err := tenantfile.EncodeFaultRule(rule)
	h.writeEncoded(w, r, status, b, err)
}
