-- draftwatch schema, version 7: stored watchlist verdicts, so that a digest, a calendar or a
-- poll costs what changed, not what is stored.
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds).

-- Which watchlist set (its version, a hash of the loaded watchlists) last evaluated a draft,
-- and the draft's `last_changed` as it was then. A verdict is current only while both still
-- match: a new watchlist set or any later change of the draft makes it stale, and a stale
-- verdict is never used (the draft is evaluated again).
CREATE TABLE verdict_state (
    draft_id      INTEGER PRIMARY KEY REFERENCES drafts (id) ON DELETE CASCADE,
    version       TEXT NOT NULL,
    draft_changed TEXT NOT NULL
) STRICT;

-- The watchlists that fired on a draft at that evaluation, one row each, with what explains
-- and highlights it (the matcher's verdict as JSON: score and hits). A watchlist that did not
-- fire has no row.
CREATE TABLE verdicts (
    watchlist TEXT NOT NULL,
    draft_id  INTEGER NOT NULL REFERENCES verdict_state (draft_id) ON DELETE CASCADE,
    verdict   TEXT NOT NULL CHECK (json_valid(verdict)),
    PRIMARY KEY (watchlist, draft_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX verdicts_draft ON verdicts (draft_id);

-- Drafts changed by one poll, and changes since a recipient's last digest, are found by time.
CREATE INDEX drafts_last_changed ON drafts (last_changed);
CREATE INDEX draft_changes_changed_at ON draft_changes (changed_at);

-- A poll's re-check candidates (followed drafts with an open window or an unreadable deadline)
-- are found from the few open windows, not by reading every draft of the source.
CREATE INDEX drafts_unreadable_deadline ON drafts (id) WHERE unreadable_deadline IS NOT NULL;
CREATE INDEX deliveries_draft ON deliveries (draft_id);
