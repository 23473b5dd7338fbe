//! Poll history: the record of each poll of each source, read back for status output and for
//! "when did this source last answer" questions. Writing a poll row happens inside
//! [`Store::record_poll`](super::Store::record_poll) (see `drafts.rs`), never on its own.

use chrono::{DateTime, Utc};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError, timestamp_column, timestamp_to_sql};
use super::{from_json, to_json};

/// What the pipeline hands the store about one finished poll (the drafts travel separately).
#[derive(Debug, Clone)]
pub struct PollRecord<'a> {
    /// Configured name of the polled source.
    pub source: &'a str,
    /// When the poll started.
    pub started: DateTime<Utc>,
    /// When the poll finished; used as the `first_seen` / `last_changed` time of its drafts.
    pub finished: DateTime<Utc>,
    /// Why the poll failed, when it did (drafts gathered before are stored all the same).
    pub error: Option<PollFailure<'a>>,
}

/// Why a poll failed: a kind to ask questions with and a text to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollFailure<'a> {
    /// A stable token naming the kind of error (`SourceError::kind`: `fetch`, `markup`,
    /// `zero_rows`, `cancelled`), stored as `polls.error_kind`; alerts select incidents by it.
    pub kind: &'a str,
    /// The error text the admin reads.
    pub message: String,
}

/// How many drafts one poll saw, and how many of them were new or changed; shown in logs and
/// status output so an admin can tell a quiet portal from a broken scraper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PollCounts {
    /// Drafts the poll returned (new, changed or unchanged).
    pub seen: u32,
    /// Drafts the store had never seen.
    pub new: u32,
    /// Known drafts of which at least one stored field changed.
    pub changed: u32,
}

/// Whether a poll completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PollOutcome {
    /// The poll read everything it meant to read.
    Ok,
    /// The poll failed part-way; see [`PollRow::error`].
    Error,
}

impl PollOutcome {
    /// The value stored in `polls.outcome`.
    pub fn as_str(self) -> &'static str {
        match self {
            PollOutcome::Ok => "ok",
            PollOutcome::Error => "error",
        }
    }
}

/// One recorded poll, as read back from the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PollRow {
    /// Row id; `draft_changes.poll_id` refers to it.
    pub id: i64,
    /// Configured name of the polled source.
    pub source: String,
    /// When the poll started.
    pub started: DateTime<Utc>,
    /// When the poll finished.
    pub finished: DateTime<Utc>,
    /// Whether it completed.
    pub outcome: PollOutcome,
    /// Drafts seen, new and changed.
    pub counts: PollCounts,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// What the admin should know although the poll did not fail (a page that looks cut
    /// short, an unreadable deadline, a partial poll).
    pub warnings: Vec<String>,
    /// The kind of error ([`PollFailure::kind`]; `unknown` for failures recorded before kinds
    /// were stored, whose text did not tell), when it failed.
    pub error_kind: Option<String>,
}

/// The current run of failed polls of one source: those after its last successful poll (or
/// all, when it never succeeded), not counting polls cut short by a shutdown, which say
/// nothing about the portal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct FailureRun {
    /// How many polls in a row failed.
    pub count: u32,
    /// When the first of them started; `None` when the latest poll succeeded.
    pub since: Option<DateTime<Utc>>,
}

/// A stored outcome value that is neither `ok` nor `error`.
#[derive(Debug, thiserror::Error)]
#[error("unknown poll outcome {0:?}")]
struct UnknownOutcome(String);

const POLL_COLUMNS: &str = "id, source, started, finished, outcome, items_seen, items_new, \
                            items_changed, error, warnings, error_kind";

fn poll_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PollRow> {
    let outcome_text: String = row.get(4)?;
    let outcome = match outcome_text.as_str() {
        "ok" => PollOutcome::Ok,
        "error" => PollOutcome::Error,
        _ => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                4,
                Type::Text,
                Box::new(UnknownOutcome(outcome_text)),
            ));
        }
    };
    Ok(PollRow {
        id: row.get(0)?,
        source: row.get(1)?,
        started: timestamp_column(row, 2)?,
        finished: timestamp_column(row, 3)?,
        outcome,
        counts: PollCounts {
            seen: row.get(5)?,
            new: row.get(6)?,
            changed: row.get(7)?,
        },
        error: row.get(8)?,
        warnings: {
            let json: String = row.get(9)?;
            from_json(&json, 9)?
        },
        error_kind: row.get(10)?,
    })
}

