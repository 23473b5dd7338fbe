//! The delivery ledger: every digest is written here, with its exact bytes, *before* it is
//! handed to the mail server, and marked sent (with its deliveries and reminders) in one
//! transaction once the server accepted it. A crash or an unreachable server therefore
//! never loses a digest, and a retry sends the very same message with the same Message-ID.
//! A job claims a pending digest before sending it (a lease, [`OUTBOX_CLAIM_LEASE`]), so two
//! jobs that find it due at the same moment never both send it.
//!
//! This file keeps the books; deciding what goes into a digest, when to retry and how to
//! talk SMTP belongs to [`crate::digest`] and [`crate::mailer`].

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use lettre::Address;
use lettre::address::{AddressError, Envelope};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{
    Store, StoreError, date_to_sql, optional_timestamp_column, timestamp_column, timestamp_to_sql,
};
use super::{from_json, to_json};
use crate::model::WindowKind;

/// Where a recorded digest stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Recorded, not yet accepted by the mail server; sent (again) when due.
    Pending,
    /// Accepted by the mail server; its drafts are recorded as delivered.
    Sent,
    /// Refused for good (e.g. a 5xx reply); an admin has to look at it.
    FailedPermanent,
}

impl OutboxStatus {
    /// The value stored in `outbox.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::FailedPermanent => "failed_permanent",
        }
    }

    fn from_str(text: &str) -> Option<Self> {
        [
            OutboxStatus::Pending,
            OutboxStatus::Sent,
            OutboxStatus::FailedPermanent,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }
}

impl fmt::Display for OutboxStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One deadline reminder: "round `round` of the `window_kind` window of this draft, ending on
/// `window_to`, is `days_before` days away". Sent once per recipient; a moved deadline is a
/// new key (reminders follow the new date), and so is another kind or round of window of the
/// same draft ending the same day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ReminderKey {
    /// The draft.
    pub draft_id: i64,
    /// Which of its windows.
    pub window_kind: WindowKind,
    /// Which round of that kind (1 for the first; keys recorded before schema 10 are round 1).
    #[serde(default = "first_round")]
    pub round: u32,
    /// The last day of its window the reminder is about.
    pub window_to: NaiveDate,
    /// How many days before `window_to` the reminder is given.
    pub days_before: u32,
}

/// A `reminders` row as read: draft, window kind, round, last day, days before.
type ReminderRow = (i64, String, u32, String, u32);

/// The round of a reminder key recorded before rounds were part of it.
fn first_round() -> u32 {
    1
}

/// A digest about to be recorded.
#[derive(Debug, Clone)]
pub struct NewOutboxEntry<'a> {
    /// Recipient name.
    pub recipient: &'a str,
    /// The digest's scheduled time (the run's instant truncated to the minute).
    pub scheduled_for: DateTime<Utc>,
    /// The run's exact instant; the next digest reports changes recorded from here on.
    pub built_at: DateTime<Utc>,
    /// Message-ID with angle brackets.
    pub message_id: &'a str,
    /// Subject, for listings.
    pub subject: &'a str,
    /// Envelope sender.
    pub envelope_from: &'a str,
    /// Envelope recipients.
    pub envelope_to: &'a [String],
    /// The RFC 5322 message bytes.
    pub raw_message: &'a [u8],
    /// Drafts to record as delivered once the server accepts.
    pub draft_ids: &'a [i64],
    /// Reminders to record as given once the server accepts.
    pub reminders: &'a [ReminderKey],
}

/// A recorded digest, as read back.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxEntry {
    /// Row id.
    pub id: i64,
    /// Recipient name.
    pub recipient: String,
    /// The digest's scheduled time.
    pub scheduled_for: DateTime<Utc>,
    /// When it was built.
    pub built_at: DateTime<Utc>,
    /// Message-ID with angle brackets.
    pub message_id: String,
    /// Subject.
    pub subject: String,
    /// Envelope sender.
    pub envelope_from: String,
    /// Envelope recipients.
    pub envelope_to: Vec<String>,
    /// The message bytes, exactly as sent.
    #[serde(skip)]
    pub raw_message: Vec<u8>,
    /// Drafts it carries as new.
    pub draft_ids: Vec<i64>,
    /// Reminders it carries.
    pub reminders: Vec<ReminderKey>,
    /// Where it stands.
    pub status: OutboxStatus,
    /// How many times sending was tried.
    pub attempts: u32,
    /// When the next attempt is due (meaningful while pending).
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When the server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}

