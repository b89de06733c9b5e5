package postgres

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

const subscriptionColumns = `tenant_id, id, resource, target_kind, target_id, change_type,
	notification_url, lifecycle_notification_url, client_state, expires_at, application_id,
	creator_id, include_resource_data, encryption_certificate, encryption_certificate_id,
	latest_supported_tls_version, notification_url_app_id, notification_query_options,
	user_id, scopes, roles, created_at, removed`

// Subscription returns one subscription of the tenant. Inside a Tx it
// locks the row (FOR UPDATE) until the transaction ends: a notification's
// insert, whose foreign key takes a KEY SHARE lock on the row, then waits
// for the transaction, or the transaction waits for the insert's.
func (c conn) Subscription(ctx context.Context, tenantID, id string) (*teamsops.Subscription, error) {
	sub, err := scanSubscription(c.q.QueryRow(ctx, `SELECT `+subscriptionColumns+`
		FROM subscriptions WHERE tenant_id = $1 AND id = $2`+c.lock, tenantID, id))
	if noRows(err) {
		return nil, notFound("The object was not found.")
	} else if err != nil {
		return nil, storeError("read subscription", err)
	}
	return sub, nil
}

// Subscriptions lists the subscriptions of a tenant (every tenant for
// ""), of one app or all, ordered by id.
func (c conn) Subscriptions(ctx context.Context, tenantID, appID string) ([]*teamsops.Subscription, error) {
	rows, err := c.q.Query(ctx, `SELECT `+subscriptionColumns+` FROM subscriptions
		WHERE ($1 = '' OR tenant_id = $1) AND ($2 = '' OR application_id = $2)
		ORDER BY tenant_id, id`, tenantID, appID)
	if err != nil {
		return nil, storeError("list subscriptions", err)
	}
	subs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*teamsops.Subscription, error) { return scanSubscription(row) })
	if err != nil {
		return nil, storeError("list subscriptions", err)
	}
	if subs == nil {
		subs = []*teamsops.Subscription{}
	}
	return subs, nil
}

// LockSubscriptions returns those of ids that exist in the tenant; inside
// a Tx it locks them FOR KEY SHARE, in the order of their ids, until the
// transaction ends.
func (c conn) LockSubscriptions(ctx context.Context, tenantID string, ids []string) ([]string, error) {
	lock := ""
	if c.lock != "" {
		lock = " FOR KEY SHARE"
	}
	rows, err := c.q.Query(ctx, `SELECT id FROM subscriptions WHERE tenant_id = $1 AND id = ANY($2)
		ORDER BY id`+lock, tenantID, ids)
	if err != nil {
		return nil, storeError("lock subscriptions", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
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
	return c.atomic(ctx, "create subscription", func(q querier, note noter) error {
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
			sub.UserID, textArray(sub.Scopes), textArray(sub.Roles), created, sub.Removed)
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
		tag, err := q.Exec(ctx, `DELETE FROM subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return storeError("delete subscription", err)
		}
		if tag.RowsAffected() == 0 {
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
	var tenants, subs, changes, events, ops []string
	var created []int64
	for _, n := range ns {
		op, err := encodeSnapshot(n.Operation)
		if err != nil {
			return err
		}
		at, err := sqlfilter.EncodeTime(n.CreatedAt)
		if err != nil {
			return err
		}
		tenants, subs = append(tenants, n.TenantID), append(subs, n.SubscriptionID)
		changes, events, ops = append(changes, n.ChangeType), append(events, n.LifecycleEvent), append(ops, op)
		created = append(created, at)
	}
	return c.atomic(ctx, "add notifications", func(q querier, _ noter) error {
		rows, err := q.Query(ctx, `INSERT INTO notifications
			(tenant_id, subscription_id, change_type, lifecycle_event, operation, created_at)
			SELECT t, s, c, e, o, a FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])
				WITH ORDINALITY AS n(t, s, c, e, o, a, i) ORDER BY i
			RETURNING seq`, tenants, subs, changes, events, ops, created)
		if err != nil {
			return storeError("add notifications", err)
		}
		seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
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
	rows, err := c.q.Query(ctx, `SELECT seq, change_type, lifecycle_event, operation, created_at
		FROM notifications WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY seq LIMIT $3`,
		tenantID, subscriptionID, limit)
	if err != nil {
		return nil, storeError("read notifications", err)
	}
	ns, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*teamsops.Notification, error) {
		n := &teamsops.Notification{TenantID: tenantID, SubscriptionID: subscriptionID}
		var op string
		var created int64
		if err := row.Scan(&n.Seq, &n.ChangeType, &n.LifecycleEvent, &op, &created); err != nil {
			return nil, err
		}
		var err error
		n.Operation, err = decodeSnapshot(op)
		n.CreatedAt = sqlfilter.DecodeTime(created)
		return n, err
	})
	if err != nil {
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
		_, err := q.Exec(ctx, `DELETE FROM notifications WHERE tenant_id = $1 AND subscription_id = $2
			AND seq = ANY($3)`, tenantID, subscriptionID, seqs)
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
		_, err := q.Exec(ctx, `INSERT INTO deliveries (tenant_id, subscription_id, at, lifecycle,
			notifications, attempt, status, latency_ns, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.TenantID, d.SubscriptionID, at, d.Lifecycle, d.Notifications, d.Attempt, d.Status,
			int64(d.Latency), d.Error)
		if err != nil {
			return storeError("record delivery", err)
		}
		_, err = q.Exec(ctx, `DELETE FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2
			AND seq <= (SELECT seq FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2
				ORDER BY seq DESC LIMIT 1 OFFSET $3)`, d.TenantID, d.SubscriptionID, teamsops.DeliveriesKept)
		if err != nil {
			return storeError("record delivery", err)
		}
		return nil
	})
}

