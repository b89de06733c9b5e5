package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const subscriptionColumns = `tenant_id, id, resource, target_kind, target_id, change_type,
	notification_url, lifecycle_notification_url, client_state, expires_at, application_id,
	creator_id, include_resource_data, encryption_certificate, encryption_certificate_id,
	latest_supported_tls_version, notification_url_app_id, notification_query_options,
	user_id, scopes, roles, created_at, removed`

// Subscription returns one subscription of the tenant.
func (c conn) Subscription(ctx context.Context, tenantID, id string) (*teamsops.Subscription, error) {
	sub, err := scanSubscription(c.q.QueryRowContext(ctx, `SELECT `+subscriptionColumns+`
		FROM subscriptions WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("The object was not found.")
	} else if err != nil {
		return nil, storeError("read subscription", err)
	}
	return sub, nil
}

// Subscriptions lists the subscriptions of a tenant (every tenant for
// ""), of one app or all, ordered by id.
func (c conn) Subscriptions(ctx context.Context, tenantID, appID string) ([]*teamsops.Subscription, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE (?1 = '' OR tenant_id = ?1) AND (?2 = '' OR application_id = ?2)
		ORDER BY tenant_id, id`, tenantID, appID)
	if err != nil {
		return nil, storeError("list subscriptions", err)
	}
	defer rows.Close()
	subs := []*teamsops.Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, storeError("list subscriptions", err)
		}
		subs = append(subs, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("list subscriptions", err)
	}
	return subs, nil
}

// LockSubscriptions returns those of ids that exist in the tenant; a
// write transaction of SQLite keeps every other writer out already.
func (c conn) LockSubscriptions(ctx context.Context, tenantID string, ids []string) ([]string, error) {
	list, _ := json.Marshal(ids)
	rows, err := c.q.QueryContext(ctx, `SELECT id FROM subscriptions WHERE tenant_id = ?
		AND id IN (SELECT value FROM json_each(?)) ORDER BY id`, tenantID, string(list))
	if err != nil {
		return nil, storeError("lock subscriptions", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, storeError("lock subscriptions", err)
		}
		found = append(found, id)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("lock subscriptions", err)
	}
	return found, nil
}

// CreateSubscription creates or replaces a subscription.
func (c conn) CreateSubscription(ctx context.Context, sub *teamsops.Subscription) error {
	expires, err := sqlfilter.EncodeTime(sub.ExpirationDateTime)
	if err != nil {
		return err
	}
	created, err := sqlfilter.EncodeTime(sub.CreatedDateTime)
	if err != nil {
		return err
	}
	scopes, roles := jsonList(sub.Scopes), jsonList(sub.Roles)
	return c.atomic(ctx, "create subscription", func(q querier, note noter) error {
		note(subscriptionChanged(sub.TenantID))
		_, err := q.ExecContext(ctx, `INSERT INTO subscriptions (`+subscriptionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
			sub.UserID, scopes, roles, created, sub.Removed)
		if err != nil {
			return storeError("create subscription", err)
		}
		return nil
	})
}

// DeleteSubscription deletes a subscription; its notifications and
// deliveries go with it (ON DELETE CASCADE).
func (c conn) DeleteSubscription(ctx context.Context, tenantID, id string) error {
	return c.atomic(ctx, "delete subscription", func(q querier, note noter) error {
		res, err := q.ExecContext(ctx, `DELETE FROM subscriptions WHERE tenant_id = ? AND id = ?`, tenantID, id)
		if err != nil {
			return storeError("delete subscription", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return storeError("delete subscription", err)
		} else if n == 0 {
			return notFound("The object was not found.")
		}
		note(subscriptionChanged(tenantID))
		return nil
	})
}

// AddNotifications records pending notifications in one statement; the
// sequence numbers are assigned in the order of ns.
func (c conn) AddNotifications(ctx context.Context, ns []*teamsops.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	values := make([]string, len(ns))
	args := make([]any, 0, 6*len(ns))
	for i, n := range ns {
		op, err := encodeSnapshot(n.Operation)
		if err != nil {
			return err
		}
		created, err := sqlfilter.EncodeTime(n.CreatedAt)
		if err != nil {
			return err
		}
		values[i] = "(?, ?, ?, ?, ?, ?)"
		args = append(args, n.TenantID, n.SubscriptionID, n.ChangeType, n.LifecycleEvent, op, created)
	}
	return c.atomic(ctx, "add notifications", func(q querier, _ noter) error {
		rows, err := q.QueryContext(ctx, `INSERT INTO notifications
			(tenant_id, subscription_id, change_type, lifecycle_event, operation, created_at)
			VALUES `+strings.Join(values, ", ")+` RETURNING seq`, args...)
		if err != nil {
			return storeError("add notifications", err)
		}
		defer rows.Close()
		var seqs []int64
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				return storeError("add notifications", err)
			}
			seqs = append(seqs, seq)
		}
		if err := rows.Err(); err != nil {
			return storeError("add notifications", err)
		}
		slices.Sort(seqs) // RETURNING's order is not specified; the rows' is
		for i, n := range ns {
			n.Seq = seqs[i]
		}
		return nil
	})
}

