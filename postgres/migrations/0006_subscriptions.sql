-- Change notifications of operations, as
-- sqlite/migrations/0006_subscriptions.sql: subscriptions, the outbox of
-- their pending notifications, and a short record of recent deliveries.
-- A notification's foreign key takes a KEY SHARE lock on its subscription,
-- which a delivery that is about to finish waits for (FOR UPDATE): see
-- teamsops.Tx.Subscription.
CREATE TABLE subscriptions (
    tenant_id                    TEXT COLLATE "C" NOT NULL,
    id                           TEXT COLLATE "C" NOT NULL,
    resource                     TEXT NOT NULL,
    target_kind                  TEXT COLLATE "C" NOT NULL DEFAULT '',
    target_id                    TEXT COLLATE "C" NOT NULL DEFAULT '',
    change_type                  TEXT NOT NULL,
    notification_url             TEXT NOT NULL,
    lifecycle_notification_url   TEXT NOT NULL DEFAULT '',
    client_state                 TEXT NOT NULL DEFAULT '',
    expires_at                   BIGINT NOT NULL,
    application_id               TEXT COLLATE "C" NOT NULL DEFAULT '',
    creator_id                   TEXT NOT NULL DEFAULT '',
    include_resource_data        BOOLEAN NOT NULL DEFAULT false,
    encryption_certificate       TEXT NOT NULL DEFAULT '',
    encryption_certificate_id    TEXT NOT NULL DEFAULT '',
    latest_supported_tls_version TEXT NOT NULL DEFAULT '',
    notification_url_app_id      TEXT NOT NULL DEFAULT '',
    notification_query_options   TEXT NOT NULL DEFAULT '',
    user_id                      TEXT COLLATE "C" NOT NULL DEFAULT '',
    scopes                       TEXT[] NOT NULL DEFAULT '{}',
    roles                        TEXT[] NOT NULL DEFAULT '{}',
    created_at                   BIGINT NOT NULL,
    removed                      BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX subscriptions_app ON subscriptions (tenant_id, application_id);

CREATE TABLE notifications (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       TEXT COLLATE "C" NOT NULL,
    subscription_id TEXT COLLATE "C" NOT NULL,
    change_type     TEXT NOT NULL DEFAULT '',
    lifecycle_event TEXT NOT NULL DEFAULT '',
    operation       TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX notifications_subscription ON notifications (tenant_id, subscription_id, seq);

CREATE TABLE deliveries (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       TEXT COLLATE "C" NOT NULL,
    subscription_id TEXT COLLATE "C" NOT NULL,
    at              BIGINT NOT NULL,
    lifecycle       BOOLEAN NOT NULL DEFAULT false,
    notifications   INTEGER NOT NULL,
    attempt         INTEGER NOT NULL,
    status          INTEGER NOT NULL,
    latency_ns      BIGINT NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscriptions (tenant_id, id) ON DELETE CASCADE
);

CREATE INDEX deliveries_subscription ON deliveries (tenant_id, subscription_id, seq);
