package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const subscriptionColumns = `tenant_id, id, resource, target_kind, target_id, change_type,
	notification_url, lifecycle_notification_url, client_state, expires_at, application_id,
	creator_id, include_resource_data, encryption_certificate, encryption_certificate_id,
	latest_supported_tls_version, notification_url_app_id, notification_query_options,
	user_id, scopes, roles, created_at, removed`

// Subscription returns one subscription of the tenant. Inside a Tx on
// PostgreSQL it locks the row (FOR UPDATE) until the transaction ends: a
// notification's insert, whose foreign key takes a KEY SHARE lock on the
// row, then waits for the transaction, or the transaction waits for the
// insert's.
func (c Conn) Subscription(ctx context.Context, tenantID, id string) (*teamsops.Subscription, error) {
	sub, err := c.scanSubscription(c.q.QueryRow(ctx, `SELECT `+subscriptionColumns+`
		FROM subscriptions WHERE tenant_id = $1 AND id = $2`+c.lock, tenantID, id))
	if NoRows(err) {
		return nil, notFound("The object was not found.")
	} else if err != nil {
		return nil, c.d.Error("read subscription", err)
	}
	return sub, nil
}

// Subscriptions lists the subscriptions of a tenant (every tenant for
// ""), of one app or all, ordered by id.
func (c Conn) Subscriptions(ctx context.Context, tenantID, appID string) ([]*teamsops.Subscription, error) {
	subs := []*teamsops.Subscription{}
	err := c.q.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE ($1 = '' OR tenant_id = $1) AND ($2 = '' OR application_id = $2)
		ORDER BY tenant_id, id`, []any{tenantID, appID}, func(row Row) error {
		sub, err := c.scanSubscription(row)
		subs = append(subs, sub)
		return err
	})
	if err != nil {
		return nil, c.d.Error("list subscriptions", err)
	}
	return subs, nil
}

// LockSubscriptions returns those of ids that exist in the tenant. Inside
// a Tx on PostgreSQL it locks them FOR KEY SHARE, in the order of their
// ids, until the transaction ends; SQLite's write transaction keeps every
// other writer out already.
func (c Conn) LockSubscriptions(ctx context.Context, tenantID string, ids []string) ([]string, error) {
	lock := ""
	if c.lock != "" {
		lock = " FOR KEY SHARE"
	}
	in, list := c.d.AnyOf("id", "$2", ids)
	var found []string
	err := c.q.Query(ctx, `SELECT id FROM subscriptions WHERE tenant_id = $1 AND `+in+`
		ORDER BY id`+lock, []any{tenantID, list}, func(row Row) error {
		var id string
		err := row.Scan(&id)
		found = append(found, id)
		return err
	})
	if err != nil {
		return nil, c.d.Error("lock subscriptions", err)
	}
	return found, nil
}

// CreateSubscription creates or replaces a subscription.
func (c Conn) CreateSubscription(ctx context.Context, sub *teamsops.Subscription) error {
	expires, err := sqlfilter.EncodeTime(sub.ExpirationDateTime)
	if err != nil {
		return err
	}
	created, err := sqlfilter.EncodeTime(sub.CreatedDateTime)
	if err != nil {
		return err
	}
	return c.write(ctx, "create subscription", func(q Querier, note Note) error {
		note(subscriptionChanged(sub.TenantID))
		_, err := q.Exec(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
				$19, $20, $21, $22, $23)
			ON CONFLICT (tenant_id, id) DO UPDATE SET
				resource = excluded.resource, target_kind = excluded.target_kind,
				target_id = excluded.target_id, change_type = excluded.change_type,
				notification_url = excluded.notification_url,
				lifecycle_notification_url = excluded.lifecycle_notification_url,
				client_state = excluded.client_state, expires_at = excluded.expires_at,
				application_id = excluded.application_id, creator_id = excluded.creator_id,
				include_resource_data = excluded.include_resource_data,
				encryption_certificate = excluded.encryption_certificate,
				encryption_certificate_id = excluded.encryption_certificate_id,
				latest_supported_tls_version = excluded.latest_supported_tls_version,
				notification_url_app_id = excluded.notification_url_app_id,
				notification_query_options = excluded.notification_query_options,
				user_id = excluded.user_id, scopes = excluded.scopes, roles = excluded.roles,
				created_at = excluded.created_at, removed = excluded.removed`,
			sub.TenantID, sub.ID, sub.Resource, string(sub.Target.Kind), sub.Target.ID, sub.ChangeType,
			sub.NotificationURL, sub.LifecycleNotificationURL, sub.ClientState, expires, sub.ApplicationID,
			sub.CreatorID, sub.IncludeResourceData, sub.EncryptionCertificate, sub.EncryptionCertificateID,
			sub.LatestSupportedTLSVersion, sub.NotificationURLAppID, sub.NotificationQueryOptions,
			sub.UserID, c.d.ListValue(sub.Scopes), c.d.ListValue(sub.Roles), created, sub.Removed)
		return err
	})
}

// DeleteSubscription deletes a subscription; its notifications and
// deliveries go with it (ON DELETE CASCADE).
func (c Conn) DeleteSubscription(ctx context.Context, tenantID, id string) error {
	return c.atomic(ctx, "delete subscription", func(q Querier, note Note) error {
		n, err := q.Exec(ctx, `DELETE FROM subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return c.d.Error("delete subscription", err)
		} else if n == 0 {
			return notFound("The object was not found.")
		}
		note(subscriptionChanged(tenantID))
		return nil
	})
}

// scanSubscription reads one row of subscriptionColumns.
func (c Conn) scanSubscription(row Row) (*teamsops.Subscription, error) {
	var sub teamsops.Subscription
	var kind string
	var expires, created int64
	err := row.Scan(&sub.TenantID, &sub.ID, &sub.Resource, &kind, &sub.Target.ID, &sub.ChangeType,
		&sub.NotificationURL, &sub.LifecycleNotificationURL, &sub.ClientState, &expires, &sub.ApplicationID,
		&sub.CreatorID, &sub.IncludeResourceData, &sub.EncryptionCertificate, &sub.EncryptionCertificateID,
		&sub.LatestSupportedTLSVersion, &sub.NotificationURLAppID, &sub.NotificationQueryOptions,
		&sub.UserID, c.d.List(&sub.Scopes), c.d.List(&sub.Roles), &created, &sub.Removed)
	if err != nil {
		return nil, err
	}
	sub.Target.Kind = teamsops.ResourceKind(kind)
	sub.ExpirationDateTime, sub.CreatedDateTime = sqlfilter.DecodeTime(expires), sqlfilter.DecodeTime(created)
	return &sub, nil
}

// encodeSnapshot and decodeSnapshot keep a notification's operation as
// JSON text ("" for none): a TEXT column in both databases, so the JSON is
// Go's to write and read, not the database's.
func encodeSnapshot(op *teamsops.Operation) (string, error) {
	if op == nil {
		return "", nil
	}
	b, err := json.Marshal(op)
	if err != nil {
		return "", teamsops.Errorf(teamsops.EINVALID, "Cannot record the operation of a notification: %v", err)
	}
	return string(b), nil
}

func decodeSnapshot(s string) (*teamsops.Operation, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var op teamsops.Operation
	if err := json.Unmarshal([]byte(s), &op); err != nil {
		return nil, err
	}
	return &op, nil
}

// subscriptionChanged is the change of a tenant's subscriptions.
func subscriptionChanged(tenantID string) teamsops.Change {
	return teamsops.Change{Kind: teamsops.ChangeSubscription, TenantID: tenantID}
}
