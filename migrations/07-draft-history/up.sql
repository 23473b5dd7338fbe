-- draftwatch schema, version 7: one draft, one history, several comment windows.
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds, Riga-local
-- 'YYYY-MM-DD' days).
--
-- A draft is identified by its TA number across every TAP view; document UUIDs differ between
-- views and are never joined on. `drafts` keeps one row per draft: its `source` and
-- `external_id` are those of the view it was first seen in, and its window_from / window_to /
-- unreadable_deadline columns keep meaning the public-participation window (the digest reads
-- them). Every view a draft was seen in is a row of `draft_views`.

-- Every view of a draft: a source and that source's own id of it.
CREATE TABLE draft_views (
    source            TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    draft_id          INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    first_seen        TEXT NOT NULL,
    -- NULL until this view's detail page was read successfully once.
    detail_fetched_at TEXT,
    -- When this view's detail page was last requested, read or not.
    detail_checked_at TEXT,
    PRIMARY KEY (source, external_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX draft_views_draft ON draft_views (draft_id);

INSERT INTO draft_views (source, external_id, draft_id, url, first_seen, detail_fetched_at,
                         detail_checked_at)
SELECT source, external_id, id, url, first_seen, detail_fetched_at, detail_checked_at
FROM drafts;

-- The portal marks the draft restricted (`(IP)`): its documents are not public.
ALTER TABLE drafts ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0;

-- Comment windows of every kind. `kind` is text ('public_participation', 'coordination', and
-- later kinds without a schema change); `round` numbers the windows of one kind of one draft
-- from 1 in the order they opened, so several coordination rounds fit.
CREATE TABLE comment_windows (
    id        INTEGER PRIMARY KEY,
    draft_id  INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    round     INTEGER NOT NULL CHECK (round >= 1),
    first_day TEXT NOT NULL,
    last_day  TEXT NOT NULL,
    -- Where to submit an opinion (a URL or an address), when the portal says.
    submit_to TEXT,
    -- When draftwatch first saw the window, and when it saw it closed (its last day past).
    seen_at   TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (draft_id, kind, round)
) STRICT;

CREATE INDEX comment_windows_open ON comment_windows (closed_at, last_day);

-- Every stored public-participation window becomes round 1 of that kind.
INSERT INTO comment_windows (draft_id, kind, round, first_day, last_day, seen_at)
SELECT id, 'public_participation', 1, window_from, window_to, first_seen
FROM drafts
WHERE window_from IS NOT NULL AND window_to IS NOT NULL;

-- Opinions already given on a draft, as the latest detail page listed them per window kind.
CREATE TABLE opinions (
    id           INTEGER PRIMARY KEY,
    draft_id     INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    window_kind  TEXT NOT NULL,
    submitter    TEXT NOT NULL,
    legal_person INTEGER NOT NULL CHECK (legal_person IN (0, 1)),
    given_on     TEXT,
    late         INTEGER NOT NULL CHECK (late IN (0, 1)),
    recorded_at  TEXT NOT NULL
) STRICT;

CREATE INDEX opinions_draft ON opinions (draft_id, window_kind);

-- A draft's history: one row per change a poll saw. `kind` is text, so later kinds need no
-- schema change; `payload` is a JSON object whose keys depend on the kind:
--   stage_changed   {"from", "to"}
--   window_opened   {"window_kind", "round", "first_day", "last_day", "submit_to"}
--   window_moved    {"window_kind", "round", "first_day", "last_day", "old_first_day", "old_last_day"}
--   window_closed   {"window_kind", "round", "first_day", "last_day"}
--   on_agenda       {"meeting", "date", "item", "markers", "url"}
--   adopted         {"date"}
--   published       {"number", "date", "url"}
-- `once_key` is set on facts that happen once (an agenda of one meeting on one date, the
-- adoption, the publication): a second sighting inserts nothing.
CREATE TABLE draft_events (
    id        INTEGER PRIMARY KEY,
    draft_id  INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    -- The poll that saw it; NULL once retention pruned that poll row (the event stays; its
    -- `at` says when), and for events carried over from draft_changes whose poll is gone.
    poll_id   INTEGER REFERENCES polls (id) ON DELETE SET NULL,
    kind      TEXT NOT NULL,
    payload   TEXT NOT NULL DEFAULT '{}'
              CHECK (json_valid(payload) AND json_type(payload) = 'object'),
    once_key  TEXT,
    at        TEXT NOT NULL
) STRICT;

CREATE INDEX draft_events_draft_at ON draft_events (draft_id, at);
CREATE INDEX draft_events_at ON draft_events (at);
CREATE UNIQUE INDEX draft_events_once ON draft_events (draft_id, kind, once_key)
    WHERE once_key IS NOT NULL;

-- draft_changes stays (the digest reads it); the changes that are history events are carried
-- over, with the poll that saw them.
INSERT INTO draft_events (draft_id, poll_id, kind, payload, at)
SELECT draft_id, poll_id, 'stage_changed',
       json_object('from', old_value, 'to', new_value), changed_at
FROM draft_changes
WHERE field = 'stage'
ORDER BY id;

INSERT INTO draft_events (draft_id, poll_id, kind, payload, at)
SELECT draft_id, poll_id,
       CASE WHEN old_value IS NULL THEN 'window_opened' ELSE 'window_moved' END,
       CASE WHEN field = 'window_to'
            THEN json_object('window_kind', 'public_participation', 'round', 1,
                             'last_day', new_value, 'old_last_day', old_value)
            ELSE json_object('window_kind', 'public_participation', 'round', 1,
                             'first_day', new_value, 'old_first_day', old_value) END,
       changed_at
FROM draft_changes
WHERE field IN ('window_from', 'window_to') AND new_value IS NOT NULL
ORDER BY id;

-- Reminders are per window kind. The table is rebuilt with the kind in its key (nothing
-- refers to it); every existing reminder was about the public-participation window.
CREATE TABLE reminders_rebuilt (
    recipient   TEXT NOT NULL,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    window_kind TEXT NOT NULL,
    window_to   TEXT NOT NULL,
    days_before INTEGER NOT NULL CHECK (days_before >= 0),
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id),
    PRIMARY KEY (recipient, draft_id, window_kind, window_to, days_before)
) STRICT, WITHOUT ROWID;

INSERT INTO reminders_rebuilt (recipient, draft_id, window_kind, window_to, days_before,
                               outbox_id)
SELECT recipient, draft_id, 'public_participation', window_to, days_before, outbox_id
FROM reminders;

DROP TABLE reminders;

ALTER TABLE reminders_rebuilt RENAME TO reminders;

-- The reminders a digest carries name their window kind too.
UPDATE outbox
SET reminder_keys = (
    SELECT json_group_array(json_set(value, '$.window_kind', 'public_participation'))
    FROM json_each(outbox.reminder_keys))
WHERE json_array_length(reminder_keys) > 0;