// Deliveries returns a subscription's recent deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, tenantID, subscriptionID string) ([]*teamsops.Delivery, error) {
	rows, err := s.pool.Query(ctx, `SELECT at, lifecycle, notifications, attempt, status, latency_ns, error
		FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY seq DESC`, tenantID, subscriptionID)
	if err != nil {
		return nil, storeError("read deliveries", err)
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*teamsops.Delivery, error) {
		d := &teamsops.Delivery{TenantID: tenantID, SubscriptionID: subscriptionID}
		var at, latency int64
		if err := row.Scan(&at, &d.Lifecycle, &d.Notifications, &d.Attempt, &d.Status, &latency, &d.Error); err != nil {
			return nil, err
		}
		d.At, d.Latency = sqlfilter.DecodeTime(at), time.Duration(latency)
		return d, nil
	})
	if err != nil {
		return nil, storeError("read deliveries", err)
	}
	if ds == nil {
		ds = []*teamsops.Delivery{}
	}
	return ds, nil
}

// scanSubscription reads one row of subscriptionColumns.
func scanSubscription(row pgx.Row) (*teamsops.Subscription, error) {
	var sub teamsops.Subscription
	var kind string
	var expires, created int64
	err := row.Scan(&sub.TenantID, &sub.ID, &sub.Resource, &kind, &sub.Target.ID, &sub.ChangeType,
		&sub.NotificationURL, &sub.LifecycleNotificationURL, &sub.ClientState, &expires, &sub.ApplicationID,
		&sub.CreatorID, &sub.IncludeResourceData, &sub.EncryptionCertificate, &sub.EncryptionCertificateID,
		&sub.LatestSupportedTLSVersion, &sub.NotificationURLAppID, &sub.NotificationQueryOptions,
		&sub.UserID, &sub.Scopes, &sub.Roles, &created, &sub.Removed)
	if err != nil {
		return nil, err
	}
	sub.Target.Kind = teamsops.ResourceKind(kind)
	sub.ExpirationDateTime, sub.CreatedDateTime = sqlfilter.DecodeTime(expires), sqlfilter.DecodeTime(created)
	sub.Scopes, sub.Roles = noneIfEmpty(sub.Scopes), noneIfEmpty(sub.Roles)
	return &sub, nil
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
