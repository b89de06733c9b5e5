-- Fault rules, as sqlite/migrations/0004_fault_rules.sql: the operations
-- one app starts in one tenant fail on purpose (teamsops.FaultRule). A
-- tenant's rules go with it.
CREATE TABLE fault_rules (
    tenant_id      TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             TEXT COLLATE "C" NOT NULL,
    client_app_id  TEXT COLLATE "C" NOT NULL,
    operation_type TEXT COLLATE "C" NOT NULL DEFAULT '',
    action         TEXT COLLATE "C" NOT NULL CHECK (action IN ('fail', 'transient')),
    error_code     TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    PRIMARY KEY (tenant_id, id)
);

-- Serves "the rules of one app", read when an operation starts.
CREATE INDEX fault_rules_app ON fault_rules (tenant_id, client_app_id, id);
