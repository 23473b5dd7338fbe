//! Drafts: recording what a poll saw (insert new, update changed, keep field history) and
//! reading drafts back for the matcher, the digest and the CLI.
//!
//! This file decides what counts as a change; it does not decide what is worth telling anyone
//! (that is the digest's job, reading [`DraftChange`]s).

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::{Type, Value};
use rusqlite::{OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::polls::{PollCounts, PollRecord, insert_poll, update_poll_counts};
use super::{
    Store, StoreError, date_to_sql, optional_date_column, optional_timestamp_column,
    timestamp_column, timestamp_to_sql,
};
use crate::model::{
    CommentWindow, DetailCheck, DetailCheckOutcome, DraftDetail, KnownDraft, KnownDrafts,
    RecheckCandidate, ScrapedDraft, StoredDraft,
};

/// Which drafts [`Store::list_drafts`] returns.
#[derive(Debug, Clone, Default)]
pub struct DraftFilter {
    /// Only drafts whose comment window contains this Riga-local day (both ends inclusive).
    pub open_on: Option<NaiveDate>,
    /// Only drafts of this configured source.
    pub source: Option<String>,
}

/// A stored field of a draft whose change is recorded in the history. The stored name is the
/// `drafts` column name, so the history reads the same as the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DraftField {
    /// The TA (or task) number.
    TaNumber,
    /// The title.
    Title,
    /// Kind of draft or of participation.
    Kind,
    /// Responsible ministry.
    Ministry,
    /// Stage of the legislative process.
    Stage,
    /// Portal link.
    Url,
    /// First day of the comment window.
    WindowFrom,
    /// Last day of the comment window: a change here is a moved deadline.
    WindowTo,
    /// The deadline text when it could not be read as dates.
    UnreadableDeadline,
    /// Description from the detail page.
    Description,
    /// Policy areas from the detail page (values are JSON arrays).
    PolicyAreas,
    /// When the draft was found gone from the portal: a change from empty to a time is the
    /// one-time "withdrawn" news.
    VanishedAt,
}

impl DraftField {
    /// Every field, in column order.
    const ALL: [DraftField; 12] = [
        DraftField::TaNumber,
        DraftField::Title,
        DraftField::Kind,
        DraftField::Ministry,
        DraftField::Stage,
        DraftField::Url,
        DraftField::WindowFrom,
        DraftField::WindowTo,
        DraftField::UnreadableDeadline,
        DraftField::Description,
        DraftField::PolicyAreas,
        DraftField::VanishedAt,
    ];

    /// The `drafts` column (and `draft_changes.field` value) of this field.
    pub fn column(self) -> &'static str {
        match self {
            DraftField::TaNumber => "ta_number",
            DraftField::Title => "title",
            DraftField::Kind => "kind",
            DraftField::Ministry => "ministry",
            DraftField::Stage => "stage",
            DraftField::Url => "url",
            DraftField::WindowFrom => "window_from",
            DraftField::WindowTo => "window_to",
            DraftField::UnreadableDeadline => "unreadable_deadline",
            DraftField::Description => "description",
            DraftField::PolicyAreas => "policy_areas",
            DraftField::VanishedAt => "vanished_at",
        }
    }

    fn from_column(column: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.column() == column)
    }
}

/// One recorded change of one field of one draft.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DraftChange {
    /// The draft that changed.
    pub draft_id: i64,
    /// The poll that saw the change.
    pub poll_id: i64,
    /// Which field.
    pub field: DraftField,
    /// The stored text before (`None` when empty); dates as `YYYY-MM-DD`.
    pub old_value: Option<String>,
    /// The stored text after (`None` when empty).
    pub new_value: Option<String>,
    /// When the change was recorded (the poll's finish time).
    pub changed_at: DateTime<Utc>,
}

/// A stored field name this binary does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown draft field {0:?}")]
struct UnknownField(String);

/// Columns read by [`draft_from_row`], in its order.
const DRAFT_COLUMNS: &str = "id, source, external_id, ta_number, title, kind, ministry, stage, \
     url, window_from, window_to, description, policy_areas, detail_fetched_at, first_seen, \
     last_changed, unreadable_deadline, detail_checked_at, vanished_at";

