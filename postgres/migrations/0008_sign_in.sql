-- Sign-in with Microsoft's identity libraries (issue 17), as
-- sqlite/migrations/0008_sign_in.sql: what users and app registrations
-- sign in with, and the grants the token service keeps.

-- The tenant of a user name's domain is found by its verified domain,
-- ignoring ASCII case (teamsops.Store.TenantByDomain): under COLLATE "C",
-- lower() folds ASCII letters only, whatever the database's locale.
ALTER TABLE tenants ALTER COLUMN verified_domain TYPE TEXT COLLATE "C";

-- The bcrypt hash of the user's password; '' when the user has none.
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';

-- The PEM certificates whose keys sign the app's client assertions, its
-- web and single-page redirect URIs, and the identifier URIs and scopes it
-- exposes as an API. A public client keeps no secret.
ALTER TABLE app_registrations
    ADD COLUMN certificates      TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN redirect_uris     TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN spa_redirect_uris TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN public_client     BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN identifier_uris   TEXT[] NOT NULL DEFAULT '{}',
    ADD COLUMN exposed_scopes    TEXT[] NOT NULL DEFAULT '{}';

-- Sign-in grants (teamsops.SignInGrant): kind is a
-- teamsops.SignInGrantKind; key finds the grant (a hash of a secret, never
-- the secret); data is the token service's own encoding. expires_at is in
-- Unix nanoseconds; a grant past it stays until pruned, which its index
-- serves. A tenant's grants go with it.
CREATE TABLE sign_in_grants (
    tenant_id  TEXT COLLATE "C" NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind       TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    data       BYTEA NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, kind, key)
);

CREATE INDEX sign_in_grants_expires ON sign_in_grants (expires_at);
