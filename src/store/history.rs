//! A draft's life: its comment windows of every kind, the opinions already given, and the
//! history events a poll records when something changes (stage, windows, agendas, adoption,
//! publication), plus the queries the digest, `explain` and the CLI read them with.
//!
//! Recording is idempotent: seeing the same facts again changes nothing and emits nothing,
//! so events are news exactly once. What is worth telling a partner is the digest's call.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Type;
use rusqlite::{Transaction, params};
use serde_json::{Value, json};

use super::{
    Store, StoreError, date_to_sql, optional_timestamp_column, timestamp_column, timestamp_to_sql,
};
use super::{from_json, to_json};
use crate::model::{CommentWindow, Meeting, Milestone, Opinion, StoredWindow, WindowKind};

/// What kind of change a history event records. Stored as text ([`DraftEventKind::as_str`]),
/// so later kinds need no schema change; a kind this build does not know is kept as `Other`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub enum DraftEventKind {
    /// The stage (`Virzības stadija`) changed. Payload: `from`, `to`.
    StageChanged,
    /// A comment window was first seen open. Payload: `window_kind`, `round`, `first_day`,
    /// `last_day`, `submit_to`.
    WindowOpened,
    /// A window's first or last day changed. Payload as opened, plus `old_first_day`,
    /// `old_last_day`.
    WindowMoved,
    /// A poll saw the window's last day past. Payload: `window_kind`, `round`, `first_day`,
    /// `last_day`.
    WindowClosed,
    /// Put on a meeting's agenda. Payload: `meeting`, `date`, `item`, `markers`, `url`.
    OnAgenda,
    /// Adopted. Payload: `date`.
    Adopted,
    /// Published in Latvijas Vēstnesis. Payload: `number`, `date`, `url`.
    Published,
    /// A new version of the annotation was stored (`store::texts`). Payload: `url`,
    /// `previous_url`, `first_version`, `impacts_yes` (item numbers answered `Jā`), `chars`.
    AnnotationChanged,
    /// A new version of the draft's own text was stored. Payload: `urls`, `first_version`,
    /// `chars`.
    DocumentChanged,
    /// A kind written by a newer draftwatch.
    Other(String),
}

impl DraftEventKind {
    /// The stored and JSON name.
    pub fn as_str(&self) -> &str {
        match self {
            DraftEventKind::StageChanged => "stage_changed",
            DraftEventKind::WindowOpened => "window_opened",
            DraftEventKind::WindowMoved => "window_moved",
            DraftEventKind::WindowClosed => "window_closed",
            DraftEventKind::OnAgenda => "on_agenda",
            DraftEventKind::Adopted => "adopted",
            DraftEventKind::Published => "published",
            DraftEventKind::AnnotationChanged => "annotation_changed",
            DraftEventKind::DocumentChanged => "document_changed",
            DraftEventKind::Other(name) => name,
        }
    }
}

impl From<String> for DraftEventKind {
    fn from(name: String) -> Self {
        match name.as_str() {
            "stage_changed" => DraftEventKind::StageChanged,
            "window_opened" => DraftEventKind::WindowOpened,
            "window_moved" => DraftEventKind::WindowMoved,
            "window_closed" => DraftEventKind::WindowClosed,
            "on_agenda" => DraftEventKind::OnAgenda,
            "adopted" => DraftEventKind::Adopted,
            "published" => DraftEventKind::Published,
            "annotation_changed" => DraftEventKind::AnnotationChanged,
            "document_changed" => DraftEventKind::DocumentChanged,
            _ => DraftEventKind::Other(name),
        }
    }
}

impl From<DraftEventKind> for String {
    fn from(kind: DraftEventKind) -> Self {
        kind.as_str().to_owned()
    }
}

/// The kinds of history event a digest tells a partner about (as a JSON array, a query
/// parameter): stage, windows opened or moved, agendas, adoption, publication.
pub const NEWS_KINDS: &str =
    r#"["stage_changed","window_opened","window_moved","on_agenda","adopted","published"]"#;

