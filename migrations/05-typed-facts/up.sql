-- draftwatch schema, version 5: facts stored as facts.
--
-- Same conventions as 01-init. Two values that were only text become columns:
--   * polls.error_kind: which kind of error failed a poll (the source error's variant), so
--     questions such as "did the list page come back empty?" do not match message wording;
--   * alerts.mail_subject / alerts.mail_body: the alert mail's subject and body, until now one
--     `detail` text joined by the first newline.

-- 'fetch', 'markup', 'zero_rows', 'malformed_rows' or 'cancelled' (SourceError::kind); NULL exactly when the
-- poll succeeded. Rows from before this version got it from their text, once, below;
-- 'unknown' where the text does not tell.
ALTER TABLE polls ADD COLUMN error_kind TEXT;

UPDATE polls SET error_kind = CASE
    WHEN instr(error, ': the list page holds no rows') > 0 THEN 'zero_rows'
    WHEN error = 'poll cancelled by shutdown' THEN 'cancelled'
    WHEN instr(error, ': network error: ') > 0
      OR instr(error, ': no complete answer within ') > 0
      OR instr(error, ': the server answered HTTP ') > 0
      OR instr(error, '-byte limit (http.max_response_bytes)') > 0
      OR instr(error, ': the portal''s firewall rejected the request') > 0
      OR instr(error, ': the site''s robots.txt disallows') > 0
      OR instr(error, ': the server asked to wait ') > 0
      OR error LIKE 'invalid url %'
      OR error LIKE 'cannot build the HTTP client:%' THEN 'fetch'
    WHEN instr(error, 'markup may have changed') > 0
      OR instr(error, ': redirected to the login page ') > 0 THEN 'markup'
    ELSE 'unknown'
END
WHERE error IS NOT NULL;

-- A column added to an existing table cannot carry a CHECK that old rows fail at the moment
-- it is added, so the pairing with `error` is kept by triggers instead.
CREATE TRIGGER polls_error_kind_on_insert BEFORE INSERT ON polls
WHEN (NEW.error IS NULL) <> (NEW.error_kind IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'polls.error_kind must be set exactly when polls.error is');
END;

CREATE TRIGGER polls_error_kind_on_update BEFORE UPDATE OF error, error_kind ON polls
WHEN (NEW.error IS NULL) <> (NEW.error_kind IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'polls.error_kind must be set exactly when polls.error is');
END;

-- The alerts table is rebuilt with the two columns (nothing refers to it). Old `detail`
-- texts are split at the first newline, as the code that mailed them did; a text without a
-- newline was mailed with the subject 'draftwatch' and itself as the body.
CREATE TABLE alerts_rebuilt (
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    incident_start TEXT NOT NULL,
    -- The alert mail's subject line and body (Latvian first, English below).
    mail_subject   TEXT NOT NULL,
    mail_body      TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    -- Set once the mail server accepted the alert; NULL alerts are retried.
    message_id     TEXT,
    sent_at        TEXT,
    PRIMARY KEY (kind, subject, incident_start),
    CHECK ((sent_at IS NULL) = (message_id IS NULL))
) STRICT, WITHOUT ROWID;

INSERT INTO alerts_rebuilt (kind, subject, incident_start, mail_subject, mail_body, recorded_at,
                       message_id, sent_at)
SELECT kind, subject, incident_start,
       CASE WHEN instr(detail, char(10)) > 0
            THEN substr(detail, 1, instr(detail, char(10)) - 1)
            ELSE 'draftwatch' END,
       CASE WHEN instr(detail, char(10)) > 0
            THEN substr(detail, instr(detail, char(10)) + 1)
            ELSE detail END,
       recorded_at, message_id, sent_at
FROM alerts;

DROP TABLE alerts;

ALTER TABLE alerts_rebuilt RENAME TO alerts;
