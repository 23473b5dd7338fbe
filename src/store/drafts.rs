//! Drafts: recording what a poll saw (insert new, update changed, keep field history) and
//! reading drafts back for the matcher, the digest and the CLI.
//!
//! A draft is one row however many views show it: a view (a source and its own id) seen for
//! the first time joins the draft with the same TA number, never a document UUID of another
//! view. The first view's title, kind and link stay; later views add the stage, windows and
//! what the draft lacks (see `merged_listing_values`). Windows, opinions and history events
//! are written through `history`.
//!
//! This file decides what counts as a change; it does not decide what is worth telling anyone
//! (that is the digest's job, reading [`DraftChange`]s and history events).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Riga;
use rusqlite::types::{Type, Value};
use rusqlite::{OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::history::{
    DraftEventKind, EventContext, SeenWindow, Sighting, close_passed_windows, record_event,
    record_milestones, record_windows, replace_opinions, windows_of_drafts,
};
use super::polls::{PollCounts, PollRecord, insert_poll, update_poll_counts};
use super::texts::record_poll_links;
use super::{
    Store, StoreError, date_to_sql, optional_date_column, optional_timestamp_column,
    timestamp_column, timestamp_to_sql,
};
use super::{from_json, to_json};
use crate::model::{
    CommentWindow, DetailCheck, DetailCheckOutcome, DraftDetail, KindedWindow, KnownDraft,
    KnownDrafts, KnownLookup, RecheckCandidate, ScrapedDraft, StoredDraft, WindowKind,
};

/// Stages after which a draft does not move any more (`Virzības stadija` as written), so it
/// is no longer re-checked.
pub const FINAL_STAGES: [&str; 2] = ["Pieņemts", "Atsaukts"];

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
     last_changed, unreadable_deadline, detail_checked_at, vanished_at, restricted";

fn draft_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDraft> {
    let window = match (
        optional_date_column(row, 9)?,
        optional_date_column(row, 10)?,
    ) {
        (Some(from), Some(to)) => Some(CommentWindow { from, to }),
        _ => None,
    };
    let policy_areas_json: String = row.get(12)?;
    let policy_areas = from_json(&policy_areas_json, 12)?;
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
        windows: Vec::new(),
        restricted: row.get(19)?,
        opinions: Vec::new(),
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
    to_json(areas)
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

/// The poll being recorded: its row, its instant as stored text and its Riga-local day
/// (windows close at the end of their last day in Europe/Riga).
struct PollInfo<'a> {
    source: &'a str,
    poll_id: i64,
    at: String,
    today: NaiveDate,
}

impl PollInfo<'_> {
    fn events_of(&self, draft_id: i64) -> EventContext<'_> {
        EventContext {
            draft_id,
            poll_id: self.poll_id,
            at: &self.at,
            today: self.today,
        }
    }
}

fn insert_draft(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    draft: &ScrapedDraft,
    at: &str,
) -> rusqlite::Result<i64> {
    let mut columns = vec![
        "source",
        "external_id",
        "first_seen",
        "last_changed",
        "restricted",
    ];
    let mut values = vec![
        Value::Text(source.to_owned()),
        Value::Text(draft.external_id.clone()),
        Value::Text(at.to_owned()),
        Value::Text(at.to_owned()),
        Value::Integer(draft.restricted.into()),
    ];
    let mut fields = listing_values(draft);
    if let Some(detail) = &draft.detail {
        fields.extend(detail_values(detail)?);
        if detail.stage.is_some() {
            fields.retain(|(field, _)| *field != DraftField::Stage);
            fields.push((DraftField::Stage, detail.stage.clone()));
        }
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
    Ok(tx.last_insert_rowid())
}

/// Remember that `source` shows the draft as `external_id` at `url`.
fn record_view(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    draft: &ScrapedDraft,
    draft_id: i64,
    at: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO draft_views (source, external_id, draft_id, url, first_seen) \
         VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (source, external_id) DO UPDATE SET url = excluded.url",
    )?
    .execute(params![source, draft.external_id, draft_id, draft.url, at])?;
    Ok(())
}