/// Insert the poll row (counts filled in later by [`update_poll_counts`]) and return its id,
/// so change rows written in the same transaction can point at it.
pub(super) fn insert_poll(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollRecord<'_>,
    warnings: &[String],
) -> rusqlite::Result<i64> {
    let warnings = to_json(warnings)?;
    let outcome = if poll.error.is_some() {
        PollOutcome::Error
    } else {
        PollOutcome::Ok
    };
    let failure = poll.error.as_ref();
    tx.execute(
        "INSERT INTO polls (source, started, finished, outcome, error, error_kind, warnings) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            poll.source,
            timestamp_to_sql(poll.started),
            timestamp_to_sql(poll.finished),
            outcome.as_str(),
            failure.map(|failure| &failure.message),
            failure.map(|failure| failure.kind),
            warnings,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Store the final counts on a poll row.
pub(super) fn update_poll_counts(
    tx: &rusqlite::Transaction<'_>,
    poll_id: i64,
    counts: PollCounts,
) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE polls SET items_seen = ?1, items_new = ?2, items_changed = ?3 WHERE id = ?4",
        params![counts.seen, counts.new, counts.changed, poll_id],
    )?;
    Ok(())
}

impl Store {
    /// The latest polls, newest first, of one source or of all; for `status` output and for
    /// spotting a source that keeps failing.
    pub fn recent_polls(
        &self,
        source: Option<&str>,
        limit: usize,
    ) -> Result<Vec<PollRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!(
            "SELECT {POLL_COLUMNS} FROM polls WHERE (?1 IS NULL OR source = ?1) \
             ORDER BY finished DESC, id DESC LIMIT ?2"
        );
        let read = || -> rusqlite::Result<Vec<PollRow>> {
            let mut statement = self.conn.prepare_cached(&sql)?;
            let rows = statement.query_map(params![source, limit], poll_from_row)?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("listing recent polls", e))
    }

    /// When `source` last completed a poll without error; `None` if it never has. Lets the
    /// operator (and the digest) warn when a portal has been silent for too long.
    pub fn last_successful_poll(&self, source: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let read = || -> rusqlite::Result<Option<DateTime<Utc>>> {
            self.conn
                .query_row(
                    "SELECT finished FROM polls WHERE source = ?1 AND outcome = 'ok' \
                     ORDER BY finished DESC, id DESC LIMIT 1",
                    params![source],
                    |row| timestamp_column(row, 0),
                )
                .optional()
        };
        read().map_err(|e| self.query_error("finding the last successful poll", e))
    }

    /// The failed polls of `source` since its last success ([`FailureRun`]); for `status`,
    /// which calls a source that keeps failing unhealthy.
    pub fn failure_run(&self, source: &str) -> Result<FailureRun, StoreError> {
        let read = || -> rusqlite::Result<(u32, Option<String>)> {
            self.conn.query_row(
                "SELECT count(*), min(started) FROM polls WHERE source = ?1                  AND outcome = 'error' AND error_kind != 'cancelled'                  AND finished > coalesce((SELECT max(finished) FROM polls                                           WHERE source = ?1 AND outcome = 'ok'), '')",
                params![source],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
        };
        let (count, since) = read().map_err(|e| self.query_error("counting failed polls", e))?;
        let since = since
            .map(|text| super::timestamp_from_sql(&text, 1))
            .transpose()
            .map_err(|e| self.query_error("counting failed polls", e))?;
        Ok(FailureRun { count, since })
    }

    /// The newest failed poll of `source`, however long ago; what `status` shows as its last
    /// error.
    pub fn last_failed_poll(&self, source: &str) -> Result<Option<PollRow>, StoreError> {
        let sql = format!(
            "SELECT {POLL_COLUMNS} FROM polls WHERE source = ?1 AND outcome = 'error' \
             ORDER BY finished DESC, id DESC LIMIT 1"
        );
        let read = || -> rusqlite::Result<Option<PollRow>> {
            self.conn
                .query_row(&sql, params![source], poll_from_row)
                .optional()
        };
        read().map_err(|e| self.query_error("finding the last failed poll", e))
    }

    /// The first failed poll of `source` after its last successful one (or ever, when it
    /// never succeeded), optionally only among failures of kind `error_kind`
    /// ([`PollFailure::kind`]): when the current run of failures began. `None` when the
    /// latest poll succeeded (or there is none).
    pub fn first_failure_since_success(
        &self,
        source: &str,
        error_kind: Option<&str>,
    ) -> Result<Option<PollRow>, StoreError> {
        let sql = format!(
            "SELECT {POLL_COLUMNS} FROM polls WHERE source = ?1 AND outcome = 'error' \
             AND finished > coalesce((SELECT max(finished) FROM polls \
                                      WHERE source = ?1 AND outcome = 'ok'), '') \
             AND (?2 IS NULL OR error_kind = ?2) \
             ORDER BY finished, id LIMIT 1"
        );
        let read = || -> rusqlite::Result<Option<PollRow>> {
            self.conn
                .query_row(&sql, params![source, error_kind], poll_from_row)
                .optional()
        };
        read().map_err(|e| self.query_error("finding when a source began failing", e))
    }
}
