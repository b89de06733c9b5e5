package http

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/service"
)

// serveChatApp answers GET /chats/{id}/installedApps/{id} and POST
// /chats/{id}/installedApps.
func (s *Server) serveChatApp(w http.ResponseWriter, r *http.Request, req *request) error {
	if r.Method == http.MethodPost {
		return s.installChatApp(w, r, req)
	}
	// "Get installed app in chat" takes $select and $expand=teamsApp, as
	// the list does, and nothing that pages.
	one := installedAppQuery
	one.Collection = false
	query, err := one.Parse(r.URL.RawQuery, req.view.beta)
	if err != nil {
		return err
	}
	expand := len(query.Expand) > 0
	app, err := s.Service.ChatInstalledApp(r.Context(), req.p, req.route.resource.ID, req.route.id, expand)
	if err != nil {
		return err
	}
	shape := append([]string{}, query.Select...)
	if expand {
		shape = append(shape, "teamsApp()")
	}
	ctxURL := s.metadataURL(req) + chatPath(req.route.resource.ID) + "/installedApps"
	if len(shape) > 0 {
		ctxURL += "(" + strings.Join(shape, ",") + ")"
	}
	body := object{{"@odata.context", ctxURL + "/$entity"}, {"id", app.ID}}
	if expand {
		body = append(body, member{"teamsApp", teamsAppObject(app.App)})
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

// installChatApp answers "Add app to chat"
// (api-reference/v1.0/api/chat-post-installedapps.md): synchronous, "201
// Created" with no body, as the page's examples show it.
func (s *Server) installChatApp(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := installedAppQuery.Parse(r.URL.RawQuery, req.view.beta); err != nil {
		return err
	}
	body, err := readJSONBody(w, r)
	if err != nil {
		return err
	}
	app, consented, err := decodeInstallApp(body, s.PublicURL)
	if err != nil {
		return err
	}
	if _, err := s.Service.InstallChatApp(r.Context(), req.p, req.route.resource.ID, app, consented); err != nil {
		return err
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
	return nil
}

// decodeInstallApp reads an "Add app to chat" body: teamsApp@odata.bind,
// and optionally consentedPermissionSet's resourceSpecificPermissions.
// Every error is EINVALID.
func decodeInstallApp(body []byte, publicURL string) (string, []service.RSCPermission, error) {
	props, err := decodeObject(body, "", installationType, []string{"id"})
	if err != nil {
		return "", nil, err
	}
	var app string
	var consented []service.RSCPermission
	for _, name := range sortedKeys(props) {
		switch name {
		case "teamsApp@odata.bind":
			var bind string
			if err := decodeString(props[name], name, &bind); err != nil {
				return "", nil, err
			}
			if app, err = bindKey(bind, publicURL, "appCatalogs", "teamsApps"); err != nil {
				return "", nil, err
			}
		case "consentedPermissionSet":
			if consented, err = decodePermissionSet(props[name]); err != nil {
				return "", nil, err
			}
		default:
			return "", nil, badProperty(name, installationType)
		}
	}
	if app == "" {
		return "", nil, teamsops.Errorf(teamsops.EINVALID, "The request must name the app to install with 'teamsApp@odata.bind'.")
	}
	return app, consented, nil
}

// decodePermissionSet reads a teamsAppPermissionSet: null, or an object
// whose resourceSpecificPermissions lists permissionValue and
// permissionType pairs.
func decodePermissionSet(raw json.RawMessage) ([]service.RSCPermission, error) {
	if isNull(raw) {
		return nil, nil
	}
	var set struct {
		Permissions []struct {
			Value *string `json:"permissionValue"`
			Type  *string `json:"permissionType"`
		} `json:"resourceSpecificPermissions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		return nil, wrongType("consentedPermissionSet", "a teamsAppPermissionSet with resourceSpecificPermissions")
	}
	out := make([]service.RSCPermission, 0, len(set.Permissions))
	for _, p := range set.Permissions {
		if p.Value == nil || p.Type == nil {
			return nil, teamsops.Errorf(teamsops.EINVALID, "Each resourceSpecificPermissions item needs a permissionValue and a permissionType.")
		}
		out = append(out, service.RSCPermission{Value: *p.Value, Type: *p.Type})
	}
	return out, nil
}
