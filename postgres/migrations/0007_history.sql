-- The history of operations, as sqlite/migrations/0007_history.sql keeps
-- it: every transition of an operation and the request that started it,
-- written in the same transaction as the operation; pruned in seq order
-- after the history retention, counted from recorded_at.
CREATE TABLE operation_history (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id     TEXT COLLATE "C" NOT NULL,
    operation_id  TEXT COLLATE "C" NOT NULL,
    recorded_at   BIGINT NOT NULL,
    at            BIGINT NOT NULL,
    status        TEXT COLLATE "C" NOT NULL,
    attempt       BIGINT NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    method        TEXT,
    path          TEXT,
    client_app_id TEXT COLLATE "C",
    user_id       TEXT COLLATE "C",
    fault         TEXT,
    request_id    TEXT
);

-- Serves "an operation's history, in order" and its origin.
CREATE INDEX operation_history_operation ON operation_history (tenant_id, operation_id, seq);

-- Serve the dashboard's table, newest first: across tenants, and in one.
-- Neither holds a column that changes as an operation runs, so updates
-- stay heap-only.
CREATE INDEX operations_created ON operations (created_at, tenant_id, id);
CREATE INDEX operations_tenant_created ON operations (tenant_id, created_at, id);
