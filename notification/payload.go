package notification

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/webhook"
)

// Collection is the body of every POST to a receiver: Graph's
// changeNotificationCollection
// (api-reference/v1.0/resources/changenotificationcollection.md).
type Collection struct {
	Value []ChangeNotification `json:"value"`
	// ValidationTokens holds one JWT per app and tenant of Value, on rich
	// notifications only (concepts/change-notifications-with-resource-data.md).
	ValidationTokens []string `json:"validationTokens,omitempty"`
}

// ChangeNotification is Graph's changeNotification: a change of an
// operation (ChangeType, Resource, ResourceData, and EncryptedContent on a
// rich notification) or a lifecycle event (LifecycleEvent).
type ChangeNotification struct {
	// ID is unique per notification and the same on each retry of it, so a
	// receiver can tell a retry from a new change.
	ID                             string                    `json:"id,omitempty"`
	SubscriptionID                 string                    `json:"subscriptionId"`
	SubscriptionExpirationDateTime string                    `json:"subscriptionExpirationDateTime"`
	ClientState                    *string                   `json:"clientState"`
	ChangeType                     string                    `json:"changeType,omitempty"`
	Resource                       string                    `json:"resource,omitempty"`
	TenantID                       string                    `json:"tenantId"`
	ResourceData                   *ResourceData             `json:"resourceData,omitempty"`
	EncryptedContent               *webhook.EncryptedContent `json:"encryptedContent,omitempty"`
	LifecycleEvent                 string                    `json:"lifecycleEvent,omitempty"`
}

// ResourceData names the changed operation.
type ResourceData struct {
	ODataType string `json:"@odata.type"`
	ODataID   string `json:"@odata.id"`
	ID        string `json:"id"`
}

// OperationODataType is the @odata.type of an operation's resourceData,
// spelled as Graph's notifications spell types ("#Microsoft.Graph.Message").
const OperationODataType = "#Microsoft.Graph.teamsAsyncOperation"

// payload builds the JSON body of notes for sub.
func (n *Notifier) payload(sub *teamsops.Subscription, notes []*teamsops.Notification) ([]byte, error) {
	c := Collection{Value: make([]ChangeNotification, 0, len(notes))}
	var clientState *string
	if sub.ClientState != "" {
		clientState = &sub.ClientState
	}
	expires := sub.ExpirationDateTime.UTC().Format("2006-01-02T15:04:05.9999999Z07:00")
	rich := sub.IncludeResourceData && !sub.Removed
	for _, note := range notes {
		cn := ChangeNotification{SubscriptionID: sub.ID, SubscriptionExpirationDateTime: expires,
			ClientState: clientState, TenantID: sub.TenantID, LifecycleEvent: note.LifecycleEvent}
		if note.LifecycleEvent == "" {
			op := note.Operation
			path := fmt.Sprintf("%s('%s')/operations('%s')", op.Resource.Kind, op.Resource.ID, op.ID)
			cn.ID = uuid.NewSHA1(uuid.NameSpaceURL, fmt.Appendf(nil, "%s/%s/%d", sub.TenantID, sub.ID, note.Seq)).String()
			cn.ChangeType, cn.Resource = note.ChangeType, path
			cn.ResourceData = &ResourceData{ODataType: OperationODataType, ODataID: path, ID: op.ID}
			if rich {
				var err error
				if cn.EncryptedContent, err = n.encrypt(sub, op); err != nil {
					return nil, err
				}
			}
		}
		c.Value = append(c.Value, cn)
	}
	if rich {
		audience := sub.NotificationURLAppID
		if audience == "" {
			audience = sub.ApplicationID
		}
		tok, err := n.cfg.Tokens.IssueValidationToken(sub.TenantID, audience)
		if err != nil {
			return nil, err
		}
		c.ValidationTokens = []string{tok}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// encrypt renders op as a GET returns it and encrypts it for the
// subscription's certificate.
func (n *Notifier) encrypt(sub *teamsops.Subscription, op *teamsops.Operation) (*webhook.EncryptedContent, error) {
	cert, err := webhook.ParseCertificate(sub.EncryptionCertificate)
	if err != nil {
		return nil, fmt.Errorf("notification: subscription %s: %w", sub.ID, err)
	}
	plain, err := n.cfg.Render(op)
	if err != nil {
		return nil, err
	}
	return webhook.Encrypt(cert, sub.EncryptionCertificateID, plain)
}