/// One event of a draft's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DraftEvent {
    /// Row id; events of one instant are in id order.
    pub id: i64,
    /// The draft.
    pub draft_id: i64,
    /// The poll that saw it; `None` once retention pruned that poll (or for history carried
    /// over from before schema 7).
    pub poll_id: Option<i64>,
    /// What changed.
    pub kind: DraftEventKind,
    /// The facts, keyed as documented on [`DraftEventKind`].
    pub payload: Value,
    /// When it was recorded (the poll's finish time).
    pub at: DateTime<Utc>,
}

/// An open window of some draft, for "closing soonest" lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenWindow {
    /// The draft.
    pub draft_id: i64,
    /// The window.
    pub window: StoredWindow,
}

/// Where an event is being recorded: the poll, its instant and its Riga-local day.
pub(super) struct EventContext<'a> {
    pub(super) draft_id: i64,
    pub(super) poll_id: i64,
    pub(super) at: &'a str,
    pub(super) today: NaiveDate,
}

/// The stored name of a meeting, as in event payloads and once-keys.
fn meeting_name(meeting: Meeting) -> &'static str {
    match meeting {
        Meeting::StateSecretaries => "state_secretaries",
        Meeting::Cabinet => "cabinet",
    }
}

fn optional_day(day: Option<NaiveDate>) -> Value {
    day.map_or(Value::Null, |d| Value::String(date_to_sql(d)))
}

/// Record one event; with a `once_key`, a second event of the same kind and key for the
/// draft inserts nothing. Whether a row was written.
pub(super) fn record_event(
    tx: &Transaction<'_>,
    ctx: &EventContext<'_>,
    kind: DraftEventKind,
    payload: &Value,
    once_key: Option<&str>,
) -> rusqlite::Result<bool> {
    let written = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO draft_events (draft_id, poll_id, kind, payload, once_key, at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            ctx.draft_id,
            ctx.poll_id,
            kind.as_str(),
            payload.to_string(),
            once_key,
            ctx.at
        ])?;
    Ok(written > 0)
}

/// One stored window row, as matched against what a poll saw.
struct WindowRow {
    id: i64,
    round: u32,
    window: CommentWindow,
    closed: bool,
}

fn window_payload(kind: &WindowKind, round: u32, window: CommentWindow) -> Value {
    json!({
        "window_kind": kind.as_str(),
        "round": round,
        "first_day": date_to_sql(window.from),
        "last_day": date_to_sql(window.to),
    })
}

