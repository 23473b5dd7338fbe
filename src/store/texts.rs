//! Draft texts: the links to a draft's annotation and documents that its detail pages showed,
//! which drafts need their texts read, and the texts read (annotation answers, impact items,
//! the draft's own text) with the last attempt's failures.
//!
//! Texts are kept apart from `drafts` and never read by the ordinary draft queries (10,000
//! drafts with 50 KB each would make every listing heavy): [`Store::load_texts`] fills
//! [`StoredDraft::texts`] for the drafts a caller is about to match or show.
//!
//! A draft needs its texts when its links differ from those its stored texts were read from
//! (a new draft, a changed annotation link), or when the last attempt failed and its back-off
//! has passed. A new version replaces the old one, is a history event (`annotation_changed`,
//! `document_changed`) and moves the draft's `last_changed`, so verdicts computed on the old
//! text are stale.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params, params_from_iter};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::history::DraftEventKind;
use super::{Store, StoreError, optional_timestamp_column, timestamp_to_sql};
use super::{from_json, to_json};
use crate::model::{
    DetailCheck, DetailCheckOutcome, DraftDetail, DraftTexts, ImpactAnswer, ImpactItem,
    ScrapedDraft, StoredDraft,
};

/// The first wait after a failed attempt; it doubles with each further failure.
const FIRST_RETRY_DELAY: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// The longest wait between attempts, so a document that comes back is read within a week.
const LONGEST_RETRY_DELAY: chrono::TimeDelta = chrono::TimeDelta::days(7);

/// The documents of one draft, as its detail pages link them. Stored as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextLinks {
    /// `/annotation/<uuid>`.
    pub annotation: Option<String>,
    /// `/structuralizer/data/nodes/<uuid>/preview`.
    pub preview: Option<String>,
    /// DOCX or PDF attachments.
    #[serde(default)]
    pub attachments: Vec<String>,
}

impl TextLinks {
    /// The links a detail page shows. The detail parsers give annotation links only (the
    /// first one is the draft's); preview and attachment links are not on those pages.
    pub fn from_detail(detail: &DraftDetail) -> Self {
        TextLinks {
            annotation: detail.annotation_urls.first().cloned(),
            preview: None,
            attachments: Vec::new(),
        }
    }

    /// Whether there is nothing to read.
    pub fn is_empty(&self) -> bool {
        self.annotation.is_none() && self.preview.is_none() && self.attachments.is_empty()
    }

    fn to_sql(&self) -> rusqlite::Result<String> {
        to_json(self)
    }
}

/// One document that could not be read on the last attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFailure {
    /// The document's address.
    pub url: String,
    /// Why, as the log said it.
    pub error: String,
}

/// A draft whose texts should be read, with the links to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextsWanted {
    /// The draft.
    pub draft_id: i64,
    /// TA number or portal id, for the log.
    pub display_id: String,
    /// The draft's page, against which root-relative links are resolved.
    pub page_url: String,
    /// What to read.
    pub links: TextLinks,
}

/// What reading one draft's documents gave, to be stored.
#[derive(Debug, Clone, Default)]
pub struct TextsRead {
    /// The links that were read (as handed out by [`Store::drafts_needing_texts`]).
    pub links: TextLinks,
    /// The annotation's text and impact items when the annotation was read, `None` when it
    /// failed or there was no annotation link (the stored version then stays).
    pub annotation: Option<(Option<String>, Vec<ImpactItem>)>,
    /// The draft's text when every preview and attachment was read; `None` (a document
    /// failed, or there is no document link) keeps the stored text.
    pub document: Option<Option<String>>,
    /// Documents that could not be read.
    pub failures: Vec<TextFailure>,
    /// Documents whose text was cut at the limit.
    pub truncated: Vec<String>,
}

/// What recording a [`TextsRead`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextsRecorded {
    /// The stored annotation (text or impact items) is a new version.
    pub annotation_changed: bool,
    /// The stored draft text is a new version.
    pub document_changed: bool,
    /// When the next attempt is due, after a failure.
    pub retry_after: Option<DateTime<Utc>>,
}

/// A draft's stored texts and the state of their reading, for `explain` and `drafts --json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TextsState {
    /// The texts of the newest version.
    pub texts: DraftTexts,
    /// The links the draft's detail pages show now.
    pub links: Option<TextLinks>,
    /// When the texts were last attempted.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The last attempt's failures.
    pub failures: Vec<TextFailure>,
    /// Documents cut at the limit on the last attempt.
    pub truncated: Vec<String>,
    /// When a failed attempt is tried again.
    pub retry_after: Option<DateTime<Utc>>,
}