impl fmt::Display for OutboxEntry {
    /// One line for `outbox` listings: id, status, recipient, schedule, attempts, subject.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {} scheduled {} attempts {} {} {:?}",
            self.id,
            self.status,
            self.recipient,
            self.scheduled_for.format("%Y-%m-%d %H:%M UTC"),
            self.attempts,
            self.message_id,
            self.subject
        )?;
        match (self.status, &self.last_error) {
            (OutboxStatus::Pending, Some(error)) => write!(
                f,
                " (next attempt {}; last error: {error})",
                self.next_attempt_at.format("%Y-%m-%d %H:%M UTC")
            ),
            (OutboxStatus::FailedPermanent, Some(error)) => write!(f, " (error: {error})"),
            _ => Ok(()),
        }
    }
}

/// How many digests stand where, for `status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct OutboxSummary {
    /// Waiting to be accepted by the mail server.
    pub pending: u32,
    /// Accepted by the mail server.
    pub sent: u32,
    /// Refused for good.
    pub failed: u32,
    /// When the oldest pending digest was built.
    pub oldest_pending: Option<DateTime<Utc>>,
}

/// One recipient's digests in short, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecipientDigests {
    /// Recipient name.
    pub recipient: String,
    /// Row id of its newest digest.
    pub latest_id: i64,
    /// Where its newest digest stands.
    pub latest_status: OutboxStatus,
    /// Its newest digest's scheduled time.
    pub latest_scheduled_for: DateTime<Utc>,
    /// When the mail server last accepted one of its digests.
    pub last_sent_at: Option<DateTime<Utc>>,
    /// Refused digests recorded after its last sent one. A refusal followed by a digest
    /// that went through is settled: the refused digest's drafts were never recorded as
    /// delivered, so the later digest carried them.
    pub unresolved_failed: u32,
}

/// How long a job's claim on a pending digest lasts (see [`Store::claim_outbox_entry`]).
///
/// Why this long: it must outlast one send (every SMTP step is bounded by `[mail.smtp]
/// timeout`, 30 s by default), or a second job could take over a digest still on its way
/// and send it twice; and it is the longest a digest waits after its sender crashed.
pub const OUTBOX_CLAIM_LEASE: TimeDelta = TimeDelta::minutes(10);

/// A recorded envelope that no longer parses (the row was edited by hand, or written by a
/// draftwatch with a laxer address check). Sending it cannot succeed, ever.
#[derive(Debug, thiserror::Error)]
pub enum RecordedEnvelopeError {
    /// One recorded address is not an e-mail address.
    #[error("recorded address {address:?} is invalid: {source}")]
    Address {
        /// The address as recorded.
        address: String,
        /// Why it does not parse.
        source: AddressError,
    },
    /// The addresses parse but do not make an envelope (e.g. no recipient at all).
    #[error("recorded envelope is invalid: {0}")]
    Envelope(#[source] lettre::error::Error),
}

impl OutboxEntry {
    /// The envelope recorded with the digest, so that every (re)send reaches exactly the
    /// addresses it was built for, whatever the configuration says today. Used by the
    /// scheduled delivery and by an admin's `outbox --resend` alike.
    pub fn envelope(&self) -> Result<Envelope, RecordedEnvelopeError> {
        let parse = |text: &str| {
            text.parse::<Address>()
                .map_err(|source| RecordedEnvelopeError::Address {
                    address: text.to_owned(),
                    source,
                })
        };
        let from = parse(&self.envelope_from)?;
        let to = self
            .envelope_to
            .iter()
            .map(|text| parse(text))
            .collect::<Result<Vec<_>, _>>()?;
        Envelope::new(Some(from), to).map_err(RecordedEnvelopeError::Envelope)
    }
}

/// Whether the process `pid` that claimed a digest may still be sending it. The database is
/// on a local disk (write-ahead logging needs one), so the claimant ran on this machine: it
/// is known to be gone when `/proc` is there and its entry is not. This process counts as
/// running (another of its jobs holds the claim); so does any process when `/proc` is
/// missing, and then only the lease frees the claim.
fn claimant_may_be_running(pid: i64) -> bool {
    if pid == i64::from(std::process::id()) {
        return true;
    }
    let proc_root = std::path::Path::new("/proc");
    !proc_root.join("self").exists() || proc_root.join(pid.to_string()).exists()
}

/// A stored status value this binary does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown outbox status {0:?}")]
struct UnknownStatus(String);

const OUTBOX_COLUMNS: &str = "id, recipient, scheduled_for, built_at, message_id, subject, \
     envelope_from, envelope_to, raw_message, draft_ids, reminder_keys, status, attempts, \
     next_attempt_at, last_error, sent_at";

fn json_column<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    column: usize,
) -> rusqlite::Result<T> {
    let text: String = row.get(column)?;
    from_json(&text, column)
}

