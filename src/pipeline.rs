//! One poll of one source, from the portal to the store.
//!
//! Shared by the daemon's scheduler and by `draftwatch poll`: read what the store knows,
//! let the source fetch and parse, then record everything the poll saw (drafts and the poll
//! row) in one transaction. A failed poll still records the drafts gathered before the
//! failure, and its error, so that `draftwatch` never reports "nothing new" for a portal it
//! could not read.
//!
//! With the watchlists at hand ([`poll_and_evaluate`], the daemon's poll), the verdicts of
//! the drafts the poll stored or changed are recomputed and stored right after, so a poll
//! with nothing new evaluates nothing. [`reevaluate_stale`] recomputes every stale verdict
//! (after a watchlist change) in batches, for the daemon's background task.
//!
//! After a poll that did not fail, [`read_draft_texts`] reads the annotations (and documents)
//! of the drafts that need them, within a per-poll budget and what is left of the poll
//! deadline; a document that cannot be read is recorded on its draft, never failing the poll.

use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use crate::clock::Clock;
use crate::config::{Config, TextsConfig};
use crate::documents::{
    DocumentError, DraftTextLinks, TextLimits, TextsOutcome, fetch_draft_texts,
};
use crate::matcher::WatchlistSet;
use crate::sources::{DEFAULT_POLL_DEADLINE, Fetcher, RequestCounts, Source};
use crate::store::{
    PollCounts, PollFailure, PollRecord, SharedStore, StoreError, TextFailure, TextLinks,
    TextsRead, TextsWanted, read_or_evaluate, watchlist_set_version,
};

/// What one poll did, for logs and for `draftwatch poll`.
#[derive(Debug, Clone, Serialize)]
pub struct PollSummary {
    /// Source name.
    pub source: String,
    /// Drafts seen, new and changed.
    pub counts: PollCounts,
    /// List pages read.
    pub pages_read: u32,
    /// Requests the poll made to the portal, by step (the text phase's are not counted).
    pub requests: RequestCounts,
    /// Drafts whose detail page failed this time (retried on a later poll).
    pub detail_failures: usize,
    /// Why the poll failed, when it did.
    pub error: Option<String>,
    /// What the admin should know although the poll did not fail.
    pub warnings: Vec<String>,
    /// Drafts whose verdicts were recomputed after the poll (the ones it stored or changed;
    /// 0 without watchlists, see [`poll_and_evaluate`]).
    #[serde(skip)]
    pub verdicts_evaluated: usize,
    /// Drafts whose annotation and documents were read after the poll.
    pub texts: TextsSummary,
}

/// What the text phase after a poll did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TextsSummary {
    /// Drafts whose documents were read (completely or not).
    pub read: usize,
    /// Of those, drafts with a document that could not be read (retried later).
    pub failed: usize,
    /// Drafts that needed their texts but were left for a later poll because the poll
    /// deadline was reached or draftwatch is stopping.
    pub left: usize,
}

impl std::fmt::Display for PollSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} pages, {} drafts seen, {} new, {} changed",
            self.source, self.pages_read, self.counts.seen, self.counts.new, self.counts.changed
        )?;
        write!(
            f,
            ", {} requests ({} list, {} detail, {} re-check)",
            self.requests.total(),
            self.requests.list,
            self.requests.detail,
            self.requests.recheck
        )?;
        if self.detail_failures > 0 {
            write!(
                f,
                ", {} detail pages failed (retried later)",
                self.detail_failures
            )?;
        }
        if self.texts.read > 0 {
            write!(f, ", texts of {} drafts read", self.texts.read)?;
            if self.texts.failed > 0 {
                write!(f, " ({} with failures, retried later)", self.texts.failed)?;
            }
        }
        for warning in &self.warnings {
            write!(f, "; warning: {warning}")?;
        }
        if let Some(error) = &self.error {
            write!(f, "; FAILED: {error}")?;
        }
        Ok(())
    }
}

/// How many followed drafts with a stage that is not final are offered to a stage-tracking
/// source for re-checking per poll; the source's `recheck_limit` decides how many it reads.
const STAGE_RECHECK_CANDIDATES: u32 = 100;

