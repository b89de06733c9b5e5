-- Fault rules: the operations one app starts in one tenant fail on
-- purpose (teamsops.FaultRule). A tenant's rules go with it.
-- action: 'fail' (error_code and error_message set) or 'transient'
-- (attempts set); operation_type '' matches every type.
CREATE TABLE fault_rules (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    client_app_id  TEXT NOT NULL,
    operation_type TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL CHECK (action IN ('fail', 'transient')),
    error_code     TEXT NOT NULL DEFAULT '',
    error_message  TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Serves "the rules of one app", read when an operation starts.
CREATE INDEX fault_rules_app ON fault_rules (tenant_id, client_app_id, id);