/// Read a status column, reporting a value this binary does not know.
fn status_column(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<OutboxStatus> {
    let text: String = row.get(column)?;
    OutboxStatus::from_str(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            Type::Text,
            Box::new(UnknownStatus(text.clone())),
        )
    })
}

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    let status = status_column(row, 11)?;
    Ok(OutboxEntry {
        id: row.get(0)?,
        recipient: row.get(1)?,
        scheduled_for: timestamp_column(row, 2)?,
        built_at: timestamp_column(row, 3)?,
        message_id: row.get(4)?,
        subject: row.get(5)?,
        envelope_from: row.get(6)?,
        envelope_to: json_column(row, 7)?,
        raw_message: row.get(8)?,
        draft_ids: json_column(row, 9)?,
        reminders: json_column(row, 10)?,
        status,
        attempts: row.get(12)?,
        next_attempt_at: timestamp_column(row, 13)?,
        last_error: row.get(14)?,
        sent_at: optional_timestamp_column(row, 15)?,
    })
}

impl Store {
    /// Record a digest as pending, due at once. Returns its row id, or `None` when the
    /// recipient already has a digest for that scheduled time (it is never built twice).
    pub fn record_outbox(&mut self, entry: &NewOutboxEntry<'_>) -> Result<Option<i64>, StoreError> {
        self.record_outbox_through(entry, 0)
    }

    /// [`Store::record_outbox`] for a digest that reported every history event up to the id
    /// `events_through` (see [`Store::events_mark`]): once it is sent or while it is pending,
    /// the recipient's next digest reports only later events.
    pub fn record_outbox_through(
        &mut self,
        entry: &NewOutboxEntry<'_>,
        events_through: i64,
    ) -> Result<Option<i64>, StoreError> {
        let write = |conn: &rusqlite::Connection| -> rusqlite::Result<Option<i64>> {
            let built_at = timestamp_to_sql(entry.built_at);
            let inserted = conn.execute(
                "INSERT INTO outbox (recipient, scheduled_for, built_at, message_id, subject, \
                 envelope_from, envelope_to, raw_message, draft_ids, reminder_keys, status, \
                 next_attempt_at, events_through) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?3, ?11) \
                 ON CONFLICT (recipient, scheduled_for) DO NOTHING",
                params![
                    entry.recipient,
                    timestamp_to_sql(entry.scheduled_for),
                    built_at,
                    entry.message_id,
                    entry.subject,
                    entry.envelope_from,
                    to_json(entry.envelope_to)?,
                    entry.raw_message,
                    to_json(entry.draft_ids)?,
                    to_json(entry.reminders)?,
                    events_through.max(0),
                ],
            )?;
            Ok((inserted == 1).then(|| conn.last_insert_rowid()))
        };
        write(&self.conn).map_err(|e| self.query_error("recording a digest in the outbox", e))
    }