/// Stored impact item (the model's type is serialised for output only).
#[derive(Serialize, Deserialize)]
struct StoredImpact {
    number: String,
    label: String,
    answer: ImpactAnswer,
    explanation: Option<String>,
}

fn impacts_to_sql(items: &[ImpactItem]) -> rusqlite::Result<String> {
    let stored: Vec<StoredImpact> = items
        .iter()
        .map(|item| StoredImpact {
            number: item.number.clone(),
            label: item.label.clone(),
            answer: item.answer,
            explanation: item.explanation.clone(),
        })
        .collect();
    to_json(&stored)
}

fn impacts_from_sql(text: &str, column: usize) -> rusqlite::Result<Vec<ImpactItem>> {
    let stored: Vec<StoredImpact> = from_json(text, column)?;
    Ok(stored
        .into_iter()
        .map(|item| ImpactItem {
            number: item.number,
            label: item.label,
            answer: item.answer,
            explanation: item.explanation,
        })
        .collect())
}

/// Record the text links of every detail page a poll read (its drafts' and its re-checks'),
/// inside the poll's transaction. A view whose page shows no link and had none before adds
/// no row, so drafts without documents cost nothing.
pub(super) fn record_poll_links(
    tx: &Transaction<'_>,
    source: &str,
    at: &str,
    drafts: &[ScrapedDraft],
    checks: &[DetailCheck],
) -> rusqlite::Result<()> {
    let details = drafts
        .iter()
        .filter_map(|draft| Some((&draft.external_id, draft.detail.as_ref()?)))
        .chain(checks.iter().filter_map(|check| match &check.outcome {
            DetailCheckOutcome::Read(detail) => Some((&check.external_id, detail)),
            DetailCheckOutcome::Gone(_) | DetailCheckOutcome::Failed(_) => None,
        }));
    for (external_id, detail) in details {
        record_view_links(tx, source, external_id, &TextLinks::from_detail(detail), at)?;
    }
    Ok(())
}

fn record_view_links(
    tx: &Transaction<'_>,
    source: &str,
    external_id: &str,
    links: &TextLinks,
    at: &str,
) -> rusqlite::Result<()> {
    let draft_id: Option<i64> = tx
        .prepare_cached("SELECT draft_id FROM draft_views WHERE source = ?1 AND external_id = ?2")?
        .query_row(params![source, external_id], |row| row.get(0))
        .optional()?;
    let Some(draft_id) = draft_id else {
        return Ok(());
    };
    let json = links.to_sql()?;
    let written = if links.is_empty() {
        tx.prepare_cached(
            "UPDATE draft_text_links SET links = ?3, seen_at = ?4 \
             WHERE source = ?1 AND external_id = ?2",
        )?
        .execute(params![source, external_id, json, at])?
    } else {
        tx.prepare_cached(
            "INSERT INTO draft_text_links (source, external_id, draft_id, links, first_seen, \
                                           seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
             ON CONFLICT (source, external_id) DO UPDATE SET links = excluded.links, \
                                                             seen_at = excluded.seen_at",
        )?
        .execute(params![source, external_id, draft_id, json, at])?
    };
    if written > 0 {
        update_draft_links(tx, draft_id)?;
    }
    Ok(())
}

/// The draft's links: those of its oldest view that has any, so two views with different
/// links never take turns.
fn update_draft_links(tx: &Transaction<'_>, draft_id: i64) -> rusqlite::Result<()> {
    let links: Option<String> = tx
        .prepare_cached(
            "SELECT links FROM draft_text_links \
             WHERE draft_id = ?1 AND links <> '{\"annotation\":null,\"preview\":null,\"attachments\":[]}' \
             ORDER BY first_seen, source, external_id LIMIT 1",
        )?
        .query_row(params![draft_id], |row| row.get(0))
        .optional()?;
    tx.prepare_cached(
        "INSERT INTO draft_texts (draft_id, links) VALUES (?1, ?2) \
         ON CONFLICT (draft_id) DO UPDATE SET links = excluded.links \
         WHERE draft_texts.links IS NOT excluded.links",
    )?
    .execute(params![draft_id, links])?;
    Ok(())
}

