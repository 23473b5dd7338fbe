-- draftwatch schema, version 10: digests follow the draft through its history (issue #10
-- item 5).
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds, Riga-local
-- 'YYYY-MM-DD' days).

-- Each digest records the highest draft_events id it took into account. A recipient's
-- high-water mark is the largest of these over its digests that were sent or are still on
-- their way (a digest refused for good gives its events back): the next digest reports the
-- events after it, so each event is news once per recipient, and finding them is a range
-- read on the events' primary key. Digests built before this version are marked with the
-- last event recorded before they were built, which is what "changes since the last digest"
-- meant until now.
ALTER TABLE outbox ADD COLUMN events_through INTEGER NOT NULL DEFAULT 0
    CHECK (events_through >= 0);

UPDATE outbox
SET events_through = coalesce(
    (SELECT max(id) FROM draft_events WHERE draft_events.at < outbox.built_at), 0);

-- Reminders are keyed by the window's round too: two coordination rounds that end on the
-- same day are two windows, each reminded. The table is rebuilt with the round in its key
-- (nothing refers to it); every existing reminder was about round 1 of its kind.
CREATE TABLE reminders_rebuilt (
    recipient   TEXT NOT NULL,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    window_kind TEXT NOT NULL,
    round       INTEGER NOT NULL DEFAULT 1 CHECK (round >= 1),
    window_to   TEXT NOT NULL,
    days_before INTEGER NOT NULL CHECK (days_before >= 0),
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id),
    PRIMARY KEY (recipient, draft_id, window_kind, round, window_to, days_before)
) STRICT, WITHOUT ROWID;

INSERT INTO reminders_rebuilt (recipient, draft_id, window_kind, round, window_to, days_before,
                               outbox_id)
SELECT recipient, draft_id, window_kind, 1, window_to, days_before, outbox_id
FROM reminders;

DROP TABLE reminders;

ALTER TABLE reminders_rebuilt RENAME TO reminders;

UPDATE outbox
SET reminder_keys = (
    SELECT json_group_array(json_set(value, '$.round', 1))
    FROM json_each(outbox.reminder_keys))
WHERE json_array_length(reminder_keys) > 0;
