//! One poll of one source, from the portal to the store.
//!
//! Shared by the daemon's scheduler and by `draftwatch poll`: read what the store knows,
//! let the source fetch and parse, then record everything the poll saw (drafts and the poll
//! row) in one transaction. A failed poll still records the drafts gathered before the
//! failure, and its error, so that `draftwatch` never reports "nothing new" for a portal it
//! could not read.

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::sources::{Fetcher, Source};
use crate::store::{PollCounts, PollFailure, PollRecord, SharedStore, StoreError};

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

/// Poll `source` once and record the result.
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
    let summary = PollSummary {
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
