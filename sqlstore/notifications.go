package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/teamsops/teamsops"
	"github.com/teamsops/teamsops/sqlfilter"
)

// maxNotificationInsert is the most notifications one INSERT adds: 6
// parameters each, well below SQLite's limit (32766) and PostgreSQL's
// (65535), and few distinct statements for pgx to prepare.
const maxNotificationInsert = 1000

// AddNotifications records pending notifications, in one statement for up
// to maxNotificationInsert of them; the sequence numbers are assigned in
// the order of ns.
func (c Conn) AddNotifications(ctx context.Context, ns []*teamsops.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(ns))
	for _, n := range ns {
		op, err := encodeSnapshot(n.Operation)
		if err != nil {
			return err
		}
		created, err := sqlfilter.EncodeTime(n.CreatedAt)
		if err != nil {
			return err
		}
		args = append(args, n.TenantID, n.SubscriptionID, n.ChangeType, n.LifecycleEvent, op, created)
	}
	return c.write(ctx, "add notifications", func(q Querier, _ Note) error {
		for start := 0; start < len(ns); start += maxNotificationInsert {
			end := min(start+maxNotificationInsert, len(ns))
			if err := insertNotifications(ctx, q, ns[start:end], args[6*start:6*end]); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertNotifications adds ns, whose columns are args, in one multi-row
// INSERT (both databases insert its rows in their VALUES order) and
// assigns their sequence numbers.
func insertNotifications(ctx context.Context, q Querier, ns []*teamsops.Notification, args []any) error {
	values := make([]string, len(ns))
	for i := range ns {
		p := 6*i + 1
		values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", p, p+1, p+2, p+3, p+4, p+5)
	}
	seqs := make([]int64, 0, len(ns))
	err := q.Query(ctx, `INSERT INTO notifications
		(tenant_id, subscription_id, change_type, lifecycle_event, operation, created_at)
		VALUES `+strings.Join(values, ", ")+` RETURNING seq`, args, func(row Row) error {
		var seq int64
		err := row.Scan(&seq)
		seqs = append(seqs, seq)
		return err
	})
	if err != nil {
		return err
	}
	slices.Sort(seqs) // RETURNING's order is not specified; the rows' is
	for i, n := range ns {
		n.Seq = seqs[i]
	}
	return nil
}

// PendingNotifications returns up to limit notifications of a
// subscription, oldest first.
func (c Conn) PendingNotifications(ctx context.Context, tenantID, subscriptionID string, limit int) ([]*teamsops.Notification, error) {
	var ns []*teamsops.Notification
	err := c.q.Query(ctx, `SELECT seq, change_type, lifecycle_event, operation, created_at
		FROM notifications WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY seq LIMIT $3`,
		[]any{tenantID, subscriptionID, limit}, func(row Row) error {
			n := &teamsops.Notification{TenantID: tenantID, SubscriptionID: subscriptionID}
			var op string
			var created int64
			if err := row.Scan(&n.Seq, &n.ChangeType, &n.LifecycleEvent, &op, &created); err != nil {
				return err
			}
			var err error
			n.Operation, err = decodeSnapshot(op)
			n.CreatedAt = sqlfilter.DecodeTime(created)
			ns = append(ns, n)
			return err
		})
	if err != nil {
		return nil, c.d.Error("read notifications", err)
	}
	return ns, nil
}

// DeleteNotifications deletes delivered or dropped notifications.
func (c Conn) DeleteNotifications(ctx context.Context, tenantID, subscriptionID string, seqs []int64) error {
	if len(seqs) == 0 {
		return nil
	}
	in, list := c.d.AnyOf("seq", "$3", seqs)
	return c.write(ctx, "delete notifications", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `DELETE FROM notifications WHERE tenant_id = $1 AND subscription_id = $2
			AND `+in, tenantID, subscriptionID, list)
		return err
	})
}

// RecordDelivery records a delivery and forgets all but the newest
// teamsops.DeliveriesKept of its subscription.
func (c Conn) RecordDelivery(ctx context.Context, d *teamsops.Delivery) error {
	at, err := sqlfilter.EncodeTime(d.At)
	if err != nil {
		return err
	}
	return c.write(ctx, "record delivery", func(q Querier, _ Note) error {
		_, err := q.Exec(ctx, `INSERT INTO deliveries (tenant_id, subscription_id, at, lifecycle,
			notifications, attempt, status, latency_ns, error) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			d.TenantID, d.SubscriptionID, at, d.Lifecycle, d.Notifications, d.Attempt, d.Status,
			int64(d.Latency), d.Error)
		if err != nil {
			return err
		}
		_, err = q.Exec(ctx, `DELETE FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2
			AND seq <= (SELECT seq FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2
				ORDER BY seq DESC LIMIT 1 OFFSET $3)`, d.TenantID, d.SubscriptionID, teamsops.DeliveriesKept)
		return err
	})
}

// Deliveries returns a subscription's recent deliveries, newest first.
func (c Conn) Deliveries(ctx context.Context, tenantID, subscriptionID string) ([]*teamsops.Delivery, error) {
	ds := []*teamsops.Delivery{}
	err := c.q.Query(ctx, `SELECT at, lifecycle, notifications, attempt, status, latency_ns, error
		FROM deliveries WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY seq DESC`,
		[]any{tenantID, subscriptionID}, func(row Row) error {
			d := &teamsops.Delivery{TenantID: tenantID, SubscriptionID: subscriptionID}
			var at, latency int64
			if err := row.Scan(&at, &d.Lifecycle, &d.Notifications, &d.Attempt, &d.Status, &latency, &d.Error); err != nil {
				return err
			}
			d.At, d.Latency = sqlfilter.DecodeTime(at), time.Duration(latency)
			ds = append(ds, d)
			return nil
		})
	if err != nil {
		return nil, c.d.Error("read deliveries", err)
	}
	return ds, nil
}