fn draft_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDraft> {
    let window = match (
        optional_date_column(row, 9)?,
        optional_date_column(row, 10)?,
    ) {
        (Some(from), Some(to)) => Some(CommentWindow { from, to }),
        _ => None,
    };
    let policy_areas_json: String = row.get(12)?;
    let policy_areas = serde_json::from_str(&policy_areas_json)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(12, Type::Text, Box::new(e)))?;
    Ok(StoredDraft {
        id: row.get(0)?,
        source: row.get(1)?,
        external_id: row.get(2)?,
        ta_number: row.get(3)?,
        title: row.get(4)?,
        kind: row.get(5)?,
        ministry: row.get(6)?,
        stage: row.get(7)?,
        url: row.get(8)?,
        window,
        unreadable_deadline: row.get(16)?,
        description: row.get(11)?,
        policy_areas,
        detail_fetched_at: optional_timestamp_column(row, 13)?,
        detail_checked_at: optional_timestamp_column(row, 17)?,
        vanished_at: optional_timestamp_column(row, 18)?,
        texts: Default::default(),
        first_seen: timestamp_column(row, 14)?,
        last_changed: timestamp_column(row, 15)?,
    })
}

fn change_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DraftChange> {
    let column: String = row.get(2)?;
    let field = DraftField::from_column(&column).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(2, Type::Text, Box::new(UnknownField(column)))
    })?;
    Ok(DraftChange {
        draft_id: row.get(0)?,
        poll_id: row.get(1)?,
        field,
        old_value: row.get(3)?,
        new_value: row.get(4)?,
        changed_at: timestamp_column(row, 5)?,
    })
}

fn policy_areas_to_sql(areas: &[String]) -> rusqlite::Result<String> {
    serde_json::to_string(areas).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The stored text of the window fields: the window's days, or the unreadable text.
fn window_values(
    window: Option<CommentWindow>,
    unreadable_deadline: Option<&String>,
) -> [(DraftField, Option<String>); 3] {
    [
        (DraftField::WindowFrom, window.map(|w| date_to_sql(w.from))),
        (DraftField::WindowTo, window.map(|w| date_to_sql(w.to))),
        (DraftField::UnreadableDeadline, unreadable_deadline.cloned()),
    ]
}

/// The stored text of the fields a listing page carries.
fn listing_values(draft: &ScrapedDraft) -> Vec<(DraftField, Option<String>)> {
    let mut values = vec![
        (DraftField::TaNumber, draft.ta_number.clone()),
        (DraftField::Title, Some(draft.title.clone())),
        (DraftField::Kind, draft.kind.clone()),
        (DraftField::Ministry, draft.ministry.clone()),
        (DraftField::Stage, draft.stage.clone()),
        (DraftField::Url, Some(draft.url.clone())),
    ];
    values.extend(window_values(
        draft.window,
        draft.unreadable_deadline.as_ref(),
    ));
    values
}

/// The stored text of the fields only a detail page carries.
fn detail_values(detail: &DraftDetail) -> rusqlite::Result<[(DraftField, Option<String>); 2]> {
    Ok([
        (DraftField::Description, detail.description.clone()),
        (
            DraftField::PolicyAreas,
            Some(policy_areas_to_sql(&detail.policy_areas)?),
        ),
    ])
}

/// The stored text of every recorded field of a stored draft.
fn stored_value(draft: &StoredDraft, field: DraftField) -> rusqlite::Result<Option<String>> {
    Ok(match field {
        DraftField::TaNumber => draft.ta_number.clone(),
        DraftField::Title => Some(draft.title.clone()),
        DraftField::Kind => draft.kind.clone(),
        DraftField::Ministry => draft.ministry.clone(),
        DraftField::Stage => draft.stage.clone(),
        DraftField::Url => Some(draft.url.clone()),
        DraftField::WindowFrom => draft.window.map(|w| date_to_sql(w.from)),
        DraftField::WindowTo => draft.window.map(|w| date_to_sql(w.to)),
        DraftField::UnreadableDeadline => draft.unreadable_deadline.clone(),
        DraftField::Description => draft.description.clone(),
        DraftField::PolicyAreas => Some(policy_areas_to_sql(&draft.policy_areas)?),
        DraftField::VanishedAt => draft.vanished_at.map(timestamp_to_sql),
    })
}

/// What happened to one scraped draft.
enum Upserted {
    New,
    Changed,
    Unchanged,
}

fn text_or_null(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::Text)
}

