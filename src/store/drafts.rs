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
use crate::model::{CommentWindow, DraftDetail, ScrapedDraft, StoredDraft};
use crate::sources::{KnownDraft, KnownDrafts};

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
    /// Description from the detail page.
    Description,
    /// Policy areas from the detail page (values are JSON arrays).
    PolicyAreas,
}

impl DraftField {
    /// Every field, in column order.
    const ALL: [DraftField; 10] = [
        DraftField::TaNumber,
        DraftField::Title,
        DraftField::Kind,
        DraftField::Ministry,
        DraftField::Stage,
        DraftField::Url,
        DraftField::WindowFrom,
        DraftField::WindowTo,
        DraftField::Description,
        DraftField::PolicyAreas,
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
            DraftField::Description => "description",
            DraftField::PolicyAreas => "policy_areas",
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
     last_changed";

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
        description: row.get(11)?,
        policy_areas,
        detail_fetched_at: optional_timestamp_column(row, 13)?,
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

/// The stored text of the fields a listing page carries.
fn listing_values(draft: &ScrapedDraft) -> [(DraftField, Option<String>); 8] {
    [
        (DraftField::TaNumber, draft.ta_number.clone()),
        (DraftField::Title, Some(draft.title.clone())),
        (DraftField::Kind, draft.kind.clone()),
        (DraftField::Ministry, draft.ministry.clone()),
        (DraftField::Stage, draft.stage.clone()),
        (DraftField::Url, Some(draft.url.clone())),
        (
            DraftField::WindowFrom,
            draft.window.map(|w| date_to_sql(w.from)),
        ),
        (
            DraftField::WindowTo,
            draft.window.map(|w| date_to_sql(w.to)),
        ),
    ]
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
        DraftField::Description => draft.description.clone(),
        DraftField::PolicyAreas => Some(policy_areas_to_sql(&draft.policy_areas)?),
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
    let mut fields: Vec<(DraftField, Option<String>)> = listing_values(draft).into();
    if let Some(detail) = &draft.detail {
        fields.extend(detail_values(detail)?);
        columns.push("detail_fetched_at");
        values.push(Value::Text(at.to_owned()));
    } else if let Some(error) = &draft.detail_error {
        columns.push("detail_error");
        values.push(Value::Text(error.clone()));
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

/// Insert or update one scraped draft inside the poll's transaction.
fn upsert_draft(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollRecord<'_>,
    poll_id: i64,
    draft: &ScrapedDraft,
) -> rusqlite::Result<Upserted> {
    let at = timestamp_to_sql(poll.finished);
    let existing = tx
        .prepare_cached(&format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE source = ?1 AND external_id = ?2"
        ))?
        .query_row(params![poll.source, draft.external_id], draft_from_row)
        .optional()?;
    let Some(existing) = existing else {
        insert_draft(tx, poll.source, draft, &at)?;
        return Ok(Upserted::New);
    };

    let mut seen: Vec<(DraftField, Option<String>)> = listing_values(draft).into();
    if let Some(detail) = &draft.detail {
        seen.extend(detail_values(detail)?);
    }
    let mut changes = Vec::new();
    for (field, new_value) in seen {
        let old_value = stored_value(&existing, field)?;
        if old_value != new_value {
            changes.push((field, old_value, new_value));
        }
    }

    if !changes.is_empty() {
        // One UPDATE for all fields, so the window's both-or-neither CHECK holds per statement.
        let mut assignments = Vec::new();
        let mut values = Vec::new();
        for (field, _, new_value) in &changes {
            values.push(text_or_null(new_value.clone()));
            assignments.push(format!("{} = ?{}", field.column(), values.len()));
        }
        values.push(Value::Text(at.clone()));
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
    }

    if draft.detail.is_some() {
        tx.execute(
            "UPDATE drafts SET detail_fetched_at = ?1, detail_error = NULL WHERE id = ?2",
            params![at, existing.id],
        )?;
    } else if let Some(error) = &draft.detail_error {
        tx.execute(
            "UPDATE drafts SET detail_error = ?1 WHERE id = ?2",
            params![error, existing.id],
        )?;
    }

    Ok(if changes.is_empty() {
        Upserted::Unchanged
    } else {
        Upserted::Changed
    })
}

impl Store {
    /// What the store knows of `source`'s drafts, handed to the next poll so it can skip detail
    /// pages already read and retry the ones that failed.
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
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<PollCounts> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let poll_id = insert_poll(&tx, poll)?;
            let mut counts = PollCounts::default();
            for draft in drafts {
                counts.seen = counts.seen.saturating_add(1);
                match upsert_draft(&tx, poll, poll_id, draft)? {
                    Upserted::New => counts.new = counts.new.saturating_add(1),
                    Upserted::Changed => counts.changed = counts.changed.saturating_add(1),
                    Upserted::Unchanged => {}
                }
            }
            update_poll_counts(&tx, poll_id, counts)?;
            tx.commit()?;
            Ok(counts)
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording a poll", e))
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
