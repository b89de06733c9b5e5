-- Tenant files, as sqlite/migrations/0003_tenants.sql: what a tenant
-- declares beyond the demo's needs, and what the last applied file
-- declared, so that the next apply of an edited file can skip what did not
-- change and delete what the file no longer lists.

ALTER TABLE tenants ADD COLUMN verified_domain TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN mail TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN account_enabled BOOLEAN NOT NULL DEFAULT TRUE;

-- An app may have several client secrets (as during a rotation): their
-- bcrypt hashes. delegated_scopes: the delegated permissions consented for
-- the app's users.
ALTER TABLE app_registrations ADD COLUMN secret_hashes TEXT[] NOT NULL DEFAULT '{}';
UPDATE app_registrations SET secret_hashes = ARRAY[secret_hash] WHERE secret_hash <> '';
ALTER TABLE app_registrations DROP COLUMN secret_hash;
ALTER TABLE app_registrations ADD COLUMN delegated_scopes TEXT[] NOT NULL DEFAULT '{}';

-- The id of the app's manifest (teamsApp's externalId).
ALTER TABLE teams_apps ADD COLUMN external_id TEXT COLLATE "C" NOT NULL DEFAULT '';

-- What the last applied tenant file declared (teamsops.Declared): parent
-- is the team of a channel, or the chat or team of an installation, a
-- grant or an operation; digest identifies the declaration.
CREATE TABLE declared_entities (
    tenant_id   TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    kind        TEXT COLLATE "C" NOT NULL,
    parent_kind TEXT COLLATE "C" NOT NULL DEFAULT '',
    parent_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
    id          TEXT COLLATE "C" NOT NULL,
    digest      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, kind, parent_id, id)
);

-- Settings of the installation, not of a tenant, such as the public URL
-- of the server that last started on this database.
CREATE TABLE instance_settings (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
