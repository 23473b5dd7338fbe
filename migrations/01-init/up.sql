-- draftwatch schema, version 1.
--
-- Conventions:
--   * instants are UTC RFC 3339 text with nanoseconds and a 'Z' suffix
--     ('2026-03-01T07:00:00.000000000Z'), fixed width so text order is time order;
--   * comment-window days are Riga-local calendar dates as 'YYYY-MM-DD';
--   * pragmas (WAL, foreign keys, ...) are set by the application, not here: they are
--     no-ops inside the migration transaction.

-- One row per draft per source, keyed by the portal's own identifier.
CREATE TABLE drafts (
    id                INTEGER PRIMARY KEY,
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    ta_number         TEXT,
    title             TEXT NOT NULL,
    kind              TEXT,
    ministry          TEXT,
    stage             TEXT,
    url               TEXT NOT NULL,
    window_from       TEXT,
    window_to         TEXT,
    description       TEXT,
    -- JSON array of strings ("Politikas jomas").
    policy_areas      TEXT NOT NULL DEFAULT '[]'
                      CHECK (json_valid(policy_areas) AND json_type(policy_areas) = 'array'),
    -- NULL until the detail page was read successfully once.
    detail_fetched_at TEXT,
    -- Why the last attempt to read the detail page failed, if it did.
    detail_error      TEXT,
    first_seen        TEXT NOT NULL,
    last_changed      TEXT NOT NULL,
    UNIQUE (source, external_id),
    CHECK ((window_from IS NULL) = (window_to IS NULL))
) STRICT;

CREATE INDEX drafts_ta_number ON drafts (ta_number);
CREATE INDEX drafts_window_to ON drafts (window_to);

-- One row per poll of one source, successful or not.
CREATE TABLE polls (
    id            INTEGER PRIMARY KEY,
    source        TEXT NOT NULL,
    started       TEXT NOT NULL,
    finished      TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
    items_seen    INTEGER NOT NULL DEFAULT 0 CHECK (items_seen >= 0),
    items_new     INTEGER NOT NULL DEFAULT 0 CHECK (items_new >= 0),
    items_changed INTEGER NOT NULL DEFAULT 0 CHECK (items_changed >= 0),
    error         TEXT,
    CHECK ((outcome = 'error') = (error IS NOT NULL))
) STRICT;

CREATE INDEX polls_source_finished ON polls (source, finished);

-- Field-level history, so digests can say "deadline moved" or "stage changed".
-- `field` is the drafts column name; values are that column's text (NULL when empty).
CREATE TABLE draft_changes (
    id         INTEGER PRIMARY KEY,
    draft_id   INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    poll_id    INTEGER NOT NULL REFERENCES polls (id),
    field      TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    changed_at TEXT NOT NULL
) STRICT;

CREATE INDEX draft_changes_draft_changed_at ON draft_changes (draft_id, changed_at);

-- Which drafts each recipient has already been sent, so nothing is sent twice.
CREATE TABLE deliveries (
    recipient    TEXT NOT NULL,
    draft_id     INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    message_id   TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    PRIMARY KEY (recipient, draft_id)
) STRICT, WITHOUT ROWID;
