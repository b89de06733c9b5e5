-- Groups, channels and team settings, for the team actions: "Create team"
-- makes a group and a team of the same id, "Create team from group" puts a
-- team on an existing group, and every team has channels (General first).

-- visibility: 'private' or 'public' (teamVisibilityType); '' as created
-- before this migration. settings: a JSON object of the team's
-- memberSettings, guestSettings, messagingSettings, funSettings and
-- discoverySettings; '' means Graph's defaults.
ALTER TABLE teams ADD COLUMN visibility TEXT NOT NULL DEFAULT '';
ALTER TABLE teams ADD COLUMN settings TEXT NOT NULL DEFAULT '';

-- Microsoft 365 groups. Not named "groups": GROUPS is a keyword of SQL
-- window frames.
CREATE TABLE directory_groups (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    id            TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    mail_nickname TEXT NOT NULL DEFAULT '',
    visibility    TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT, WITHOUT ROWID;

-- "The mail alias for the group, unique in the organization" (group
-- resource, mailNickname); Entra compares it ignoring case.
CREATE UNIQUE INDEX directory_groups_mail_nickname
    ON directory_groups (tenant_id, mail_nickname COLLATE NOCASE) WHERE mail_nickname <> '';

-- roles is a JSON array: ["owner"] for owners, [] for members.
CREATE TABLE group_members (
    tenant_id TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    roles     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
    PRIMARY KEY (tenant_id, group_id, user_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES directory_groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_members_user ON group_members (tenant_id, user_id);

CREATE TABLE channels (
    tenant_id              TEXT NOT NULL,
    team_id                TEXT NOT NULL,
    id                     TEXT NOT NULL,
    display_name           TEXT NOT NULL DEFAULT '',
    description            TEXT NOT NULL DEFAULT '',
    membership_type        TEXT NOT NULL DEFAULT 'standard',
    is_favorite_by_default INTEGER NOT NULL DEFAULT 0 CHECK (is_favorite_by_default IN (0, 1)),
    is_archived            INTEGER NOT NULL DEFAULT 0 CHECK (is_archived IN (0, 1)),
    created_at             INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, team_id, id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Serves "a team's channels, by createdDateTime then id".
CREATE INDEX channels_team ON channels (tenant_id, team_id, created_at, id);
