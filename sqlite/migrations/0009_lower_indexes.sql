-- User principal names and mail nicknames are unique ignoring ASCII case,
-- as before, but indexed on lower() as in PostgreSQL: the store's lookups,
-- written once for both databases, compare lower(column) with a value
-- folded alike, and this index serves them. SQLite's lower() folds ASCII
-- letters only, as NOCASE does, so no row that was unique stops being so.
DROP INDEX users_upn;
CREATE UNIQUE INDEX users_upn ON users (tenant_id, lower(user_principal_name))
    WHERE user_principal_name <> '';

DROP INDEX directory_groups_mail_nickname;
CREATE UNIQUE INDEX directory_groups_mail_nickname
    ON directory_groups (tenant_id, lower(mail_nickname)) WHERE mail_nickname <> '';