fn stored_rounds(
    tx: &Transaction<'_>,
    draft_id: i64,
    kind: &WindowKind,
) -> rusqlite::Result<Vec<WindowRow>> {
    let mut statement = tx.prepare_cached(
        "SELECT id, round, first_day, last_day, closed_at IS NOT NULL FROM comment_windows \
         WHERE draft_id = ?1 AND kind = ?2 ORDER BY round",
    )?;
    let rows = statement.query_map(params![draft_id, kind.as_str()], |row| {
        Ok(WindowRow {
            id: row.get(0)?,
            round: row.get(1)?,
            window: CommentWindow {
                from: date_column(row, 2)?,
                to: date_column(row, 3)?,
            },
            closed: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// A window as a poll saw it, with where to submit when the portal says.
pub(super) type SeenWindow = (CommentWindow, Option<String>);

/// How a poll saw the windows of one kind.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Sighting {
    /// One window: the current one (a list page's deadline, a participation page's
    /// `Norises laiks`). A different window that starts after the latest stored round ended
    /// is a new round; otherwise the latest round moved.
    Current,
    /// A list's deadline column (`Saskaņošanas termiņš`): the last day is what it states;
    /// its first day is only the day the draft was sent, which the detail page's rounds may
    /// give differently, so a round with the same last day is the same window, unchanged.
    /// Otherwise as [`Sighting::Current`].
    Deadline,
    /// Every round there has been (a legal-act detail page's coordination rounds).
    AllRounds,
}

/// Record what a poll saw of `kind`'s windows: exact matches change nothing, a stored round
/// with the same first or last day (or, failing that, the round it replaces) moved, anything
/// else is a new round. Whether an event was written.
pub(super) fn record_windows(
    tx: &Transaction<'_>,
    ctx: &EventContext<'_>,
    kind: &WindowKind,
    seen: &[SeenWindow],
    sighting: Sighting,
) -> rusqlite::Result<bool> {
    let mut seen: Vec<SeenWindow> = seen.to_vec();
    seen.sort_by_key(|(window, _)| (window.from, window.to));
    seen.dedup_by_key(|(window, _)| *window);
    let stored = stored_rounds(tx, ctx.draft_id, kind)?;
    let mut claimed = vec![false; stored.len()];
    let mut matched: Vec<Option<usize>> = vec![None; seen.len()];

    // Exact matches first, then a shared first or last day.
    let passes: [fn(&CommentWindow, &CommentWindow) -> bool; 2] =
        [|a, b| a == b, |a, b| a.from == b.from || a.to == b.to];
    for same in passes {
        for (seen_index, (window, _)) in seen.iter().enumerate() {
            if matched[seen_index].is_some() {
                continue;
            }
            if let Some(index) =
                (0..stored.len()).find(|&i| !claimed[i] && same(&stored[i].window, window))
            {
                claimed[index] = true;
                matched[seen_index] = Some(index);
            }
        }
    }
    // What is left: the current window replaces the latest round unless it starts after that
    // round ended; a full list pairs the leftovers in order.
    for (seen_index, (window, _)) in seen.iter().enumerate() {
        if matched[seen_index].is_some() {
            continue;
        }
        let candidate = match sighting {
            Sighting::Current | Sighting::Deadline => stored
                .len()
                .checked_sub(1)
                .filter(|&last| !claimed[last] && window.from <= stored[last].window.to),
            Sighting::AllRounds => (0..stored.len()).find(|&i| !claimed[i]),
        };
        if let Some(index) = candidate {
            claimed[index] = true;
            matched[seen_index] = Some(index);
        }
    }

    let mut wrote = false;
    let mut next_round = stored.last().map_or(1, |row| row.round + 1);
    for ((window, submit_to), found) in seen.iter().zip(matched) {
        match found.map(|index| &stored[index]) {
            Some(row)
                if row.window == *window
                    || (sighting == Sighting::Deadline && row.window.to == window.to) =>
            {
                if submit_to.is_some() {
                    tx.prepare_cached("UPDATE comment_windows SET submit_to = ?1 WHERE id = ?2")?
                        .execute(params![submit_to, row.id])?;
                }
            }
            Some(row) => {
                // A list's deadline moves the last day only (see Sighting::Deadline).
                let window = &match sighting {
                    Sighting::Deadline => CommentWindow {
                        from: row.window.from,
                        to: window.to,
                    },
                    Sighting::Current | Sighting::AllRounds => *window,
                };
                let reopened = row.closed && window.to >= ctx.today;
                tx.prepare_cached(
                    "UPDATE comment_windows SET first_day = ?1, last_day = ?2, \
                     submit_to = coalesce(?3, submit_to), \
                     closed_at = CASE WHEN ?4 THEN NULL ELSE closed_at END WHERE id = ?5",
                )?
                .execute(params![
                    date_to_sql(window.from),
                    date_to_sql(window.to),
                    submit_to,
                    reopened,
                    row.id
                ])?;
                let mut payload = window_payload(kind, row.round, *window);
                payload["old_first_day"] = json!(date_to_sql(row.window.from));
                payload["old_last_day"] = json!(date_to_sql(row.window.to));
                wrote |= record_event(tx, ctx, DraftEventKind::WindowMoved, &payload, None)?;
            }
            None => {
                // A round already over when first seen is history, not news: stored closed,
                // no event.
                let already_over = window.to < ctx.today;
                tx.prepare_cached(
                    "INSERT INTO comment_windows \
                     (draft_id, kind, round, first_day, last_day, submit_to, seen_at, closed_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CASE WHEN ?8 THEN ?7 END)",
                )?
                .execute(params![
                    ctx.draft_id,
                    kind.as_str(),
                    next_round,
                    date_to_sql(window.from),
                    date_to_sql(window.to),
                    submit_to,
                    ctx.at,
                    already_over
                ])?;
                if !already_over {
                    let mut payload = window_payload(kind, next_round, *window);
                    payload["submit_to"] = json!(submit_to);
                    wrote |= record_event(tx, ctx, DraftEventKind::WindowOpened, &payload, None)?;
                }
                next_round += 1;
            }
        }
    }
    Ok(wrote)
}

/// Close the draft's windows whose last day is before the poll's day, one event each. Not a
/// change of the draft (time passed), so the poll's counts leave it out.
pub(super) fn close_passed_windows(
    tx: &Transaction<'_>,
    ctx: &EventContext<'_>,
) -> rusqlite::Result<()> {
    let passed: Vec<(i64, String, u32, CommentWindow)> = {
        let mut statement = tx.prepare_cached(
            "SELECT id, kind, round, first_day, last_day FROM comment_windows \
             WHERE draft_id = ?1 AND closed_at IS NULL AND last_day < ?2 ORDER BY id",
        )?;
        let rows = statement.query_map(params![ctx.draft_id, date_to_sql(ctx.today)], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                CommentWindow {
                    from: date_column(row, 3)?,
                    to: date_column(row, 4)?,
                },
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, kind, round, window) in passed {
        tx.prepare_cached("UPDATE comment_windows SET closed_at = ?1 WHERE id = ?2")?
            .execute(params![ctx.at, id])?;
        let payload = window_payload(&WindowKind::from(kind), round, window);
        record_event(tx, ctx, DraftEventKind::WindowClosed, &payload, None)?;
    }
    Ok(())
}

/// Record agendas, adoption and publication, each once per draft (an agenda once per
/// meeting and date). Whether an event was written.
pub(super) fn record_milestones(
    tx: &Transaction<'_>,
    ctx: &EventContext<'_>,
    milestones: &[Milestone],
) -> rusqlite::Result<bool> {
    let mut wrote = false;
    for milestone in milestones {
        let (kind, payload, once_key) = match milestone {
            Milestone::OnAgenda {
                meeting,
                date,
                item,
                markers,
                url,
            } => (
                DraftEventKind::OnAgenda,
                json!({
                    "meeting": meeting_name(*meeting),
                    "date": date_to_sql(*date),
                    "item": item,
                    "markers": markers,
                    "url": url,
                }),
                format!("{} {}", meeting_name(*meeting), date_to_sql(*date)),
            ),
            Milestone::Adopted { date } => (
                DraftEventKind::Adopted,
                json!({ "date": optional_day(*date) }),
                "adopted".to_owned(),
            ),
            Milestone::Published { number, date, url } => (
                DraftEventKind::Published,
                json!({ "number": number, "date": optional_day(*date), "url": url }),
                "published".to_owned(),
            ),
        };
        wrote |= record_event(tx, ctx, kind, &payload, Some(&once_key))?;
    }
    Ok(wrote)
}

/// Replace the draft's opinions of each window kind `opinions` holds by what the detail page
/// lists now (private persons may share a shown name, so rows are not merged by name).
/// Whether anything differed.
pub(super) fn replace_opinions(
    tx: &Transaction<'_>,
    ctx: &EventContext<'_>,
    opinions: &[Opinion],
) -> rusqlite::Result<bool> {
    let mut by_kind: HashMap<&WindowKind, Vec<&Opinion>> = HashMap::new();
    for opinion in opinions {
        by_kind
            .entry(&opinion.window_kind)
            .or_default()
            .push(opinion);
    }
    let mut changed = false;
    for (kind, listed) in by_kind {
        let stored = opinions_of(tx, ctx.draft_id, Some(kind))?;
        if stored.iter().eq(listed.iter().copied()) {
            continue;
        }
        changed = true;
        tx.prepare_cached("DELETE FROM opinions WHERE draft_id = ?1 AND window_kind = ?2")?
            .execute(params![ctx.draft_id, kind.as_str()])?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO opinions \
             (draft_id, window_kind, submitter, legal_person, given_on, late, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for opinion in listed {
            insert.execute(params![
                ctx.draft_id,
                kind.as_str(),
                opinion.submitter,
                opinion.legal_person,
                opinion.given_on.map(date_to_sql),
                opinion.late,
                ctx.at
            ])?;
        }
    }
    Ok(changed)
}

fn date_column(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<NaiveDate> {
    let text: String = row.get(column)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, Type::Text, Box::new(e)))
}

fn optional_date(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(column)?;
    text.map(|_| date_column(row, column)).transpose()
}

fn opinions_of(
    conn: &rusqlite::Connection,
    draft_id: i64,
    kind: Option<&WindowKind>,
) -> rusqlite::Result<Vec<Opinion>> {
    let mut statement = conn.prepare_cached(
        "SELECT window_kind, submitter, legal_person, given_on, late FROM opinions \
         WHERE draft_id = ?1 AND (?2 IS NULL OR window_kind = ?2) ORDER BY id",
    )?;
    let rows = statement.query_map(params![draft_id, kind.map(WindowKind::as_str)], |row| {
        Ok(Opinion {
            window_kind: WindowKind::from(row.get::<_, String>(0)?),
            submitter: row.get(1)?,
            legal_person: row.get(2)?,
            given_on: optional_date(row, 3)?,
            late: row.get(4)?,
        })
    })?;
    rows.collect()
}

/// Columns read by [`window_from_row`] after the draft id, in its order.
const WINDOW_COLUMNS: &str = "draft_id, kind, round, first_day, last_day, submit_to, seen_at, \
     closed_at";

fn window_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, StoredWindow)> {
    Ok((
        row.get(0)?,
        StoredWindow {
            kind: WindowKind::from(row.get::<_, String>(1)?),
            round: row.get(2)?,
            window: CommentWindow {
                from: date_column(row, 3)?,
                to: date_column(row, 4)?,
            },
            submit_to: row.get(5)?,
            seen_at: timestamp_column(row, 6)?,
            closed_at: optional_timestamp_column(row, 7)?,
        },
    ))
}

/// The windows of the drafts `ids`, by draft, each draft's by kind then round.
pub(super) fn windows_of_drafts(
    conn: &rusqlite::Connection,
    ids: &[i64],
) -> rusqlite::Result<HashMap<i64, Vec<StoredWindow>>> {
    let ids_json = to_json(ids)?;
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {WINDOW_COLUMNS} FROM comment_windows \
         WHERE draft_id IN (SELECT value FROM json_each(?1)) ORDER BY draft_id, kind, round"
    ))?;
    let mut by_draft: HashMap<i64, Vec<StoredWindow>> = HashMap::new();
    for row in statement.query_map(params![ids_json], window_from_row)? {
        let (draft_id, window) = row?;
        by_draft.entry(draft_id).or_default().push(window);
    }
    Ok(by_draft)
}

fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<DraftEvent> {
    let payload: String = row.get(4)?;
    Ok(DraftEvent {
        id: row.get(0)?,
        draft_id: row.get(1)?,
        poll_id: row.get(2)?,
        kind: DraftEventKind::from(row.get::<_, String>(3)?),
        payload: from_json(&payload, 4)?,
        at: timestamp_column(row, 5)?,
    })
}

const EVENT_COLUMNS: &str = "id, draft_id, poll_id, kind, payload, at";

impl Store {
    /// A draft's comment windows of every kind, by kind then round.
    pub fn draft_windows(&self, draft_id: i64) -> Result<Vec<StoredWindow>, StoreError> {
        windows_of_drafts(&self.conn, &[draft_id])
            .map(|mut by_draft| by_draft.remove(&draft_id).unwrap_or_default())
            .map_err(|e| self.query_error("reading comment windows", e))
    }

    /// The opinions already given on a draft, as its detail pages last listed them.
    pub fn draft_opinions(&self, draft_id: i64) -> Result<Vec<Opinion>, StoreError> {
        opinions_of(&self.conn, draft_id, None).map_err(|e| self.query_error("reading opinions", e))
    }

    /// A draft's whole history, oldest first.
    pub fn draft_history(&self, draft_id: i64) -> Result<Vec<DraftEvent>, StoreError> {
        self.query_events(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM draft_events WHERE draft_id = ?1 ORDER BY at, id"
            ),
            params![draft_id],
        )
    }

    /// Every draft's events recorded at or after `since` (inclusive, so an event of the very
    /// instant of the last digest is not lost), oldest first.
    pub fn events_since(&self, since: DateTime<Utc>) -> Result<Vec<DraftEvent>, StoreError> {
        self.query_events(
            &format!("SELECT {EVENT_COLUMNS} FROM draft_events WHERE at >= ?1 ORDER BY at, id"),
            params![timestamp_to_sql(since)],
        )
    }

    /// Windows of any kind open on `today` (a Riga-local day), soonest-closing first, at most
    /// `limit` of them.
    pub fn open_windows_closing_soonest(
        &self,
        today: NaiveDate,
        limit: u32,
    ) -> Result<Vec<OpenWindow>, StoreError> {
        let read = || -> rusqlite::Result<Vec<OpenWindow>> {
            let mut statement = self.conn.prepare_cached(&format!(
                "SELECT {WINDOW_COLUMNS} FROM comment_windows \
                 WHERE first_day <= ?1 AND ?1 <= last_day \
                 ORDER BY last_day, draft_id, kind, round LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![date_to_sql(today), limit], |row| {
                window_from_row(row).map(|(draft_id, window)| OpenWindow { draft_id, window })
            })?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("listing open windows", e))
    }

    /// The id of the newest history event, 0 when there is none: what a digest built now has
    /// taken into account ([`Store::record_outbox_through`]).
    pub fn max_event_id(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM draft_events", [], |row| {
                row.get(0)
            })
            .map_err(|e| self.query_error("reading draft history", e))
    }

    /// A draft's events with an id in `after + 1 ..= upto`, oldest first: what a recipient
    /// whose mark is `after` has not been told yet, as of a digest that reads up to `upto`.
    pub fn draft_events_between(
        &self,
        draft_id: i64,
        after: i64,
        upto: i64,
    ) -> Result<Vec<DraftEvent>, StoreError> {
        self.query_events(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM draft_events \
                 WHERE draft_id = ?1 AND id > ?2 AND id <= ?3 ORDER BY id"
            ),
            params![draft_id, after, upto],
        )
    }

    /// Drafts delivered to `recipient` that have events after its mark `after` of a kind a
    /// digest tells ([`NEWS_KINDS`]; a window closing or a new text wakes nobody): the drafts
    /// whose news a digest may carry. A range read on the events' primary key, joined to the
    /// recipient's deliveries, so it costs what happened since its last digest.
    pub fn delivered_draft_ids_with_events_after(
        &self,
        recipient: &str,
        after: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let read = || -> rusqlite::Result<Vec<i64>> {
            let mut statement = self.conn.prepare_cached(
                // The events after the mark (a range of the primary key), each looked up in
                // the recipient's deliveries (their primary key), so the cost is the news,
                // not the recipient's whole delivery history.
                "SELECT e.draft_id FROM draft_events AS e \
                 WHERE e.id > ?2 AND e.kind IN (SELECT value FROM json_each(?3)) \
                   AND EXISTS (SELECT 1 FROM deliveries AS d \
                               WHERE d.recipient = ?1 AND d.draft_id = e.draft_id)",
            )?;
            let rows =
                statement.query_map(params![recipient, after, NEWS_KINDS], |row| row.get(0))?;
            let mut ids: Vec<i64> = rows.collect::<rusqlite::Result<_>>()?;
            ids.sort_unstable();
            ids.dedup();
            Ok(ids)
        };
        read().map_err(|e| self.query_error("finding drafts with news", e))
    }

    /// Drafts with a comment window of any kind whose last day is `today` or later and that
    /// no poll saw closed: through the index on open windows (`closed_at`, `last_day`).
    pub fn draft_ids_with_open_windows(&self, today: NaiveDate) -> Result<Vec<i64>, StoreError> {
        let read = || -> rusqlite::Result<Vec<i64>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT DISTINCT draft_id FROM comment_windows \
                 WHERE closed_at IS NULL AND last_day >= ?1 ORDER BY draft_id",
            )?;
            let rows = statement.query_map(params![date_to_sql(today)], |row| row.get(0))?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("finding open windows", e))
    }

    /// The opinions already given on each of the drafts `ids`, as their detail pages last
    /// listed them, by draft.
    pub fn opinions_of_drafts(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<Opinion>>, StoreError> {
        let mut by_draft = HashMap::new();
        for &id in ids {
            let opinions = opinions_of(&self.conn, id, None)
                .map_err(|e| self.query_error("reading opinions", e))?;
            if !opinions.is_empty() {
                by_draft.insert(id, opinions);
            }
        }
        Ok(by_draft)
    }

    fn query_events(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<DraftEvent>, StoreError> {
        let read = || -> rusqlite::Result<Vec<DraftEvent>> {
            let mut statement = self.conn.prepare_cached(sql)?;
            let rows = statement.query_map(params, event_from_row)?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("reading draft history", e))
    }
}