fn insert_draft(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    draft: &ScrapedDraft,
    at: &str,
) -> rusqlite::Result<()> {
    let mut columns = vec!["source", "external_id", "first_seen", "last_changed"];
    let mut values = vec![
        Value::Text(source.to_owned()),
        Value::Text(draft.external_id.clone()),
        Value::Text(at.to_owned()),
        Value::Text(at.to_owned()),
    ];
    let mut fields = listing_values(draft);
    if let Some(detail) = &draft.detail {
        fields.extend(detail_values(detail)?);
        columns.extend(["detail_fetched_at", "detail_checked_at"]);
        values.extend([Value::Text(at.to_owned()), Value::Text(at.to_owned())]);
    } else if let Some(error) = &draft.detail_error {
        columns.extend(["detail_error", "detail_checked_at"]);
        values.extend([Value::Text(error.clone()), Value::Text(at.to_owned())]);
    }
    for (field, value) in fields {
        columns.push(field.column());
        values.push(text_or_null(value));
    }
    let placeholders = (1..=values.len())
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO drafts ({}) VALUES ({placeholders})",
        columns.join(", ")
    );
    tx.execute(&sql, params_from_iter(values))?;
    Ok(())
}

/// The stored draft `external_id` of the poll's source, if any.
fn existing_draft(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    external_id: &str,
) -> rusqlite::Result<Option<StoredDraft>> {
    tx.prepare_cached(&format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE source = ?1 AND external_id = ?2"
    ))?
    .query_row(params![source, external_id], draft_from_row)
    .optional()
}

/// Write the fields of `seen` that differ from `existing`, with a history row each; whether
/// anything changed.
fn apply_changes(
    tx: &rusqlite::Transaction<'_>,
    existing: &StoredDraft,
    poll_id: i64,
    at: &str,
    seen: Vec<(DraftField, Option<String>)>,
) -> rusqlite::Result<bool> {
    let mut changes = Vec::new();
    for (field, new_value) in seen {
        let old_value = stored_value(existing, field)?;
        if old_value != new_value {
            changes.push((field, old_value, new_value));
        }
    }
    if changes.is_empty() {
        return Ok(false);
    }
    // One UPDATE for all fields, so the window's both-or-neither CHECK holds per statement.
    let mut assignments = Vec::new();
    let mut values = Vec::new();
    for (field, _, new_value) in &changes {
        values.push(text_or_null(new_value.clone()));
        assignments.push(format!("{} = ?{}", field.column(), values.len()));
    }
    values.push(Value::Text(at.to_owned()));
    assignments.push(format!("last_changed = ?{}", values.len()));
    values.push(Value::Integer(existing.id));
    let sql = format!(
        "UPDATE drafts SET {} WHERE id = ?{}",
        assignments.join(", "),
        values.len()
    );
    tx.execute(&sql, params_from_iter(values))?;

    let mut record = tx.prepare_cached(
        "INSERT INTO draft_changes (draft_id, poll_id, field, old_value, new_value, changed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (field, old_value, new_value) in &changes {
        record.execute(params![
            existing.id,
            poll_id,
            field.column(),
            old_value,
            new_value,
            at
        ])?;
    }
    Ok(true)
}

/// Remember that the detail page was read (`error` is `None`) or failed at `at`.
fn mark_detail_checked(
    tx: &rusqlite::Transaction<'_>,
    draft_id: i64,
    at: &str,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    match error {
        None => tx.execute(
            "UPDATE drafts SET detail_fetched_at = ?1, detail_checked_at = ?1, \
             detail_error = NULL WHERE id = ?2",
            params![at, draft_id],
        )?,
        Some(error) => tx.execute(
            "UPDATE drafts SET detail_checked_at = ?1, detail_error = ?3 WHERE id = ?2",
            params![at, draft_id, error],
        )?,
    };
    Ok(())
}

/// Insert or update one scraped draft inside the poll's transaction.
fn upsert_draft(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollRecord<'_>,
    poll_id: i64,
    draft: &ScrapedDraft,
) -> rusqlite::Result<Upserted> {
    let at = timestamp_to_sql(poll.finished);
    let Some(existing) = existing_draft(tx, poll.source, &draft.external_id)? else {
        insert_draft(tx, poll.source, draft, &at)?;
        return Ok(Upserted::New);
    };

    let mut seen = listing_values(draft);
    if let Some(detail) = &draft.detail {
        seen.extend(detail_values(detail)?);
    }
    // Listed again: a draft once found gone is back.
    seen.push((DraftField::VanishedAt, None));
    let changed = apply_changes(tx, &existing, poll_id, &at, seen)?;

    if draft.detail.is_some() {
        mark_detail_checked(tx, existing.id, &at, None)?;
    } else if let Some(error) = &draft.detail_error {
        mark_detail_checked(tx, existing.id, &at, Some(error))?;
    }

    Ok(if changed {
        Upserted::Changed
    } else {
        Upserted::Unchanged
    })
}

