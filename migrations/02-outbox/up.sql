-- draftwatch schema, version 2: the delivery ledger and reminders.
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds, 'YYYY-MM-DD' days).

-- Every digest, recorded with its exact bytes BEFORE it is handed to the mail server, so a
-- crash or an unreachable server never loses it and a retry sends the very same message
-- (same Message-ID). One digest per recipient per scheduled minute.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    recipient       TEXT NOT NULL,
    -- The digest's scheduled time (the run's instant truncated to the minute).
    scheduled_for   TEXT NOT NULL,
    -- The run's exact instant; changes recorded after it belong to the next digest.
    built_at        TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    envelope_from   TEXT NOT NULL,
    -- JSON array of addresses.
    envelope_to     TEXT NOT NULL CHECK (json_valid(envelope_to) AND json_type(envelope_to) = 'array'),
    -- The RFC 5322 message exactly as it is (re)sent.
    raw_message     BLOB NOT NULL,
    -- JSON array of draft ids recorded as delivered once the server accepts the message.
    draft_ids       TEXT NOT NULL DEFAULT '[]'
                    CHECK (json_valid(draft_ids) AND json_type(draft_ids) = 'array'),
    -- JSON array of [draft_id, window_to, days_before] reminders the message carries.
    reminder_keys   TEXT NOT NULL DEFAULT '[]'
                    CHECK (json_valid(reminder_keys) AND json_type(reminder_keys) = 'array'),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed_permanent')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    UNIQUE (recipient, scheduled_for),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
) STRICT;

CREATE INDEX outbox_status_next_attempt ON outbox (status, next_attempt_at);

-- Deadline reminders already sent: once per recipient, draft, deadline and "days before".
-- A moved deadline has a new window_to, so reminders follow the new date.
CREATE TABLE reminders (
    recipient   TEXT NOT NULL,
    draft_id    INTEGER NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    window_to   TEXT NOT NULL,
    days_before INTEGER NOT NULL CHECK (days_before >= 0),
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id),
    PRIMARY KEY (recipient, draft_id, window_to, days_before)
) STRICT, WITHOUT ROWID;