/// The wait after `failed_attempts` consecutive failures: 1 h, 2 h, 4 h, … up to a week.
fn retry_delay(failed_attempts: u32) -> chrono::TimeDelta {
    let doublings = failed_attempts.saturating_sub(1).min(16);
    FIRST_RETRY_DELAY
        .checked_mul(1 << doublings)
        .map_or(LONGEST_RETRY_DELAY, |delay| delay.min(LONGEST_RETRY_DELAY))
}

/// The stored version a new reading is compared with.
struct StoredVersion {
    annotation: Option<String>,
    impacts: Vec<ImpactItem>,
    document: Option<String>,
    fetched_links: Option<TextLinks>,
    failed_attempts: u32,
}

fn stored_version(tx: &Transaction<'_>, draft_id: i64) -> rusqlite::Result<StoredVersion> {
    tx.prepare_cached(
        "SELECT annotation, impacts, document, fetched_links, failed_attempts \
         FROM draft_texts WHERE draft_id = ?1",
    )?
    .query_row(params![draft_id], |row| {
        let fetched_links: Option<String> = row.get(3)?;
        Ok(StoredVersion {
            annotation: row.get(0)?,
            impacts: impacts_from_sql(&row.get::<_, String>(1)?, 1)?,
            document: row.get(2)?,
            fetched_links: fetched_links.map(|t| from_json(&t, 3)).transpose()?,
            failed_attempts: row.get(4)?,
        })
    })
    .optional()
    .map(|found| {
        found.unwrap_or(StoredVersion {
            annotation: None,
            impacts: Vec::new(),
            document: None,
            fetched_links: None,
            failed_attempts: 0,
        })
    })
}

fn insert_event(
    tx: &Transaction<'_>,
    draft_id: i64,
    poll_id: Option<i64>,
    kind: DraftEventKind,
    payload: &serde_json::Value,
    at: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO draft_events (draft_id, poll_id, kind, payload, at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        draft_id,
        poll_id,
        kind.as_str(),
        payload.to_string(),
        at
    ])?;
    Ok(())
}

fn yes_numbers(impacts: &[ImpactItem]) -> Vec<&str> {
    impacts
        .iter()
        .filter(|item| item.answer == ImpactAnswer::Yes)
        .map(|item| item.number.as_str())
        .collect()
}

impl Store {
    /// Record the text links one view of a draft shows (a source that finds preview or
    /// attachment links outside a detail page, such as an agenda item, hands them over here;
    /// links on detail pages are recorded with the poll). Unknown views are ignored.
    pub fn record_text_links(
        &mut self,
        source: &str,
        external_id: &str,
        links: &TextLinks,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            record_view_links(&tx, source, external_id, links, &timestamp_to_sql(at))?;
            tx.commit()
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording a draft's text links", e))
    }

    /// Drafts `source` links documents for whose texts should be read now (`now` decides
    /// which back-offs have passed), oldest draft first, at most `budget`. Restricted drafts
    /// (documents not public) and drafts gone from the portal are left out.
    pub fn drafts_needing_texts(
        &self,
        source: &str,
        now: DateTime<Utc>,
        budget: u32,
    ) -> Result<Vec<TextsWanted>, StoreError> {
        let read = || -> rusqlite::Result<Vec<TextsWanted>> {
            let mut statement = self.conn.prepare_cached(
                "SELECT t.draft_id, coalesce(d.ta_number, d.external_id), d.url, t.links \
                 FROM draft_texts AS t JOIN drafts AS d ON d.id = t.draft_id \
                 WHERE t.links IS NOT NULL \
                   AND (t.fetched_links IS NOT t.links OR t.retry_after IS NOT NULL) \
                   AND (t.fetched_links IS NOT t.links OR t.retry_after <= ?2) \
                   AND d.restricted = 0 AND d.vanished_at IS NULL \
                   AND EXISTS (SELECT 1 FROM draft_text_links AS l \
                               WHERE l.draft_id = t.draft_id AND l.source = ?1) \
                 ORDER BY d.first_seen, d.id LIMIT ?3",
            )?;
            let rows = statement.query_map(
                params![source, timestamp_to_sql(now), i64::from(budget)],
                |row| {
                    Ok(TextsWanted {
                        draft_id: row.get(0)?,
                        display_id: row.get(1)?,
                        page_url: row.get(2)?,
                        links: from_json(&row.get::<_, String>(3)?, 3)?,
                    })
                },
            )?;
            rows.collect()
        };
        read().map_err(|e| self.query_error("finding drafts whose texts to read", e))
    }