/// Poll `source` once and record the result; nothing else (no texts, no verdicts).
///
/// Returns an error only when the store itself fails; portal failures are part of the
/// summary (and of the recorded poll row).
pub async fn poll_source(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
) -> Result<PollSummary, StoreError> {
    poll_with(source, fetcher, store, clock, cancel).await
}

/// [`poll_source`], then, unless the poll failed, [`read_draft_texts`] until the poll
/// deadline (counted from the poll's start). Verdicts of what it changed are left stale
/// (digests evaluate stale candidates on the spot; the daemon recomputes them): the CLI's
/// `poll` has no watchlists loaded. The daemon uses [`poll_and_evaluate`].
pub async fn poll_source_with_texts(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
    phase: &TextPhase,
) -> Result<PollSummary, StoreError> {
    let deadline = Instant::now() + phase.poll_deadline;
    let mut summary = poll_with(source, fetcher, store, clock, cancel).await?;
    if summary.error.is_none() {
        summary.texts = read_draft_texts(
            source.name(),
            fetcher,
            store,
            clock,
            cancel,
            phase,
            deadline,
        )
        .await?;
    }
    Ok(summary)
}

/// [`poll_source_with_texts`], then the verdicts under `watchlists` of the drafts the poll
/// or its text phase stored or changed are recomputed and stored (found by their
/// `last_changed`, an indexed query), so a poll that brought nothing new evaluates no draft
/// at all.
pub async fn poll_and_evaluate(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
    phase: &TextPhase,
    watchlists: &WatchlistSet,
) -> Result<PollSummary, StoreError> {
    let started = clock.now();
    let mut summary = poll_source_with_texts(source, fetcher, store, clock, cancel, phase).await?;
    summary.verdicts_evaluated = evaluate_changed_since(store, watchlists, started)?;
    Ok(summary)
}

async fn poll_with(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
) -> Result<PollSummary, StoreError> {
    let started = clock.now();
    // Portal dates are Riga calendar days whatever the configured time zone.
    let today = clock.today(chrono_tz::Europe::Riga);
    let known = {
        let store = store.lock()?;
        let mut known = store.known_drafts_lookup(source.name())?;
        known.recheck = store.recheck_candidates(source.name(), today)?;
        if source.tracks_stage() {
            // Open windows first (their deadlines are near), then drafts whose stage may
            // still move; the source reads as many as its recheck budget allows.
            for candidate in
                store.stage_recheck_candidates(source.name(), STAGE_RECHECK_CANDIDATES)?
            {
                if !known.recheck.contains(&candidate) {
                    known.recheck.push(candidate);
                }
            }
        }
        known
    };
    tracing::info!(
        source = source.name(),
        recheck_candidates = known.recheck.len(),
        "Poll started."
    );
    let output = source.poll(fetcher, &known, cancel).await;
    let finished = clock.now();
    let error = output.error.as_ref().map(|e| e.to_string());
    let warnings: Vec<String> = output.warnings.iter().map(|w| w.to_string()).collect();
    let counts = store.lock()?.record_poll_output(
        &PollRecord {
            source: source.name(),
            started,
            finished,
            error: output.error.as_ref().map(|e| PollFailure {
                kind: e.kind(),
                message: e.to_string(),
            }),
        },
        &output.drafts,
        &output.checks,
        &warnings,
    )?;
    let summary = PollSummary {
        verdicts_evaluated: 0,
        texts: TextsSummary::default(),
        source: source.name().to_string(),
        counts,
        pages_read: output.pages_read,
        requests: output.requests,
        detail_failures: output
            .drafts
            .iter()
            .filter(|d| d.detail_error.is_some())
            .count(),
        error,
        warnings,
    };
    match &summary.error {
        None if !summary.warnings.is_empty() => tracing::warn!(
            source = source.name(),
            seen = counts.seen,
            new = counts.new,
            changed = counts.changed,
            warnings = ?summary.warnings,
            "Poll finished with warnings."
        ),
        None => tracing::info!(
            source = source.name(),
            pages = summary.pages_read,
            seen = counts.seen,
            new = counts.new,
            changed = counts.changed,
            "Poll finished."
        ),
        Some(error) => tracing::error!(
            source = source.name(),
            seen = counts.seen,
            new = counts.new,
            error = %error,
            "Poll failed; drafts read before the failure were stored."
        ),
    }
    Ok(summary)
}