/// The draft `source` knows as `external_id`: through the view recorded for it, else (a draft
/// first seen through another view) through its TA number. Never through a document UUID of
/// another view.
fn existing_draft(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    external_id: &str,
    ta_number: Option<&str>,
) -> rusqlite::Result<Option<StoredDraft>> {
    let by_view = tx
        .prepare_cached(&format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = \
             (SELECT draft_id FROM draft_views WHERE source = ?1 AND external_id = ?2)"
        ))?
        .query_row(params![source, external_id], draft_from_row)
        .optional()?;
    if by_view.is_some() {
        return Ok(by_view);
    }
    let Some(ta_number) = ta_number else {
        return Ok(None);
    };
    tx.prepare_cached(&format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE ta_number = ?1 ORDER BY id LIMIT 1"
    ))?
    .query_row(params![ta_number], draft_from_row)
    .optional()
}

/// Write the fields of `seen` that differ from `existing`, with a history row each (and a
/// `stage_changed` event for the stage); whether anything changed.
fn apply_changes(
    tx: &rusqlite::Transaction<'_>,
    existing: &StoredDraft,
    poll: &PollInfo<'_>,
    seen: Vec<(DraftField, Option<String>)>,
) -> rusqlite::Result<bool> {
    let (poll_id, at) = (poll.poll_id, poll.at.as_str());
    let mut changes = Vec::new();
    for (field, new_value) in seen {
        let old_value = stored_value(existing, field)?;
        if old_value != new_value && !changes.iter().any(|(f, _, _)| *f == field) {
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
        if *field == DraftField::Stage {
            record_event(
                tx,
                &poll.events_of(existing.id),
                DraftEventKind::StageChanged,
                &serde_json::json!({ "from": old_value, "to": new_value }),
                None,
            )?;
        }
    }
    Ok(true)
}

/// Remember that `source`'s detail page of the draft was read (`error` is `None`) or
/// failed at `at`, on the draft and on the view.
fn mark_detail_checked(
    tx: &rusqlite::Transaction<'_>,
    source: &str,
    external_id: &str,
    draft_id: i64,
    at: &str,
    error: Option<&str>,
) -> rusqlite::Result<()> {
    match error {
        None => {
            tx.execute(
                "UPDATE drafts SET detail_fetched_at = ?1, detail_checked_at = ?1, \
                 detail_error = NULL WHERE id = ?2",
                params![at, draft_id],
            )?;
            tx.execute(
                "UPDATE draft_views SET detail_fetched_at = ?1, detail_checked_at = ?1 \
                 WHERE source = ?2 AND external_id = ?3",
                params![at, source, external_id],
            )?;
        }
        Some(error) => {
            tx.execute(
                "UPDATE drafts SET detail_checked_at = ?1, detail_error = ?3 WHERE id = ?2",
                params![at, draft_id, error],
            )?;
            tx.execute(
                "UPDATE draft_views SET detail_checked_at = ?1 \
                 WHERE source = ?2 AND external_id = ?3",
                params![at, source, external_id],
            )?;
        }
    };
    Ok(())
}

/// Whether `seen` is a whole earlier window than `stored` (it ends before `stored` starts):
/// an earlier round, not a moved deadline (a moved deadline keeps overlapping or touching).
fn is_earlier_round(seen: Option<CommentWindow>, stored: Option<CommentWindow>) -> bool {
    matches!((seen, stored), (Some(seen), Some(stored)) if seen.to < stored.from)
}

/// The `drafts` columns that hold the public-participation window.
fn is_participation_window_field(field: DraftField) -> bool {
    matches!(
        field,
        DraftField::WindowFrom | DraftField::WindowTo | DraftField::UnreadableDeadline
    )
}

/// The listing fields another view of a known draft may set: values the draft lacks, and
/// the stage and the public-participation window whenever this view gives them. Titles,
/// kinds and links differ between views, so the first view's are kept instead of
/// alternating with every poll.
fn merged_listing_values(
    existing: &StoredDraft,
    draft: &ScrapedDraft,
) -> Vec<(DraftField, Option<String>)> {
    let mut values = Vec::new();
    for (field, value) in listing_values(draft) {
        let keep = match field {
            DraftField::Stage => value.is_some(),
            field if is_participation_window_field(field) => {
                draft.window.is_some() || draft.unreadable_deadline.is_some()
            }
            DraftField::TaNumber => existing.ta_number.is_none(),
            DraftField::Kind => existing.kind.is_none(),
            DraftField::Ministry => existing.ministry.is_none(),
            _ => false,
        };
        if keep {
            values.push((field, value));
        }
    }
    values
}

/// The public-participation window as a list row or a participation page gives it
/// (`Norises laiks`): the current one.
fn record_participation_window(
    tx: &rusqlite::Transaction<'_>,
    ctx: &EventContext<'_>,
    window: CommentWindow,
) -> rusqlite::Result<bool> {
    record_windows(
        tx,
        ctx,
        &WindowKind::PublicParticipation,
        &[(window, None)],
        Sighting::Current,
    )
}

/// Everything a detail page says beyond the listing fields: windows of every kind, opinions
/// and milestones. Whether an event was written or the opinions changed.
fn record_detail_facts(
    tx: &rusqlite::Transaction<'_>,
    ctx: &EventContext<'_>,
    detail: &DraftDetail,
) -> rusqlite::Result<bool> {
    let mut changed = false;
    if let Some(window) = detail.window {
        changed |= record_participation_window(tx, ctx, window)?;
    }
    for (kind, windows) in windows_by_kind(&detail.windows) {
        changed |= record_windows(tx, ctx, &kind, &windows, Sighting::AllRounds)?;
    }
    changed |= replace_opinions(tx, ctx, &detail.opinions)?;
    changed |= record_milestones(tx, ctx, &detail.milestones)?;
    Ok(changed)
}

/// Windows grouped by kind, each with where to submit.
fn windows_by_kind(windows: &[KindedWindow]) -> Vec<(WindowKind, Vec<SeenWindow>)> {
    let mut grouped: Vec<(WindowKind, Vec<SeenWindow>)> = Vec::new();
    for kinded in windows {
        let entry = (kinded.window, kinded.submit_to.clone());
        match grouped.iter_mut().find(|(kind, _)| *kind == kinded.kind) {
            Some((_, list)) => list.push(entry),
            None => grouped.push((kinded.kind.clone(), vec![entry])),
        }
    }
    grouped
}

/// What a list row (and its detail page, when read) shows: windows, opinions, agendas,
/// adoption and publication. Whether an event was written.
fn record_listing_facts(
    tx: &rusqlite::Transaction<'_>,
    ctx: &EventContext<'_>,
    draft: &ScrapedDraft,
) -> rusqlite::Result<bool> {
    // The detail page first: it gives every round, so rounds are numbered in order before a
    // list's single current deadline is matched against them.
    let mut changed = match &draft.detail {
        Some(detail) => record_detail_facts(tx, ctx, detail)?,
        None => false,
    };
    if let Some(window) = draft.window {
        changed |= record_participation_window(tx, ctx, window)?;
    }
    for kinded in &draft.windows {
        changed |= record_windows(
            tx,
            ctx,
            &kinded.kind,
            &[(kinded.window, kinded.submit_to.clone())],
            Sighting::Deadline,
        )?;
    }
    changed |= record_milestones(tx, ctx, &draft.milestones)?;
    Ok(changed)
}

/// Insert or update one scraped draft inside the poll's transaction, merging it by TA
/// number into a draft first seen through another view.
fn upsert_draft(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollInfo<'_>,
    draft: &ScrapedDraft,
) -> rusqlite::Result<Upserted> {
    let at = poll.at.as_str();
    let existing = existing_draft(
        tx,
        poll.source,
        &draft.external_id,
        draft.ta_number.as_deref(),
    )?;
    let Some(existing) = existing else {
        let id = insert_draft(tx, poll.source, draft, at)?;
        record_view(tx, poll.source, draft, id, at)?;
        if draft.detail.is_some() || draft.detail_error.is_some() {
            let error = draft
                .detail_error
                .as_deref()
                .filter(|_| draft.detail.is_none());
            mark_detail_checked(tx, poll.source, &draft.external_id, id, at, error)?;
        }
        let ctx = poll.events_of(id);
        record_listing_facts(tx, &ctx, draft)?;
        close_passed_windows(tx, &ctx)?;
        return Ok(Upserted::New);
    };
    record_view(tx, poll.source, draft, existing.id, at)?;

    let first_view = existing.source == poll.source && existing.external_id == draft.external_id;
    let mut seen = if first_view {
        let mut seen = listing_values(draft);
        // A view without a stage says nothing about it: keep what another view said.
        if draft.stage.is_none() {
            seen.retain(|(field, _)| *field != DraftField::Stage);
        }
        seen
    } else {
        merged_listing_values(&existing, draft)
    };
    if is_earlier_round(draft.window, existing.window) {
        // Another participation round of the same TA number, listed beside the newer one:
        // the draft's participation window stays the newer round instead of alternating.
        seen.retain(|(field, _)| !is_participation_window_field(*field));
    }
    if let Some(detail) = &draft.detail {
        seen.extend(detail_values(detail)?);
        if detail.stage.is_some() {
            seen.retain(|(field, _)| *field != DraftField::Stage);
            seen.push((DraftField::Stage, detail.stage.clone()));
        }
    }
    if draft.restricted && !existing.restricted {
        tx.execute(
            "UPDATE drafts SET restricted = 1 WHERE id = ?1",
            params![existing.id],
        )?;
    }
    // Listed again: a draft once found gone is back.
    seen.push((DraftField::VanishedAt, None));
    let mut changed = apply_changes(tx, &existing, poll, seen)?;

    if draft.detail.is_some() {
        mark_detail_checked(tx, poll.source, &draft.external_id, existing.id, at, None)?;
    } else if let Some(error) = &draft.detail_error {
        mark_detail_checked(
            tx,
            poll.source,
            &draft.external_id,
            existing.id,
            at,
            Some(error),
        )?;
    }
    let ctx = poll.events_of(existing.id);
    changed |= record_listing_facts(tx, &ctx, draft)?;
    // Time passing is not a change of the draft: a closed window is an event, not counted.
    close_passed_windows(tx, &ctx)?;

    Ok(if changed {
        Upserted::Changed
    } else {
        Upserted::Unchanged
    })
}

/// Apply what re-reading a known draft's detail page found: a moved window, a new stage,
/// windows, opinions or milestones are changes like any other; a page that is gone marks the
/// draft vanished (once); a failure is remembered so the next poll checks other drafts
/// first. Whether anything changed; a check of a draft the store does not have is ignored.
fn apply_check(
    tx: &rusqlite::Transaction<'_>,
    poll: &PollInfo<'_>,
    check: &DetailCheck,
) -> rusqlite::Result<bool> {
    let at = poll.at.as_str();
    let Some(existing) = existing_draft(tx, poll.source, &check.external_id, None)? else {
        return Ok(false);
    };
    let mark = |error: Option<&str>| {
        mark_detail_checked(tx, poll.source, &check.external_id, existing.id, at, error)
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
            if detail.stage.is_some() {
                seen.push((DraftField::Stage, detail.stage.clone()));
            }
            let mut changed = apply_changes(tx, &existing, poll, seen)?;
            mark(None)?;
            let ctx = poll.events_of(existing.id);
            changed |= record_detail_facts(tx, &ctx, detail)?;
            close_passed_windows(tx, &ctx)?;
            Ok(changed)
        }
        DetailCheckOutcome::Gone(error) => {
            let vanished_at = existing
                .vanished_at
                .map_or_else(|| at.to_owned(), timestamp_to_sql);
            let seen = vec![(DraftField::VanishedAt, Some(vanished_at))];
            let changed = apply_changes(tx, &existing, poll, seen)?;
            mark(Some(error))?;
            Ok(changed)
        }
        DetailCheckOutcome::Failed(error) => {
            mark(Some(error))?;
            Ok(false)
        }
    }
}

