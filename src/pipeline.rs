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

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::matcher::WatchlistSet;
use crate::sources::{Fetcher, Source};
use crate::store::{
    PollCounts, PollFailure, PollRecord, SharedStore, StoreError, read_or_evaluate,
    watchlist_set_version,
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
}

impl std::fmt::Display for PollSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} pages, {} drafts seen, {} new, {} changed",
            self.source, self.pages_read, self.counts.seen, self.counts.new, self.counts.changed
        )?;
        if self.detail_failures > 0 {
            write!(
                f,
                ", {} detail pages failed (retried later)",
                self.detail_failures
            )?;
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

/// Poll `source` once and record the result. Verdicts of what it changed are left stale
/// (digests evaluate stale candidates on the spot; the daemon recomputes them): the CLI's
/// `poll` has no watchlists loaded. The daemon uses [`poll_and_evaluate`].
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
    poll_with(source, fetcher, store, clock, cancel, None).await
}

/// [`poll_source`], then the verdicts under `watchlists` of the drafts the poll stored or
/// changed are recomputed and stored (found by their `last_changed`, an indexed query), so
/// a poll that brought nothing new evaluates no draft at all.
pub async fn poll_and_evaluate(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
    watchlists: &WatchlistSet,
) -> Result<PollSummary, StoreError> {
    poll_with(source, fetcher, store, clock, cancel, Some(watchlists)).await
}

async fn poll_with(
    source: &dyn Source,
    fetcher: &Fetcher,
    store: &SharedStore,
    clock: &Clock,
    cancel: &CancellationToken,
    watchlists: Option<&WatchlistSet>,
) -> Result<PollSummary, StoreError> {
    let started = clock.now();
    // Portal dates are Riga calendar days whatever the configured time zone.
    let today = clock.today(chrono_tz::Europe::Riga);
    let known = {
        let store = store.lock()?;
        let mut known = store.known_drafts(source.name())?;
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
        known = known.drafts.len(),
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
    let verdicts_evaluated = match watchlists {
        Some(watchlists) => evaluate_changed_since(store, watchlists, finished)?,
        None => 0,
    };
    let summary = PollSummary {
        verdicts_evaluated,
        source: source.name().to_string(),
        counts,
        pages_read: output.pages_read,
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