/// Recompute and store the verdicts of the drafts stored or changed at or after `since` (a
/// poll records its drafts at its `finished` instant); how many were evaluated.
pub fn evaluate_changed_since(
    store: &SharedStore,
    watchlists: &WatchlistSet,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<usize, StoreError> {
    let ids = store.lock()?.draft_ids_changed_since(since)?;
    if ids.is_empty() {
        return Ok(0);
    }
    let version = watchlist_set_version(watchlists);
    Ok(read_or_evaluate(store, watchlists, &version, ids, true)?.evaluated)
}

/// What [`reevaluate_stale`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reevaluation {
    /// Drafts evaluated.
    pub evaluated: usize,
    /// Batches (each one store transaction, with the store unlocked while evaluating).
    pub batches: usize,
    /// Whether it stopped before the end because `keep_going` said so.
    pub interrupted: bool,
}

/// Recompute every verdict that is not current for `watchlists` (after the watchlists
/// changed, or drafts stored by `draftwatch poll`), `batch` drafts at a time in id order,
/// asking `keep_going` before each batch (the daemon stops at shutdown or when the
/// watchlists change again). The store is locked only to read and to write each batch,
/// never while the matcher runs, so polls and digests go on meanwhile; a digest that meets
/// a stale candidate evaluates it itself.
pub fn reevaluate_stale(
    store: &SharedStore,
    watchlists: &WatchlistSet,
    batch: usize,
    keep_going: &dyn Fn() -> bool,
) -> Result<Reevaluation, StoreError> {
    let version = watchlist_set_version(watchlists);
    let mut done = Reevaluation::default();
    let mut after_id = 0;
    loop {
        if !keep_going() {
            done.interrupted = true;
            return Ok(done);
        }
        let ids = store
            .lock()?
            .stale_verdict_ids(&version, after_id, batch.max(1))?;
        let Some(&last) = ids.last() else {
            return Ok(done);
        };
        after_id = last;
        let read = read_or_evaluate(store, watchlists, &version, ids, true)?;
        done.evaluated += read.evaluated;
        done.batches += 1;
    }
}

/// How the text phase after a poll reads drafts' documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextPhase {
    /// Drafts read per poll (`[texts] budget_per_poll`); 0 skips the phase.
    pub budget: u32,
    /// Limits of each document.
    pub limits: TextLimits,
    /// The source's `poll_deadline`, counted from the poll's start: the phase stops there.
    pub poll_deadline: Duration,
}

impl TextPhase {
    /// From `[texts]` and a source's poll deadline.
    pub fn new(texts: &TextsConfig, poll_deadline: Duration) -> Self {
        TextPhase {
            budget: texts.budget_per_poll,
            limits: TextLimits {
                max_download_bytes: texts.max_download_bytes,
                max_unpacked_bytes: texts.max_unpacked_bytes,
                max_text_bytes: usize::try_from(texts.max_text_bytes).unwrap_or(usize::MAX),
                timeout: texts.timeout,
            },
            poll_deadline,
        }
    }

    /// For the configured source `source_name` (the default deadline when it is unknown).
    pub fn for_source(config: &Config, source_name: &str) -> Self {
        let deadline = config
            .source(source_name)
            .map_or(DEFAULT_POLL_DEADLINE, |source| source.poll_deadline);
        TextPhase::new(&config.texts, deadline)
    }
}

