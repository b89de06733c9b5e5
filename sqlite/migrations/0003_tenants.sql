-- Tenant files: what a tenant declares beyond the demo's needs, and what
-- the last applied file declared, so that the next apply of an edited file
-- can skip what did not change and delete what the file no longer lists.

ALTER TABLE tenants ADD COLUMN verified_domain TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN mail TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN account_enabled INTEGER NOT NULL DEFAULT 1 CHECK (account_enabled IN (0, 1));

-- An app may have several client secrets (as during a rotation): a JSON
-- array of their bcrypt hashes. delegated_scopes: a JSON array of the
-- delegated permissions consented for the app's users.
ALTER TABLE app_registrations ADD COLUMN secret_hashes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(secret_hashes));
UPDATE app_registrations SET secret_hashes = json_array(secret_hash) WHERE secret_hash <> '';
ALTER TABLE app_registrations DROP COLUMN secret_hash;
ALTER TABLE app_registrations ADD COLUMN delegated_scopes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(delegated_scopes));

-- The id of the app's manifest (teamsApp's externalId).
ALTER TABLE teams_apps ADD COLUMN external_id TEXT NOT NULL DEFAULT '';

-- What the last applied tenant file declared (teamsops.Declared): parent
-- is the team of a channel, or the chat or team of an installation, a
-- grant or an operation; digest identifies the declaration.
CREATE TABLE declared_entities (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    kind        TEXT NOT NULL,
    parent_kind TEXT NOT NULL DEFAULT '',
    parent_id   TEXT NOT NULL DEFAULT '',
    id          TEXT NOT NULL,
    digest      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, kind, parent_id, id)
) STRICT, WITHOUT ROWID;

-- Settings of the installation, not of a tenant, such as the public URL
-- of the server that last started on this database.
CREATE TABLE instance_settings (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
