package http

import (
	"net/http"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/odata"
)

// serveSubscriptions answers the subscription endpoints (subscriptionroute.go).
func (s *Server) serveSubscriptions(w http.ResponseWriter, r *http.Request, req *request) error {
	if _, err := odata.ParseQuery(r.URL.RawQuery, nil, req.view.beta, false); err != nil {
		return err // the subscription pages take no query options
	}
	sr, ctx, p := req.route.subscription, r.Context(), req.p
	switch {
	case sr.endpoint == subscriptionsCollection && r.Method == http.MethodGet:
		subs, err := s.Service.Subscriptions(ctx, p)
		if err != nil {
			return err
		}
		values := make([]object, len(subs))
		for i, sub := range subs {
			// subscription-list.md: "the clientState property value is not
			// returned for security purposes."
			values[i] = subscriptionObject(sub)
			for j := range values[i] {
				if values[i][j].name == "clientState" {
					values[i][j].value = nil
				}
			}
		}
		writeJSON(w, http.StatusOK, object{{"@odata.context", s.subscriptionsContext(req)}, {"value", values}})
	case sr.endpoint == subscriptionsCollection:
		body, err := readJSONBody(w, r)
		if err != nil {
			return err
		}
		ns, err := decodeCreateSubscription(body)
		if err != nil {
			return err
		}
		sub, err := s.Service.CreateSubscription(ctx, p, ns)
		if err != nil {
			return err
		}
		s.writeSubscription(w, req, http.StatusCreated, sub)
	case sr.endpoint == subscriptionReauthorize:
		if err := s.Service.ReauthorizeSubscription(ctx, p, sr.id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet:
		sub, err := s.Service.Subscription(ctx, p, sr.id)
		if err != nil {
			return err
		}
		s.writeSubscription(w, req, http.StatusOK, sub)
	case r.Method == http.MethodPatch:
		body, err := readJSONBody(w, r)
		if err != nil {
			return err
		}
		patch, err := decodeUpdateSubscription(body)
		if err != nil {
			return err
		}
		sub, err := s.Service.UpdateSubscription(ctx, p, sr.id, patch)
		if err != nil {
			return err
		}
		s.writeSubscription(w, req, http.StatusOK, sub)
	default: // DELETE
		if err := s.Service.DeleteSubscription(ctx, p, sr.id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

func (s *Server) subscriptionsContext(req *request) string {
	return s.PublicURL + "/" + req.version + "/$metadata#subscriptions"
}

func (s *Server) writeSubscription(w http.ResponseWriter, req *request, status int, sub *teamsops.Subscription) {
	body := append(object{{"@odata.context", s.subscriptionsContext(req) + "/$entity"}}, subscriptionObject(sub)...)
	writeJSON(w, status, body)
}

// subscriptionObject renders a subscription in the order of its resource
// page; absent optional text is null, as Graph shows it.
func subscriptionObject(sub *teamsops.Subscription) object {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return object{
		{"id", sub.ID},
		{"resource", sub.Resource},
		{"applicationId", sub.ApplicationID},
		{"changeType", sub.ChangeType},
		{"clientState", orNull(sub.ClientState)},
		{"notificationUrl", sub.NotificationURL},
		{"notificationQueryOptions", orNull(sub.NotificationQueryOptions)},
		{"lifecycleNotificationUrl", orNull(sub.LifecycleNotificationURL)},
		{"expirationDateTime", formatTime(sub.ExpirationDateTime)},
		{"creatorId", sub.CreatorID},
		{"includeResourceData", sub.IncludeResourceData},
		{"latestSupportedTlsVersion", orNull(sub.LatestSupportedTLSVersion)},
		{"encryptionCertificate", orNull(sub.EncryptionCertificate)},
		{"encryptionCertificateId", orNull(sub.EncryptionCertificateID)},
		{"notificationUrlAppId", orNull(sub.NotificationURLAppID)},
	}
}
