-- The change log: what each committed transaction changed, so that another
-- process on the same file ("teamsops apply" beside a running server)
-- learns of it (teamsops.Store.Watch). Only the newest rows are kept
-- (pruned by sequence number, so no other index is needed); a change of a
-- deleted tenant is logged without its tenant id (kind 'reset'), so
-- nothing of a deleted tenant stays behind.
-- AUTOINCREMENT: a sequence number is never reused, even after a rollback,
-- so a reader that has seen seq N has seen every change up to N.
CREATE TABLE changes (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    tenant_id     TEXT NOT NULL DEFAULT '',
    resource_kind TEXT NOT NULL DEFAULT '',
    resource_id   TEXT NOT NULL DEFAULT '',
    operation_id  TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT ''
) STRICT;