    /// Store what reading one draft's documents gave: a new annotation or text replaces the
    /// stored one and is a history event (recorded with `poll_id`, the poll that found the
    /// links); failures are kept and retried after a back-off that doubles per failed attempt.
    pub fn record_texts(
        &mut self,
        draft_id: i64,
        read: &TextsRead,
        poll_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<TextsRecorded, StoreError> {
        let write = |conn: &mut rusqlite::Connection| -> rusqlite::Result<TextsRecorded> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let at_text = timestamp_to_sql(at);
            let old = stored_version(&tx, draft_id)?;
            let mut recorded = TextsRecorded::default();
            let (annotation, impacts) = match &read.annotation {
                Some((text, impacts)) => {
                    if *text != old.annotation || *impacts != old.impacts {
                        recorded.annotation_changed = true;
                        let previous_url = old
                            .fetched_links
                            .as_ref()
                            .and_then(|l| l.annotation.clone());
                        let payload = json!({
                            "url": read.links.annotation,
                            "previous_url": previous_url,
                            "first_version": old.annotation.is_none() && old.impacts.is_empty(),
                            "impacts_yes": yes_numbers(impacts),
                            "chars": text.as_ref().map_or(0, |t| t.chars().count()),
                        });
                        insert_event(
                            &tx,
                            draft_id,
                            poll_id,
                            DraftEventKind::AnnotationChanged,
                            &payload,
                            &at_text,
                        )?;
                    }
                    (text.clone(), impacts.clone())
                }
                None => (old.annotation, old.impacts),
            };
            let document = match &read.document {
                Some(text) => {
                    if *text != old.document {
                        recorded.document_changed = true;
                        let mut urls: Vec<&String> = read.links.preview.iter().collect();
                        urls.extend(&read.links.attachments);
                        let payload = json!({
                            "urls": urls,
                            "first_version": old.document.is_none(),
                            "chars": text.as_ref().map_or(0, |t| t.chars().count()),
                        });
                        insert_event(
                            &tx,
                            draft_id,
                            poll_id,
                            DraftEventKind::DocumentChanged,
                            &payload,
                            &at_text,
                        )?;
                    }
                    text.clone()
                }
                None => old.document,
            };
            let failed_attempts = if read.failures.is_empty() {
                0
            } else {
                old.failed_attempts.saturating_add(1)
            };
            recorded.retry_after = (failed_attempts > 0).then(|| at + retry_delay(failed_attempts));
            tx.prepare_cached(
                "INSERT INTO draft_texts (draft_id, fetched_links, fetched_at, annotation, \
                                          impacts, document, failures, truncated, \
                                          failed_attempts, retry_after) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT (draft_id) DO UPDATE SET \
                   fetched_links = excluded.fetched_links, fetched_at = excluded.fetched_at, \
                   annotation = excluded.annotation, impacts = excluded.impacts, \
                   document = excluded.document, failures = excluded.failures, \
                   truncated = excluded.truncated, failed_attempts = excluded.failed_attempts, \
                   retry_after = excluded.retry_after",
            )?
            .execute(params![
                draft_id,
                read.links.to_sql()?,
                at_text,
                annotation,
                impacts_to_sql(&impacts)?,
                document,
                to_json(&read.failures)?,
                to_json(&read.truncated)?,
                failed_attempts,
                recorded.retry_after.map(timestamp_to_sql),
            ])?;
            if recorded.annotation_changed || recorded.document_changed {
                // What the watchlists see of the draft changed: its stored verdicts (keyed on
                // `last_changed`) become stale and are computed again.
                tx.prepare_cached(
                    "UPDATE drafts SET last_changed = ?2 WHERE id = ?1 AND last_changed < ?2",
                )?
                .execute(params![draft_id, at_text])?;
            }
            tx.commit()?;
            Ok(recorded)
        };
        write(&mut self.conn).map_err(|e| self.query_error("recording a draft's texts", e))
    }

