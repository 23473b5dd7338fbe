-- draftwatch schema, version 3: admin alerts, each sent once per incident.
--
-- Same conventions as 01-init (UTC RFC 3339 instants with nanoseconds).

-- One row per incident the admin is (to be) told about. The key is stable across restarts:
-- `kind` says what broke, `subject` what it broke on (a source name, a Message-ID, an error
-- text) and `incident_start` when this incident began, so one incident is mailed once and
-- a new incident of the same kind is mailed again.
CREATE TABLE alerts (
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    incident_start TEXT NOT NULL,
    -- What the admin reads (the error text and what to do).
    detail         TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    -- Set once the mail server accepted the alert; NULL alerts are retried.
    message_id     TEXT,
    sent_at        TEXT,
    PRIMARY KEY (kind, subject, incident_start),
    CHECK ((sent_at IS NULL) = (message_id IS NULL))
) STRICT, WITHOUT ROWID;