/// Apply what re-reading a known draft's detail page found: a moved window or new detail
/// text is a change like any other; a page that is gone marks the draft vanished (once);
/// a failure is remembered so the next poll checks other drafts first. Whether a stored
/// field changed; a check of a draft the store does not have is ignored.
fn apply_check(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollRecord<'_>,
    poll_id: i64,
    check: &DetailCheck,
) -> rusqlite::Result<bool> {
    let at = timestamp_to_sql(poll.finished);
    let Some(existing) = existing_draft(tx, poll.source, &check.external_id)? else {
        return Ok(false);
    };
    match &check.outcome {
        DetailCheckOutcome::Read(detail) => {
            let mut seen = detail_values(detail)?.to_vec();
            // A page without "Norises laiks" says nothing about the window: keep the stored one.
            if detail.window.is_some() || detail.unreadable_deadline.is_some() {
                seen.extend(window_values(
                    detail.window,
                    detail.unreadable_deadline.as_ref(),
                ));
            }
            let changed = apply_changes(tx, &existing, poll_id, &at, seen)?;
            mark_detail_checked(tx, existing.id, &at, None)?;
            Ok(changed)
        }
        DetailCheckOutcome::Gone(error) => {
            let vanished_at = existing
                .vanished_at
                .map_or_else(|| at.clone(), timestamp_to_sql);
            let seen = vec![(DraftField::VanishedAt, Some(vanished_at))];
            let changed = apply_changes(tx, &existing, poll_id, &at, seen)?;
            mark_detail_checked(tx, existing.id, &at, Some(error))?;
            Ok(changed)
        }
        DetailCheckOutcome::Failed(error) => {
            mark_detail_checked(tx, existing.id, &at, Some(error))?;
            Ok(false)
        }
    }
}

