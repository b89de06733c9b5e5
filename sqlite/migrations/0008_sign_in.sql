-- Sign-in with Microsoft's identity libraries (issue 17): what users and
-- app registrations sign in with, and the grants the token service keeps.

-- The bcrypt hash of the user's password; '' when the user has none and
-- so cannot sign in with one.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

-- JSON arrays, as roles and secret_hashes: the PEM certificates whose keys
-- sign the app's client assertions, its web and single-page redirect URIs,
-- and the identifier URIs and scopes it exposes as an API. A public client
-- (a CLI, a desktop or mobile app) keeps no secret.
ALTER TABLE app_registrations ADD COLUMN certificates TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(certificates));
ALTER TABLE app_registrations ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(redirect_uris));
ALTER TABLE app_registrations ADD COLUMN spa_redirect_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(spa_redirect_uris));
ALTER TABLE app_registrations ADD COLUMN public_client INTEGER NOT NULL DEFAULT 0 CHECK (public_client IN (0, 1));
ALTER TABLE app_registrations ADD COLUMN identifier_uris TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(identifier_uris));
ALTER TABLE app_registrations ADD COLUMN exposed_scopes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(exposed_scopes));

-- Sign-in grants (teamsops.SignInGrant): authorization codes, refresh
-- tokens, device codes, used assertion ids, sessions. kind is a
-- teamsops.SignInGrantKind; key finds the grant (a hash of a secret, never
-- the secret); data is the token service's own encoding. expires_at is in
-- Unix nanoseconds; a grant past it stays until pruned, which its index
-- serves. A tenant's grants go with it.
CREATE TABLE sign_in_grants (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    data       BLOB NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX sign_in_grants_expires ON sign_in_grants (expires_at);