// PendingNotifications returns up to limit notifications of a
// subscription, oldest first.
func (c conn) PendingNotifications(ctx context.Context, tenantID, subscriptionID string, limit int) ([]*teamsops.Notification, error) {
	rows, err := c.q.QueryContext(ctx, `SELECT seq, change_type, lifecycle_event, operation, created_at
		FROM notifications WHERE tenant_id = ? AND subscription_id = ? ORDER BY seq LIMIT ?`,
		tenantID, subscriptionID, limit)
	if err != nil {
		return nil, storeError("read notifications", err)
	}
	defer rows.Close()
	var ns []*teamsops.Notification
	for rows.Next() {
		n := &teamsops.Notification{TenantID: tenantID, SubscriptionID: subscriptionID}
		var op string
		var created int64
		if err := rows.Scan(&n.Seq, &n.ChangeType, &n.LifecycleEvent, &op, &created); err != nil {
			return nil, storeError("read notifications", err)
		}
		if n.Operation, err = decodeSnapshot(op); err != nil {
			return nil, storeError("read notifications", err)
		}
		n.CreatedAt = sqlfilter.DecodeTime(created)
		ns = append(ns, n)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("read notifications", err)
	}
	return ns, nil
}

// DeleteNotifications deletes delivered or dropped notifications.
func (c conn) DeleteNotifications(ctx context.Context, tenantID, subscriptionID string, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	return c.atomic(ctx, "delete notifications", func(q querier, _ noter) error {
		list, _ := json.Marshal(seqs)
		_, err := q.ExecContext(ctx, `DELETE FROM notifications WHERE tenant_id = ? AND subscription_id = ?
			AND seq IN (SELECT value FROM json_each(?))`, tenantID, subscriptionID, string(list))
		if err != nil {
			return storeError("delete notifications", err)
		}
		return nil
	})
}

// RecordDelivery records a delivery and forgets all but the newest
// teamsops.DeliveriesKept of its subscription.
func (c conn) RecordDelivery(ctx context.Context, d *teamsops.Delivery) error {
	at, err := sqlfilter.EncodeTime(d.At)
	if err != nil {
		return err
	}
	return c.atomic(ctx, "record delivery", func(q querier, _ noter) error {
		_, err := q.ExecContext(ctx, `INSERT INTO deliveries (tenant_id, subscription_id, at, lifecycle,
			notifications, attempt, status, latency_ns, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.TenantID, d.SubscriptionID, at, d.Lifecycle, d.Notifications, d.Attempt, d.Status,
			int64(d.Latency), d.Error)
		if err != nil {
			return storeError("record delivery", err)
		}
		_, err = q.ExecContext(ctx, `DELETE FROM deliveries WHERE tenant_id = ?1 AND subscription_id = ?2
			AND seq <= (SELECT seq FROM deliveries WHERE tenant_id = ?1 AND subscription_id = ?2
				ORDER BY seq DESC LIMIT 1 OFFSET ?3)`, d.TenantID, d.SubscriptionID, teamsops.DeliveriesKept)
		if err != nil {
			return storeError("record delivery", err)
		}
		return nil
	})
}

// Deliveries returns a subscription's recent deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, tenantID, subscriptionID string) ([]*teamsops.Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, lifecycle, notifications, attempt, status, latency_ns, error
		FROM deliveries WHERE tenant_id = ? AND subscription_id = ? ORDER BY seq DESC`, tenantID, subscriptionID)
	if err != nil {
		return nil, storeError("read deliveries", err)
	}
	defer rows.Close()
	ds := []*teamsops.Delivery{}
	for rows.Next() {
		d := &teamsops.Delivery{TenantID: tenantID, SubscriptionID: subscriptionID}
		var at, latency int64
		if err := rows.Scan(&at, &d.Lifecycle, &d.Notifications, &d.Attempt, &d.Status, &latency, &d.Error); err != nil {
			return nil, storeError("read deliveries", err)
		}
		d.At, d.Latency = sqlfilter.DecodeTime(at), time.Duration(latency)
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, storeError("read deliveries", err)
	}
	return ds, nil
}

// scanSubscription reads one row of subscriptionColumns.
func scanSubscription(row interface{ Scan(...any) error }) (*teamsops.Subscription, error) {
	var sub teamsops.Subscription
	var kind, scopes, roles string
	var expires, created int64
	err := row.Scan(&sub.TenantID, &sub.ID, &sub.Resource, &kind, &sub.Target.ID, &sub.ChangeType,
		&sub.NotificationURL, &sub.LifecycleNotificationURL, &sub.ClientState, &expires, &sub.ApplicationID,
		&sub.CreatorID, &sub.IncludeResourceData, &sub.EncryptionCertificate, &sub.EncryptionCertificateID,
		&sub.LatestSupportedTLSVersion, &sub.NotificationURLAppID, &sub.NotificationQueryOptions,
		&sub.UserID, &scopes, &roles, &created, &sub.Removed)
	if err != nil {
		return nil, err
	}
	sub.Target.Kind = teamsops.ResourceKind(kind)
	sub.ExpirationDateTime, sub.CreatedDateTime = sqlfilter.DecodeTime(expires), sqlfilter.DecodeTime(created)
	if err := json.Unmarshal([]byte(scopes), &sub.Scopes); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(roles), &sub.Roles); err != nil {
		return nil, err
	}
	if len(sub.Scopes) == 0 {
		sub.Scopes = nil
	}
	if len(sub.Roles) == 0 {
		sub.Roles = nil
	}
	return &sub, nil
}

// jsonList encodes a list of names as a JSON array, [] for none.
func jsonList(names []string) string {
	if len(names) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(names)
	return string(b)
}

// encodeSnapshot and decodeSnapshot keep a notification's operation as
// JSON text ("" for none).
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
