-- Change notifications of operations (teamsops.Subscription): the
-- subscriptions, the notifications each has pending (an outbox, written in
-- the transaction of the change that causes them and deleted once
-- delivered), and a short record of recent deliveries per subscription.
-- Every table carries tenant_id, so a tenant's deletion removes every row.
-- scopes and roles are JSON arrays; times are Unix nanoseconds UTC.
CREATE TABLE subscriptions (
    tenant_id                    TEXT NOT NULL,
    id                           TEXT NOT NULL,
    resource                     TEXT NOT NULL,
    target_kind                  TEXT NOT NULL DEFAULT '',
    target_id                    TEXT NOT NULL DEFAULT '',
    change_type                  TEXT NOT NULL,
    notification_url             TEXT NOT NULL,
    lifecycle_notification_url   TEXT NOT NULL DEFAULT '',
    client_state                 TEXT NOT NULL DEFAULT '',
    expires_at                   INTEGER NOT NULL,
    application_id               TEXT NOT NULL DEFAULT '',
    creator_id                   TEXT NOT NULL DEFAULT '',
    include_resource_data        INTEGER NOT NULL DEFAULT 0 CHECK (include_resource_data IN (0, 1)),
    encryption_certificate       TEXT NOT NULL DEFAULT '',
    encryption_certificate_id    TEXT NOT NULL DEFAULT '',
    latest_supported_tls_version TEXT NOT NULL DEFAULT '',
    notification_url_app_id      TEXT NOT NULL DEFAULT '',
    notification_query_options   TEXT NOT NULL DEFAULT '',
    user_id                      TEXT NOT NULL DEFAULT '',
    scopes                       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(scopes)),
    roles                        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    created_at                   INTEGER NOT NULL,
    removed                      INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX subscriptions_app ON subscriptions (tenant_id, application_id);

-- operation: the operation as the change left it (JSON), '' for a
-- lifecycle event. AUTOINCREMENT: notifications are delivered in seq order.
CREATE TABLE notifications (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    change_type     TEXT NOT NULL DEFAULT '',
    lifecycle_event TEXT NOT NULL DEFAULT '',
    operation       TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX notifications_subscription ON notifications (tenant_id, subscription_id, seq);

CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    at              INTEGER NOT NULL,
    lifecycle       INTEGER NOT NULL DEFAULT 0,
    notifications   INTEGER NOT NULL,
    attempt         INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    latency_ns      INTEGER NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions (tenant_id, id) ON DELETE CASCADE
) STRICT;

CREATE INDEX deliveries_subscription ON deliveries (tenant_id, subscription_id, seq);