impl Store {
    /// What the store knows of `source`'s drafts, every one loaded, keyed by `source`'s own
    /// external ids (a draft seen only through another view is not known here). Polls use
    /// [`Store::known_drafts_lookup`], which answers the same per id without loading the
    /// history; this whole listing is for inspection and tests. `recheck` is left empty: fill
    /// it with [`Store::recheck_candidates`] (which needs the day) or
    /// [`Store::stage_recheck_candidates`].
    pub fn known_drafts(&self, source: &str) -> Result<KnownDrafts, StoreError> {
        let read = || -> rusqlite::Result<KnownDrafts> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {KNOWN_COLUMNS}, external_id FROM draft_views WHERE source = ?1"
            ))?;
            let rows = statement.query_map(params![source], |row| {
                Ok((row.get::<_, String>(2)?, known_draft_from_row(row)?))
            })?;
            Ok(KnownDrafts {
                drafts: rows.collect::<rusqlite::Result<_>>()?,
                lookup: None,
                recheck: Vec::new(),
            })
        };
        read().map_err(|e| self.query_error("reading known drafts", e))
    }

    /// [`Store::known_drafts`] without loading them: the returned value asks the database
    /// for each id a poll meets, through a read-only connection of its own (so the poll can
    /// run while this store is used elsewhere), by primary key. What a poll costs then
    /// depends on the pages it reads, not on how many drafts the source ever listed.
    pub fn known_drafts_lookup(&self, source: &str) -> Result<KnownDrafts, StoreError> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: self.path.clone(),
            source,
        })?;
        conn.busy_timeout(super::BUSY_TIMEOUT)
            .map_err(|e| self.query_error("opening a read-only connection", e))?;
        Ok(KnownDrafts {
            drafts: std::collections::HashMap::new(),
            lookup: Some(std::sync::Arc::new(KnownDraftsInStore {
                conn: std::sync::Mutex::new(conn),
                source: source.to_owned(),
                path: self.path.clone(),
            })),
            recheck: Vec::new(),
        })
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
            let info = PollInfo {
                source: poll.source,
                poll_id,
                at: timestamp_to_sql(poll.finished),
                today: poll.finished.with_timezone(&Riga).date_naive(),
            };
            let mut counts = PollCounts::default();
            for draft in drafts {
                counts.seen = counts.seen.saturating_add(1);
                match upsert_draft(&tx, &info, draft)? {
                    Upserted::New => counts.new = counts.new.saturating_add(1),
                    Upserted::Changed => counts.changed = counts.changed.saturating_add(1),
                    Upserted::Unchanged => {}
                }
            }
            for check in checks {
                if apply_check(&tx, &info, check)? {
                    counts.changed = counts.changed.saturating_add(1);
                }
            }
            record_poll_links(&tx, poll.source, &info.at, drafts, checks)?;
            update_poll_counts(&tx, poll_id, counts)?;
            tx.commit()?;
            Ok(counts)
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording a poll", e))
    }

    /// Followed drafts of `source` (delivered to someone) with a comment window of any kind
    /// still open on `today` (a Riga-local day) or whose deadline could not be read, and
    /// that are not known to be gone: the candidates for a detail re-check, least recently
    /// checked first.
    pub fn recheck_candidates(
        &self,
        source: &str,
        today: NaiveDate,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        self.followed_candidates(
            // Driven from the open windows and unreadable deadlines (indexed, few), never from
            // every draft or view of the source: that scan was most of a poll's cost at
            // 10,000 drafts.
            // UNION ALL: with UNION, SQLite merges sorted inputs and reads every draft in id
            // order to sort the first; `IN` removes the duplicates anyway.
            "SELECT id FROM drafts WHERE window_to >= ?2 \
             UNION ALL SELECT id FROM drafts WHERE unreadable_deadline IS NOT NULL \
             UNION ALL SELECT draft_id FROM comment_windows \
                   WHERE closed_at IS NULL AND last_day >= ?2",
            "1",
            source,
            date_to_sql(today),
            -1,
        )
    }

    /// Followed drafts (delivered to someone) that `source` shows, whose stage is not final
    /// ([`FINAL_STAGES`]) and that are not known to be gone: the candidates for a detail
    /// re-check that catches stage changes and moved deadlines deep in the list, least
    /// recently checked through this source first, at most `budget` of them.
    pub fn stage_recheck_candidates(
        &self,
        source: &str,
        budget: u32,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let finals = serde_json::Value::from(FINAL_STAGES.to_vec()).to_string();
        self.followed_candidates(
            // Driven from the deliveries (what partners were told about), not from every
            // draft: stages have no index and most stored drafts were never delivered.
            "SELECT draft_id FROM deliveries",
            "d.stage IS NULL OR d.stage NOT IN (SELECT value FROM json_each(?2))",
            source,
            finals,
            i64::from(budget),
        )
    }

    /// Drafts among `ids` (a query for draft ids, with `value` as `?2`) that `source` shows,
    /// that were delivered to someone, are not known to be gone and meet `condition` (on `d`,
    /// the draft, with `value` as `?2`): re-check candidates, least recently checked through
    /// this source first, at most `limit` (-1: all). The query is driven from `ids` (the
    /// CROSS JOIN keeps SQLite from starting at the source's views, every draft it ever
    /// listed): checked with `EXPLAIN QUERY PLAN` on a 10,000-draft store.
    fn followed_candidates(
        &self,
        ids: &str,
        condition: &str,
        source: &str,
        value: String,
        limit: i64,
    ) -> Result<Vec<RecheckCandidate>, StoreError> {
        let read = || -> rusqlite::Result<Vec<RecheckCandidate>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT v.external_id, v.url FROM drafts AS d \
                 CROSS JOIN draft_views AS v ON v.draft_id = d.id \
                 WHERE d.id IN ({ids}) AND v.source = ?1 AND d.vanished_at IS NULL \
                   AND ({condition}) \
                   AND EXISTS (SELECT 1 FROM deliveries WHERE draft_id = d.id) \
                 ORDER BY v.detail_checked_at IS NOT NULL, v.detail_checked_at, d.id \
                 LIMIT ?3"
            ))?;
            let rows = statement.query_map(params![source, value, limit], |row| {
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
    /// ("26-TA-2228", case and surrounding spaces ignored) or any view's portal id. Drafts
    /// stored before the views were merged may share a number, hence a list.
    pub fn find_drafts_by_display_id(
        &self,
        ta_or_external_id: &str,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let wanted = ta_or_external_id.trim();
        let sql = format!(
            "SELECT {DRAFT_COLUMNS} FROM drafts \
             WHERE ta_number = ?1 COLLATE NOCASE \
                OR id IN (SELECT draft_id FROM draft_views WHERE external_id = ?1 COLLATE NOCASE) \
             ORDER BY id"
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

    /// Run a draft query and read every row, with its windows.
    fn query_drafts(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        action: &'static str,
    ) -> Result<Vec<StoredDraft>, StoreError> {
        let read = || -> rusqlite::Result<Vec<StoredDraft>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map(params, draft_from_row)?;
            let mut drafts = rows.collect::<rusqlite::Result<Vec<StoredDraft>>>()?;
            let ids: Vec<i64> = drafts.iter().map(|draft| draft.id).collect();
            let mut windows = windows_of_drafts(&self.conn, &ids)?;
            for draft in &mut drafts {
                draft.windows = windows.remove(&draft.id).unwrap_or_default();
            }
            Ok(drafts)
        };
        read().map_err(|e| self.query_error(action, e))
    }
}

/// What a poll needs to know of a known draft, as read by [`known_draft_from_row`].
const KNOWN_COLUMNS: &str = "url, detail_fetched_at IS NULL";

fn known_draft_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<KnownDraft> {
    Ok(KnownDraft {
        url: row.get(0)?,
        needs_detail: row.get(1)?,
    })
}

/// The store's [`KnownLookup`]: one read-only connection, one primary-key query per id.
struct KnownDraftsInStore {
    conn: std::sync::Mutex<rusqlite::Connection>,
    source: String,
    path: std::path::PathBuf,
}

impl std::fmt::Debug for KnownDraftsInStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownDraftsInStore")
            .field("source", &self.source)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl KnownLookup for KnownDraftsInStore {
    fn lookup(&self, external_id: &str) -> Option<KnownDraft> {
        let Ok(conn) = self.conn.lock() else {
            tracing::warn!(source = %self.source, "Known-draft lookup unavailable (a lookup panicked); the draft is treated as new.");
            return None;
        };
        let found = conn
            .prepare_cached(&format!(
                "SELECT {KNOWN_COLUMNS} FROM draft_views WHERE source = ?1 AND external_id = ?2"
            ))
            .and_then(|mut statement| {
                statement
                    .query_row(params![self.source, external_id], known_draft_from_row)
                    .optional()
            });
        match found {
            Ok(known) => known,
            Err(error) => {
                tracing::warn!(
                    source = %self.source,
                    database = %self.path.display(),
                    external_id,
                    error = %error,
                    "Could not look up a known draft; it is treated as new."
                );
                None
            }
        }
    }
}