/// Read the annotation and documents of the drafts `source_name` links that need them (new
/// links, or a failed attempt whose back-off passed), oldest first, at most `phase.budget`,
/// and store each outcome. A failed document is recorded on its draft and logged; only a
/// store failure is an error. Stops at `deadline` and on cancellation; a draft cut short is
/// not recorded and is read on a later poll.
pub async fn read_draft_texts(
    source_name: &str,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
    phase: &TextPhase,
    deadline: Instant,
) -> Result<TextsSummary, StoreError> {
    let mut summary = TextsSummary::default();
    if phase.budget == 0 {
        return Ok(summary);
    }
    let (wanted, poll_id) = {
        let store = store.lock()?;
        (
            store.drafts_needing_texts(source_name, clock.now(), phase.budget)?,
            store.latest_poll_id(source_name)?,
        )
    };
    for (index, draft) in wanted.iter().enumerate() {
        let read = if cancel.is_cancelled() {
            None
        } else {
            let reading = read_one_draft(fetcher, draft, &phase.limits, cancel);
            tokio::time::timeout_at(deadline, reading)
                .await
                .ok()
                .flatten()
        };
        let Some(read) = read else {
            summary.left = wanted.len() - index;
            tracing::warn!(
                source = source_name,
                left = summary.left,
                "Draft texts left for the next poll: the poll deadline was reached or draftwatch is stopping."
            );
            break;
        };
        let recorded = store
            .lock()?
            .record_texts(draft.draft_id, &read, poll_id, clock.now())?;
        summary.read += 1;
        if read.failures.is_empty() {
            tracing::info!(
                source = source_name,
                draft = %draft.display_id,
                annotation_changed = recorded.annotation_changed,
                document_changed = recorded.document_changed,
                impacts = read.annotation.as_ref().map_or(0, |(_, items)| items.len()),
                "Draft texts read."
            );
        } else {
            summary.failed += 1;
            tracing::warn!(
                source = source_name,
                draft = %draft.display_id,
                failures = ?read.failures,
                retry_after = ?recorded.retry_after,
                "Draft texts read with failures; recorded on the draft and tried again later."
            );
        }
    }
    Ok(summary)
}

/// Read one draft's documents; `None` when cancellation cut the reading short.
async fn read_one_draft(
    fetcher: &Fetcher,
    draft: &TextsWanted,
    limits: &TextLimits,
    cancel: &CancellationToken,
) -> Option<TextsRead> {
    let mut failures = Vec::new();
    let links = document_links(draft, &mut failures);
    let outcome = fetch_draft_texts(fetcher, &links, limits, cancel).await;
    if outcome
        .failures
        .iter()
        .any(|failure| matches!(failure.error, DocumentError::Cancelled))
    {
        return None;
    }
    Some(texts_read(&draft.links, &links, outcome, failures))
}

/// The draft's links as URLs, root-relative ones resolved against the draft's page; a link
/// that is not a URL is a failure of its own.
fn document_links(draft: &TextsWanted, failures: &mut Vec<TextFailure>) -> DraftTextLinks {
    let page = Url::parse(&draft.page_url).ok();
    let mut resolve = |link: &String| -> Option<Url> {
        let resolved = match &page {
            Some(page) => page.join(link),
            None => Url::parse(link),
        };
        resolved
            .map_err(|e| {
                failures.push(TextFailure {
                    url: link.clone(),
                    error: format!("not a valid link: {e}"),
                });
            })
            .ok()
    };
    DraftTextLinks {
        annotation: draft.links.annotation.as_ref().and_then(&mut resolve),
        preview: draft.links.preview.as_ref().and_then(&mut resolve),
        attachments: draft.links.attachments.iter().filter_map(resolve).collect(),
    }
}

/// What to store of one reading: the annotation when it was read, the draft's text when every
/// document was read, and every failure.
fn texts_read(
    links: &TextLinks,
    urls: &DraftTextLinks,
    outcome: TextsOutcome,
    mut failures: Vec<TextFailure>,
) -> TextsRead {
    let annotation_url = urls.annotation.as_ref();
    let document_failed = outcome
        .failures
        .iter()
        .any(|failure| Some(&failure.url) != annotation_url);
    let has_documents = links.preview.is_some() || !links.attachments.is_empty();
    let document_read = has_documents && !document_failed && failures.is_empty();
    failures.extend(outcome.failures.iter().map(|failure| TextFailure {
        url: failure.url.to_string(),
        error: failure.error.to_string(),
    }));
    TextsRead {
        links: links.clone(),
        annotation: outcome
            .annotation
            .is_some()
            .then_some((outcome.texts.annotation, outcome.texts.impacts)),
        document: document_read.then_some(outcome.texts.document),
        failures,
        truncated: outcome.truncated.iter().map(Url::to_string).collect(),
    }
}