impl Store {
    /// What the store knows of `source`'s drafts, handed to the next poll so it can skip detail
    /// pages already read and retry the ones that failed. `recheck` is left empty: fill it
    /// with [`Store::recheck_candidates`], which needs the day.
    pub fn known_drafts(&self, source: &str) -> Result<KnownDrafts, StoreError> {
        let read = || -> rusqlite::Result<KnownDrafts> {
            let mut statement = self.conn.prepare_cached(
                "SELECT external_id, url, detail_fetched_at IS NULL FROM drafts WHERE source = ?1",
            )?;
            let rows = statement.query_map(params![source], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    KnownDraft {
                        url: row.get(1)?,
                        needs_detail: row.get(2)?,
                    },
                ))
            })?;
            Ok(KnownDrafts {
                drafts: rows.collect::<rusqlite::Result<_>>()?,
                recheck: Vec::new(),
            })
        };
        read().map_err(|e| self.query_error("reading known drafts", e))
    }

    /// Record one poll and everything it saw in a single transaction: new drafts are inserted,
    /// changed ones updated with a history row per changed field, and the poll row is written
    /// with its counts and outcome. A failed poll's drafts are stored all the same. If anything
    /// fails, nothing of the poll is written.
    ///
    /// A draft without `detail` keeps its stored description and policy areas; a draft with
    /// `detail_error` keeps needing its detail page.
    pub fn record_poll(
        &mut self,
        poll: &PollRecord<'_>,
        drafts: &[ScrapedDraft],
    ) -> Result<PollCounts, StoreError> {
        self.record_poll_output(poll, drafts, &[], &[])
    }

    /// [`Store::record_poll`], also applying the poll's re-checks of known drafts' detail
    /// pages (a re-check that changed a stored field counts as changed) and keeping its
    /// warnings on the poll row.
    pub fn record_poll_output(
        &mut self,
        poll: &PollRecord<'_>,
        drafts: &[ScrapedDraft],
        checks: &[DetailCheck],
        warnings: &[String],
    ) -> Result<PollCounts, StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<PollCounts> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let poll_id = insert_poll(&tx, poll, warnings)?;
            let mut counts = PollCounts::default();
            for draft in drafts {
                counts.seen = counts.seen.saturating_add(1);
                match upsert_draft(&tx, poll, poll_id, draft)? {
                    Upserted::New => counts.new = counts.new.saturating_add(1),
                    Upserted::Changed => counts.changed = counts.changed.saturating_add(1),
                    Upserted::Unchanged => {}
                }
            }
            for check in checks {
                if apply_check(&tx, poll, poll_id, check)? {
                    counts.changed = counts.changed.saturating_add(1);
                }
            }
            update_poll_counts(&tx, poll_id, counts)?;
            tx.commit()?;
            Ok(counts)
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording a poll", e))
    }

    /// Followed drafts of `source` (delivered to someone) whose window is still open on
    /// `today` (a Riga-local day) or whose deadline could not be read, and that are not known
    /// to be gone: the candidates for a detail re-check, least recently checked first.
    pub fn recheck_candidates(
        &self,
        source: &str,
        today: NaiveDate,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let read = || -> rusqlite::Result<Vec<RecheckCandidate>> {
            let mut statement = self.conn.prepare_cached(
                // From the open windows and unreadable deadlines (indexed, few), not from
                // every draft of the source.
                "SELECT external_id, url FROM drafts AS d \
                 WHERE d.id IN (SELECT id FROM drafts WHERE window_to >= ?2 \
                                UNION SELECT id FROM drafts WHERE unreadable_deadline IS NOT NULL) \
                   AND source = ?1 AND vanished_at IS NULL \
                   AND EXISTS (SELECT 1 FROM deliveries WHERE draft_id = d.id) \
                 ORDER BY detail_checked_at IS NOT NULL, detail_checked_at, id",
            )?;
            let rows = statement.query_map(params![source, date_to_sql(today)], |row| {
                Ok(RecheckCandidate {
                    external_id: row.get(0)?,
                    url: row.get(1)?,
                })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("finding drafts to re-check", e))
    }

    /// Drafts matching `filter`, soonest-closing first (drafts without a window last), then in
    /// the order they were first stored; the order digests list them in.
    pub fn list_drafts(&self, filter: &DraftFilter) -> Result<Vec<StoredDraft>, StoreError> {
        let day = filter.open_on.map(date_to_sql);
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts \
             WHERE (?1 IS NULL OR (window_from <= ?1 AND ?1 <= window_to)) \
               AND (?2 IS NULL OR source = ?2) \
             ORDER BY window_to IS NULL, window_to, id"
        );
        self.query_drafts(&sql, params![day, filter.source], "listing drafts")
    }

    /// One draft by its row id, `None` when there is no such draft.
    pub fn get_draft(&self, id: i64) -> Result<Option<StoredDraft>, StoreError> {
        let sql = format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?1");
        let mut found = self.query_drafts(&sql, params![id], "reading a draft")?;
        Ok(found.pop())
    }

    /// Drafts people refer to by `ta_or_external_id`: the TA number as printed in digests
    /// ("26-TA-2228", case and surrounding spaces ignored) or the portal id. Several sources
    /// may carry the same number, hence a list.
    pub fn find_drafts_by_display_id(
        &self,
        ta_or_external_id: &str,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let wanted = ta_or_external_id.trim();
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts \
             WHERE ta_number = ?1 COLLATE NOCASE OR external_id = ?1 COLLATE NOCASE ORDER BY id"
        );
        self.query_drafts(&sql, params![wanted], "finding drafts by id")
    }

    /// Field changes of one draft recorded at or after `since` (inclusive, so a change made at
    /// the very instant of the last digest is not lost), oldest first.
    pub fn changes_since(
        &self,
        draft_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<DraftChange>, StoreError> {
        let read = || -> rusqlite::Result<Vec<DraftChange>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT draft_id, poll_id, field, old_value, new_value, changed_at \
                 FROM draft_changes WHERE draft_id = ?1 AND changed_at >= ?2 \
                 ORDER BY changed_at, id",
            )?;
            let rows =
                statement.query_map(params![draft_id, timestamp_to_sql(since)], change_from_row)?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("reading draft changes", e))
    }

    /// Run a draft query and read every row.
    fn query_drafts(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        action: &'static str,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let read = || -> rusqlite::Result<Vec<StoredDraft>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map(params, draft_from_row)?;
            rows.collect()
        };
        read().map_err(|e| self.query_error(action, e))
    }
}
