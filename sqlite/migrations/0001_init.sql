-- The directory and operations of teamsops. Graph's ids are the keys, always
-- prefixed by tenant_id: every query is tenant-scoped, and two tenants may
-- use the same ids. Times are Unix nanoseconds UTC (sqlfilter.EncodeTime).
-- Absent optional text is NULL in operations (Graph's null), '' elsewhere.

CREATE TABLE tenants (
    id           TEXT NOT NULL PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE users (
    tenant_id           TEXT NOT NULL REFERENCES tenants (id),
    id                  TEXT NOT NULL,
    display_name        TEXT NOT NULL DEFAULT '',
    user_principal_name TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- Entra compares user principal names case-insensitively.
CREATE UNIQUE INDEX users_upn ON users (tenant_id, user_principal_name COLLATE NOCASE)
    WHERE user_principal_name <> '';

CREATE TABLE chats (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id         TEXT NOT NULL,
    chat_type  TEXT NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- roles is a JSON array of conversationMember roles: ["owner"] or [].
CREATE TABLE chat_members (
    tenant_id TEXT NOT NULL,
    chat_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    roles     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    PRIMARY KEY (tenant_id, chat_id, user_id),
    FOREIGN KEY (tenant_id, chat_id) REFERENCES chats (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX chat_members_user ON chat_members (tenant_id, user_id);

CREATE TABLE teams (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    id           TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    is_archived  INTEGER NOT NULL DEFAULT 0 CHECK (is_archived IN (0, 1)),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE team_members (
    tenant_id TEXT NOT NULL,
    team_id   TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    roles     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    PRIMARY KEY (tenant_id, team_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

-- The tenant's Teams app catalog.
CREATE TABLE teams_apps (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    id            TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    client_app_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- resource_kind/resource_id name a chat or team (teamsops.ResourceRef); no
-- foreign key, as it may point at either table.
CREATE TABLE app_installations (
    tenant_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    resource_kind TEXT NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id   TEXT NOT NULL,
    teams_app_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, resource_kind, resource_id, teams_app_id),
    FOREIGN KEY (tenant_id, teams_app_id) REFERENCES teams_apps (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- roles is a JSON array of Microsoft Graph application permissions.
CREATE TABLE app_registrations (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    client_id    TEXT NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL DEFAULT '',
    roles        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    PRIMARY KEY (tenant_id, client_id)
) STRICT, WITHOUT ROWID;

-- Resource-specific consent grants (resourceSpecificPermissionGrant).
CREATE TABLE permission_grants (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    id              TEXT NOT NULL,
    resource_kind   TEXT NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id     TEXT NOT NULL,
    client_app_id   TEXT NOT NULL,
    client_id       TEXT NOT NULL DEFAULT '',
    permission_type TEXT NOT NULL CHECK (permission_type IN ('Application', 'Delegated')),
    permission      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX permission_grants_resource
    ON permission_grants (tenant_id, resource_kind, resource_id, client_app_id);

-- Operation ids are unique within a tenant; the resource is the parent the
-- operation is listed under. error_code is NULL exactly when there is no error.
CREATE TABLE operations (
    tenant_id                TEXT NOT NULL REFERENCES tenants (id),
    id                       TEXT NOT NULL,
    resource_kind            TEXT NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id              TEXT NOT NULL,
    operation_type           TEXT NOT NULL,
    status                   TEXT NOT NULL,
    created_at               INTEGER NOT NULL,
    last_action_at           INTEGER NOT NULL,
    attempts_count           INTEGER NOT NULL DEFAULT 0 CHECK (attempts_count >= 0),
    target_resource_id       TEXT,
    target_resource_location TEXT,
    values_json              TEXT,
    error_code               TEXT,
    error_message            TEXT,
    PRIMARY KEY (tenant_id, id),
    CHECK ((error_code IS NULL) = (error_message IS NULL))
) STRICT; -- with a rowid: rows may carry large values_json

-- Serves "operations of one chat or team, by createdDateTime then id".
CREATE INDEX operations_resource
    ON operations (tenant_id, resource_kind, resource_id, created_at, id);

-- The local token issuer's keys; not tenant-scoped, one issuer serves all.
CREATE TABLE signing_keys (
    id         TEXT NOT NULL PRIMARY KEY,
    pem        BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX signing_keys_created ON signing_keys (created_at, id);
