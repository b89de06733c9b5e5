-- Groups, channels and team settings, for the team actions, as
-- sqlite/migrations/0002_groups_channels.sql: "Create team" makes a group
-- and a team of the same id, "Create team from group" puts a team on an
-- existing group, and every team has channels (General first).

-- visibility: 'private' or 'public' (teamVisibilityType); '' as created
-- before this migration. settings: a JSON object of the team's
-- memberSettings, guestSettings, messagingSettings, funSettings and
-- discoverySettings, kept as text exactly as sent; '' means Graph's defaults.
ALTER TABLE teams ADD COLUMN visibility TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN settings TEXT NOT NULL DEFAULT '';

-- Microsoft 365 groups, named as in package sqlite.
CREATE TABLE directory_groups (
    tenant_id     TEXT COLLATE "C" NOT NULL REFERENCES tenants (id),
    id            TEXT COLLATE "C" NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    mail_nickname TEXT COLLATE "C" NOT NULL DEFAULT '',
    visibility    TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- "The mail alias for the group, unique in the organization" (group
-- resource, mailNickname); Entra compares it ignoring case. lower() under
-- COLLATE "C" folds ASCII letters only, as SQLite's NOCASE does.
CREATE UNIQUE INDEX directory_groups_mail_nickname
    ON directory_groups (tenant_id, lower(mail_nickname)) WHERE mail_nickname <> '';

-- roles: {owner} for owners, {} for members.
CREATE TABLE group_members (
    tenant_id TEXT COLLATE "C" NOT NULL,
    group_id  TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    roles     TEXT[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, group_id, user_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES directory_groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE INDEX group_members_user ON group_members (tenant_id, user_id);

CREATE TABLE channels (
    tenant_id              TEXT COLLATE "C" NOT NULL,
    team_id                TEXT COLLATE "C" NOT NULL,
    id                     TEXT COLLATE "C" NOT NULL,
    display_name           TEXT NOT NULL DEFAULT '',
    description            TEXT NOT NULL DEFAULT '',
    membership_type        TEXT COLLATE "C" NOT NULL DEFAULT 'standard',
    is_favorite_by_default BOOLEAN NOT NULL DEFAULT FALSE,
    is_archived            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at             BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, team_id, id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
);

-- Serves "a team's channels, by createdDateTime then id".
CREATE INDEX channels_team ON channels (tenant_id, team_id, created_at, id);