    /// The stored texts and reading state of `draft_ids` (drafts without any are absent).
    pub fn texts_of(&self, draft_ids: &[i64]) -> Result<HashMap<i64, TextsState>, StoreError> {
        let read = || -> rusqlite::Result<HashMap<i64, TextsState>> {
            let mut found = HashMap::new();
            // SQLite's default limit on bound parameters is 32766; stay well below it.
            for chunk in draft_ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let mut statement = self.conn.prepare(&format!(
                    "SELECT draft_id, links, fetched_at, annotation, impacts, document, \
                            failures, truncated, retry_after \
                     FROM draft_texts WHERE draft_id IN ({marks})"
                ))?;
                let rows = statement.query_map(params_from_iter(chunk), |row| {
                    let links: Option<String> = row.get(1)?;
                    Ok((
                        row.get::<_, i64>(0)?,
                        TextsState {
                            links: links.map(|t| from_json(&t, 1)).transpose()?,
                            fetched_at: optional_timestamp_column(row, 2)?,
                            texts: DraftTexts {
                                annotation: row.get(3)?,
                                impacts: impacts_from_sql(&row.get::<_, String>(4)?, 4)?,
                                document: row.get(5)?,
                            },
                            failures: from_json(&row.get::<_, String>(6)?, 6)?,
                            truncated: from_json(&row.get::<_, String>(7)?, 7)?,
                            retry_after: optional_timestamp_column(row, 8)?,
                        },
                    ))
                })?;
                for row in rows {
                    let (id, state) = row?;
                    found.insert(id, state);
                }
            }
            Ok(found)
        };
        read().map_err(|e| self.query_error("reading draft texts", e))
    }

    /// The impact items (`8.1.N` with their answers) of `draft_ids`, without the texts: what
    /// a digest shows of the drafts it lists. Drafts without stored items are absent.
    ///
    /// Why apart from [`Store::texts_of`]: a digest lists a few drafts among thousands of
    /// candidates, and their annotations and draft texts (up to 1 MiB each) are not needed
    /// to show them (the hits' sentences are in the stored verdicts).
    pub fn impacts_of(
        &self,
        draft_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<ImpactItem>>, StoreError> {
        let read = || -> rusqlite::Result<HashMap<i64, Vec<ImpactItem>>> {
            let mut found = HashMap::new();
            for chunk in draft_ids.chunks(500) {
                let marks = vec!["?"; chunk.len()].join(", ");
                let mut statement = self.conn.prepare(&format!(
                    "SELECT draft_id, impacts FROM draft_texts \
                     WHERE draft_id IN ({marks}) AND impacts <> '[]'"
                ))?;
                let rows = statement.query_map(params_from_iter(chunk), |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        impacts_from_sql(&row.get::<_, String>(1)?, 1)?,
                    ))
                })?;
                for row in rows {
                    let (id, impacts) = row?;
                    found.insert(id, impacts);
                }
            }
            Ok(found)
        };
        read().map_err(|e| self.query_error("reading impact items", e))
    }

    /// Fill [`StoredDraft::texts`] of `drafts` from the store (the ordinary draft queries
    /// leave it empty). Drafts without stored texts keep empty texts.
    pub fn load_texts(&self, drafts: &mut [StoredDraft]) -> Result<(), StoreError> {
        let ids: Vec<i64> = drafts.iter().map(|draft| draft.id).collect();
        let mut found = self.texts_of(&ids)?;
        for draft in drafts {
            draft.texts = found.remove(&draft.id).map(|s| s.texts).unwrap_or_default();
        }
        Ok(())
    }

    /// The newest poll of `source`: the poll whose links a text phase is reading.
    pub fn latest_poll_id(&self, source: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .query_row(
                "SELECT max(id) FROM polls WHERE source = ?1",
                params![source],
                |row| row.get(0),
            )
            .map_err(|e| self.query_error("finding the latest poll", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_from_an_hour_up_to_a_week() {
        assert_eq!(retry_delay(1), chrono::TimeDelta::hours(1));
        assert_eq!(retry_delay(2), chrono::TimeDelta::hours(2));
        assert_eq!(retry_delay(4), chrono::TimeDelta::hours(8));
        assert_eq!(retry_delay(9), chrono::TimeDelta::days(7));
        assert_eq!(retry_delay(u32::MAX), chrono::TimeDelta::days(7));
    }

    #[test]
    fn empty_links_serialise_as_the_form_the_query_skips() {
        assert_eq!(
            TextLinks::default().to_sql().expect("serialises"),
            r#"{"annotation":null,"preview":null,"attachments":[]}"#
        );
    }
}
