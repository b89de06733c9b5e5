-- The directory and operations of teamsops, as sqlite/migrations/0001_init.sql
-- keeps them. Graph's ids are the keys, always prefixed by tenant_id: every
-- query is tenant-scoped, and two tenants may use the same ids. Times are
-- Unix nanoseconds UTC (sqlfilter.EncodeTime): timestamptz keeps only
-- microseconds, Graph writes 7 fractional digits. Text is COLLATE "C", so it
-- compares and sorts bytewise, as SQLite's BINARY does, whatever the
-- database's locale. Absent optional text is NULL in operations (Graph's
-- null), '' elsewhere.

CREATE TABLE tenants (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    display_name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE users (
    tenant_id           TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id                  TEXT COLLATE "C" NOT NULL,
    display_name        TEXT NOT NULL DEFAULT '',
    user_principal_name TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);

-- Entra compares user principal names case-insensitively. lower() under
-- COLLATE "C" folds ASCII letters only, as SQLite's NOCASE does.
CREATE UNIQUE INDEX users_upn ON users (tenant_id, lower(user_principal_name))
    WHERE user_principal_name <> '';

CREATE TABLE chats (
    tenant_id  TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id         TEXT COLLATE "C" NOT NULL,
    chat_type  TEXT COLLATE "C" NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- roles holds conversationMember roles: {owner} or {}.
CREATE TABLE chat_members (
    tenant_id TEXT COLLATE "C" NOT NULL,
    chat_id   TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    roles     TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, chat_id, user_id),
    FOREIGN KEY (tenant_id, chat_id) REFERENCES chats (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX chat_members_user ON chat_members (tenant_id, user_id);

CREATE TABLE teams (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id           TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE team_members (
    tenant_id TEXT COLLATE "C" NOT NULL,
    team_id   TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    roles     TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, team_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

-- The tenant's Teams app catalog.
CREATE TABLE teams_apps (
    tenant_id     TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id            TEXT COLLATE "C" NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    client_app_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);

-- resource_kind/resource_id name a chat or team (teamsops.ResourceRef); no
-- foreign key, as it may point at either table.
CREATE TABLE app_installations (
    tenant_id     TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    resource_kind TEXT COLLATE "C" NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id   TEXT COLLATE "C" NOT NULL,
    teams_app_id  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, resource_kind, resource_id, teams_app_id),
    FOREIGN KEY (tenant_id, teams_app_id) REFERENCES teams_apps (tenant_id, id)
);

-- roles holds Microsoft Graph application permissions.
CREATE TABLE app_registrations (
    tenant_id    TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    client_id    TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL DEFAULT '',
    roles        TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, client_id)
);

-- Resource-specific consent grants (resourceSpecificPermissionGrant).
CREATE TABLE permission_grants (
    tenant_id       TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id              TEXT COLLATE "C" NOT NULL,
    resource_kind   TEXT COLLATE "C" NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id     TEXT COLLATE "C" NOT NULL,
    client_app_id   TEXT COLLATE "C" NOT NULL,
    client_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
    permission_type TEXT COLLATE "C" NOT NULL CHECK (permission_type IN ('Application', 'Delegated')),
    permission      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX permission_grants_resource
    ON permission_grants (tenant_id, resource_kind, resource_id, client_app_id);

-- Operation ids are unique within a tenant; the resource is the parent the
-- operation is listed under. error_code is NULL exactly when there is no
-- error. attempts_count is BIGINT so that any Int64 a $filter compares it
-- with binds without overflow.
CREATE TABLE operations (
    tenant_id                TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id                       TEXT COLLATE "C" NOT NULL,
    resource_kind            TEXT COLLATE "C" NOT NULL CHECK (resource_kind IN ('chats', 'teams')),
    resource_id              TEXT COLLATE "C" NOT NULL,
    operation_type           TEXT COLLATE "C" NOT NULL,
    status                   TEXT COLLATE "C" NOT NULL,
    created_at               BIGINT NOT NULL,
    last_action_at           BIGINT NOT NULL,
    attempts_count           BIGINT NOT NULL DEFAULT 0 CHECK (attempts_count >= 0),
    target_resource_id       TEXT COLLATE "C",
    target_resource_location TEXT COLLATE "C",
    values_json              TEXT COLLATE "C",
    error_code               TEXT,
    error_message            TEXT,
    PRIMARY KEY (tenant_id, id),
    CHECK ((error_code IS NULL) = (error_message IS NULL))
);

-- Serves "operations of one chat or team, by createdDateTime then id".
CREATE INDEX operations_resource
    ON operations (tenant_id, resource_kind, resource_id, created_at, id);

-- The local token issuer's keys; not tenant-scoped, one issuer serves all.
CREATE TABLE signing_keys (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    pem        BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX signing_keys_created ON signing_keys (created_at, id);
