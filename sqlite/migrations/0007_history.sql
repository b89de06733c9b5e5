-- The history of operations, for the dashboard: every transition of an
-- operation (its status, attempt and error after each write) and the
-- request that started it, written in the same transaction as the
-- operation itself (teamsops.Store: CreateOperation, UpdateOperation).
-- Kept for the history retention (serve --history-retention), counted
-- from recorded_at; pruned in seq order, so that no index on time is
-- needed. at is the operation's lastActionDateTime after the write.
-- method … request_id hold the request that started the operation: on the
-- row of its creation only, NULL elsewhere and when no request started it
-- (an operation declared in a tenant file).
CREATE TABLE operation_history (
    seq           INTEGER PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    operation_id  TEXT NOT NULL,
    recorded_at   INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    status        TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    error_code    TEXT,
    error_message TEXT,
    method        TEXT,
    path          TEXT,
    client_app_id TEXT,
    user_id       TEXT,
    fault         TEXT,
    request_id    TEXT
) STRICT;

-- Serves "an operation's history, in order" and its origin.
CREATE INDEX operation_history_operation ON operation_history (tenant_id, operation_id, seq);

-- Serve the dashboard's table, newest first: across tenants, and in one.
-- Neither holds a column that changes as an operation runs, so updates
-- never touch them.
CREATE INDEX operations_created ON operations (created_at, tenant_id, id);
CREATE INDEX operations_tenant_created ON operations (tenant_id, created_at, id);