    /// The digest `recipient` has for `scheduled_for`, of any status, if there is one.
    pub fn find_outbox_entry(
        &self,
        recipient: &str,
        scheduled_for: DateTime<Utc>,
    ) -> Result<Option<OutboxEntry>, StoreError> {
        let mut found = self.query_outbox(
            &format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE recipient = ?1 AND scheduled_for = ?2"
            ),
            params![recipient, timestamp_to_sql(scheduled_for)],
        )?;
        Ok(found.pop())
    }

    /// The digest with row id `id`, of any status, if there is one.
    pub fn get_outbox_entry(&self, id: i64) -> Result<Option<OutboxEntry>, StoreError> {
        let mut found = self.query_outbox(
            &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1"),
            params![id],
        )?;
        Ok(found.pop())
    }

    /// An admin's re-send (`draftwatch outbox --resend`) of a digest that is no longer
    /// pending: count the attempt and, when it failed, keep its error. The status does not
    /// change here (a failed digest that goes through is marked with
    /// [`Store::mark_outbox_sent`]; a sent one stays sent, with its first `sent_at`).
    ///
    /// Why record it: the listing must show that someone tried, and why it failed, or the
    /// next admin repeats the same re-send blind.
    pub fn record_outbox_resend(&mut self, id: i64, error: Option<&str>) -> Result<(), StoreError> {
        let result = self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = coalesce(?1, last_error) \
             WHERE id = ?2 AND status != 'pending'",
            params![error, id],
        );
        result
            .map(|_| ())
            .map_err(|e| self.query_error("recording a re-sent digest", e))
    }

    /// Claim pending digest `id` for sending at `now`: true when this caller now owns it
    /// until `now` + [`OUTBOX_CLAIM_LEASE`], false when it is no longer pending, not due, or
    /// another job holds a live claim (that job sends it; the caller must not).
    ///
    /// Why: two jobs can find the same digest due in the same minute (the daemon's retry
    /// job and a scheduled digest run, or the daemon and `draftwatch digest`), and each
    /// used to send it. The check and the claim are one write transaction, so exactly one
    /// of them wins. Marking the digest sent, retried or failed releases the claim. A claim
    /// whose process is gone (a crash, `kill -9`) is taken over at once, so the restarted
    /// daemon repeats the digest without waiting; failing that, the lease runs out.
    pub fn claim_outbox_entry(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let now_text = timestamp_to_sql(now);
        let until = timestamp_to_sql(now + OUTBOX_CLAIM_LEASE);
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<bool> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let holder: Option<(Option<i64>, Option<String>)> = tx
                .query_row(
                    "SELECT claimed_by, claimed_until FROM outbox \
                     WHERE id = ?1 AND status = 'pending' AND next_attempt_at <= ?2",
                    params![id, now_text],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((claimed_by, claimed_until)) = holder else {
                return Ok(false);
            };
            if let (Some(pid), Some(claimed_until)) = (claimed_by, claimed_until)
                && claimed_until > now_text
                && claimant_may_be_running(pid)
            {
                return Ok(false);
            }
            tx.execute(
                "UPDATE outbox SET claimed_by = ?1, claimed_until = ?2 WHERE id = ?3",
                params![std::process::id(), until, id],
            )?;
            tx.commit()?;
            Ok(true)
        };
        write(&mut self.conn).map_err(|e| self.query_error("claiming a digest for sending", e))
    }

    /// Pending digests whose next attempt is due at `now`, oldest first.
    pub fn due_outbox(&self, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>, StoreError> {
        self.query_outbox(
            &format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox \
                 WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY id"
            ),
            params![timestamp_to_sql(now)],
        )
    }

    /// Recorded digests, newest first, optionally only those of one status; for `outbox`
    /// listings and for the admin looking for what failed.
    pub fn list_outbox(
        &self,
        status: Option<OutboxStatus>,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query_outbox(
            &format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE (?1 IS NULL OR status = ?1) \
                 ORDER BY id DESC LIMIT ?2"
            ),
            params![status.map(OutboxStatus::as_str), limit],
        )
    }

    /// The server accepted digest `id`: in one transaction mark it sent, record its drafts
    /// as delivered and its reminders as given. Marking an already sent digest again
    /// changes nothing.
    pub fn mark_outbox_sent(&mut self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let at = timestamp_to_sql(at);
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let entry = tx
                .query_row(
                    &format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE id = ?1"),
                    params![id],
                    entry_from_row,
                )
                .optional()?
                .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            if entry.status == OutboxStatus::Sent {
                return Ok(());
            }
            tx.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?1, attempts = attempts + 1, \
                 last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = ?2",
                params![at, id],
            )?;
            {
                let mut deliver = tx.prepare_cached(
                    "INSERT OR IGNORE INTO deliveries (recipient, draft_id, message_id, delivered_at) \
                     VALUES (?1, ?2, ?3, ?4)",
                )?;
                for draft_id in &entry.draft_ids {
                    deliver.execute(params![entry.recipient, draft_id, entry.message_id, at])?;
                }
                let mut remind = tx.prepare_cached(
                    "INSERT OR IGNORE INTO reminders \
                     (recipient, draft_id, window_kind, round, window_to, days_before, \
                      outbox_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for key in &entry.reminders {
                    remind.execute(params![
                        entry.recipient,
                        key.draft_id,
                        key.window_kind.as_str(),
                        key.round,
                        date_to_sql(key.window_to),
                        key.days_before,
                        id
                    ])?;
                }
            }
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.query_error("marking a digest sent", e))
    }

    /// A temporary failure: count the attempt, keep the digest pending, try again at
    /// `next_attempt_at`.
    pub fn mark_outbox_retry(
        &mut self,
        id: i64,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.update_failed(id, "pending", error, next_attempt_at)
    }

    /// A permanent failure: count the attempt and stop trying.
    pub fn mark_outbox_failed(
        &mut self,
        id: i64,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.update_failed(id, "failed_permanent", error, at)
    }

    fn update_failed(
        &mut self,
        id: i64,
        status: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let result = self.conn.execute(
            "UPDATE outbox SET status = ?1, attempts = attempts + 1, last_error = ?2, \
             next_attempt_at = ?3, claimed_by = NULL, claimed_until = NULL \
             WHERE id = ?4 AND status = 'pending'",
            params![status, error, timestamp_to_sql(next_attempt_at), id],
        );
        result
            .map(|_| ())
            .map_err(|e| self.query_error("recording a failed send", e))
    }

    /// Drafts carried (as new or as reminders) by `recipient`'s pending digests: they must
    /// not go into another digest while those are still on their way.
    pub fn pending_draft_ids(&self, recipient: &str) -> Result<HashSet<i64>, StoreError> {
        let pending = self.pending_of(recipient)?;
        Ok(pending
            .iter()
            .flat_map(|entry| {
                entry
                    .draft_ids
                    .iter()
                    .copied()
                    .chain(entry.reminders.iter().map(|key| key.draft_id))
            })
            .collect())
    }

    /// Reminders given to `recipient` or waiting in a pending digest.
    pub fn reminders_given(&self, recipient: &str) -> Result<HashSet<ReminderKey>, StoreError> {
        let read = || -> rusqlite::Result<Vec<ReminderRow>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT draft_id, window_kind, round, window_to, days_before FROM reminders \
                 WHERE recipient = ?1",
            )?;
            let rows = statement.query_map(params![recipient], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })?;
            rows.collect()
        };
        let rows = read().map_err(|e| self.query_error("reading reminders", e))?;
        let mut given: HashSet<ReminderKey> = rows
            .into_iter()
            .filter_map(|(draft_id, window_kind, round, window_to, days_before)| {
                NaiveDate::parse_from_str(&window_to, "%Y-%m-%d")
                    .ok()
                    .map(|window_to| ReminderKey {
                        draft_id,
                        window_kind: WindowKind::from(window_kind),
                        round,
                        window_to,
                        days_before,
                    })
            })
            .collect();
        for entry in self.pending_of(recipient)? {
            given.extend(entry.reminders);
        }
        Ok(given)
    }

    /// When `recipient`'s previous digest was built (pending or sent), or, for data from
    /// before the ledger existed, its latest delivery; changes from then on are news.
    pub fn last_digest_at(&self, recipient: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let read = || -> rusqlite::Result<Option<String>> {
            self.conn.query_row(
                "SELECT max(at) FROM ( \
                   SELECT max(built_at) AS at FROM outbox \
                     WHERE recipient = ?1 AND status != 'failed_permanent' \
                   UNION ALL \
                   SELECT max(delivered_at) FROM deliveries WHERE recipient = ?1)",
                params![recipient],
                |row| row.get(0),
            )
        };
        let text = read().map_err(|e| self.query_error("finding the last digest", e))?;
        text.map(|text| {
            super::timestamp_from_sql(&text, 0)
                .map_err(|e| self.query_error("finding the last digest", e))
        })
        .transpose()
    }

    /// `recipient`'s high-water mark in the draft history: the highest event id its digests
    /// (sent, or pending and so on their way) took into account. Events after it are news
    /// for the next digest. Without such a digest (a recipient whose deliveries predate the
    /// ledger) the mark is the last event recorded before its latest delivery; a recipient
    /// never served has mark 0.
    pub fn events_mark(&self, recipient: &str) -> Result<i64, StoreError> {
        let read = || -> rusqlite::Result<i64> {
            self.conn.query_row(
                "SELECT coalesce( \
                   (SELECT max(events_through) FROM outbox \
                     WHERE recipient = ?1 AND status != 'failed_permanent' \
                       AND events_through > 0), \
                   (SELECT max(id) FROM draft_events WHERE at < \
                     (SELECT max(delivered_at) FROM deliveries WHERE recipient = ?1)), \
                   0)",
                params![recipient],
                |row| row.get(0),
            )
        };
        read().map_err(|e| self.query_error("finding the history mark", e))
    }

    /// Counts per status and the oldest pending digest, without reading any message.
    pub fn outbox_summary(&self) -> Result<OutboxSummary, StoreError> {
        let read = || -> rusqlite::Result<(u32, u32, u32, Option<String>)> {
            self.conn.query_row(
                "SELECT count(*) FILTER (WHERE status = 'pending'), \
                        count(*) FILTER (WHERE status = 'sent'), \
                        count(*) FILTER (WHERE status = 'failed_permanent'), \
                        min(built_at) FILTER (WHERE status = 'pending') \
                 FROM outbox",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
        };
        let summarise = || -> rusqlite::Result<OutboxSummary> {
            let (pending, sent, failed, oldest) = read()?;
            Ok(OutboxSummary {
                pending,
                sent,
                failed,
                oldest_pending: oldest
                    .map(|text| super::timestamp_from_sql(&text, 3))
                    .transpose()?,
            })
        };
        summarise().map_err(|e| self.query_error("summarising the outbox", e))
    }

    /// Each recipient's newest digest, last sent time and unsettled refusals
    /// ([`RecipientDigests`]), by recipient name; recipients without any digest are absent.
    pub fn recipient_digests(&self) -> Result<Vec<RecipientDigests>, StoreError> {
        let read = || -> rusqlite::Result<Vec<RecipientDigests>> {
            let mut statement = self.conn.prepare_cached(
                "WITH per_recipient AS ( \
                   SELECT recipient, max(id) AS latest_id, max(sent_at) AS last_sent_at, \
                          coalesce(max(id) FILTER (WHERE status = 'sent'), 0) AS last_sent_id \
                   FROM outbox GROUP BY recipient) \
                 SELECT p.recipient, p.latest_id, o.status, o.scheduled_for, p.last_sent_at, \
                        (SELECT count(*) FROM outbox f WHERE f.recipient = p.recipient \
                           AND f.status = 'failed_permanent' AND f.id > p.last_sent_id) \
                 FROM per_recipient p JOIN outbox o ON o.id = p.latest_id \
                 ORDER BY p.recipient",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(RecipientDigests {
                    recipient: row.get(0)?,
                    latest_id: row.get(1)?,
                    latest_status: status_column(row, 2)?,
                    latest_scheduled_for: timestamp_column(row, 3)?,
                    last_sent_at: optional_timestamp_column(row, 4)?,
                    unresolved_failed: row.get(5)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("summarising each recipient's digests", e))
    }

    fn pending_of(&self, recipient: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.query_outbox(
            &format!(
                "SELECT {OUTBOX_COLUMNS} FROM outbox \
                 WHERE recipient = ?1 AND status = 'pending' ORDER BY id"
            ),
            params![recipient],
        )
    }

    fn query_outbox(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let read = || -> rusqlite::Result<Vec<OutboxEntry>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map(params, entry_from_row)?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("reading the outbox", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: u32) -> DateTime<Utc> {
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 9, 15, 5, minute, 0)
            .single()
            .expect("valid instant")
    }

    /// A store file with one pending digest due at minute 0.
    fn store_with_pending_digest() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("claims.sqlite3")).expect("store opens");
        let to = vec!["koordinators@example.org".to_owned()];
        let id = store
            .record_outbox(&NewOutboxEntry {
                recipient: "tīkls",
                scheduled_for: at(0),
                built_at: at(0),
                message_id: "<claims@example.org>",
                subject: "Digest",
                envelope_from: "draftwatch@example.org",
                envelope_to: &to,
                raw_message: b"Subject: Digest\r\n\r\nbody\r\n",
                draft_ids: &[],
                reminders: &[],
            })
            .expect("recorded")
            .expect("new entry");
        (dir, store, id)
    }

    #[test]
    fn a_claim_excludes_others_until_released_expired_or_its_process_is_gone() {
        let (_dir, mut store, id) = store_with_pending_digest();
        assert!(store.claim_outbox_entry(id, at(0)).expect("claim"));
        assert!(
            !store.claim_outbox_entry(id, at(1)).expect("claim"),
            "a live claim is not taken twice"
        );
        // The holder crashed: once the lease ran out, another job takes the digest over.
        let lapsed = at(0) + OUTBOX_CLAIM_LEASE;
        assert!(store.claim_outbox_entry(id, lapsed).expect("claim"));

        // A refusal for now releases the claim; the digest is claimable again when due.
        let next = lapsed + TimeDelta::minutes(1);
        store
            .mark_outbox_retry(id, "451 try later", next)
            .expect("retry recorded");
        assert!(
            !store.claim_outbox_entry(id, lapsed).expect("claim"),
            "not due before its next attempt"
        );
        assert!(store.claim_outbox_entry(id, next).expect("claim"));

        // The claimant was killed: its claim is taken over at once, lease or not.
        let gone_process = 999_999_999;
        store
            .conn
            .execute(
                "UPDATE outbox SET claimed_by = ?1 WHERE id = ?2",
                params![gone_process, id],
            )
            .expect("claim handed to a process that is gone");
        assert!(store.claim_outbox_entry(id, next).expect("claim"));

        store.mark_outbox_sent(id, next).expect("sent");
        let later = next + OUTBOX_CLAIM_LEASE;
        assert!(
            !store.claim_outbox_entry(id, later).expect("claim"),
            "a sent digest is never claimed"
        );
    }

    #[test]
    fn the_recorded_envelope_is_rebuilt_or_its_bad_address_named() {
        let (_dir, store, id) = store_with_pending_digest();
        let mut entry = store.get_outbox_entry(id).expect("read").expect("entry");
        let envelope = entry.envelope().expect("valid envelope");
        assert_eq!(envelope.to()[0].to_string(), "koordinators@example.org");
        entry.envelope_to = vec!["not an address".to_owned()];
        let error = entry.envelope().expect_err("invalid address").to_string();
        assert!(
            error.starts_with("recorded address \"not an address\" is invalid"),
            "{error}"
        );
    }
}
