//! Portals draftwatch reads, one file per portal behind the [`Source`] trait.
//!
//! A source knows its portal's URLs and markup. Fetching goes through the shared
//! [`fetch::Fetcher`] (politeness, retries, charset, size cap, firewall detection); parsing is
//! done by sync functions from text to owned [`ScrapedDraft`]s, so adapters are testable
//! against fixtures without a network. Sources never touch the store: they get a snapshot of
//! what is known ([`KnownDrafts`]) and return what they saw.

pub mod fetch;
pub mod tap;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use crate::config::{SourceConfig, SourceKind};
use crate::model::ScrapedDraft;

pub use fetch::{FetchError, Fetcher};

/// A boxed future, so that [`Source`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the store already knows about one source's drafts, handed to a poll.
#[derive(Debug, Clone, Default)]
pub struct KnownDrafts {
    /// external_id → whether the draft still lacks its detail page.
    pub drafts: HashMap<String, KnownDraft>,
}

/// One known draft.
#[derive(Debug, Clone)]
pub struct KnownDraft {
    /// Its portal URL (used to retry a detail page without re-reading the list).
    pub url: String,
    /// True while the detail page has never been read successfully.
    pub needs_detail: bool,
}

/// The result of one poll of one source.
#[derive(Debug, Default)]
pub struct PollOutput {
    /// Every draft seen on this poll (new, changed or unchanged).
    pub drafts: Vec<ScrapedDraft>,
    /// Set when the poll failed part-way or entirely; the drafts gathered before the failure
    /// are still returned and stored.
    pub error: Option<SourceError>,
    /// List pages read.
    pub pages_read: u32,
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The HTTP layer failed (network, status, size, firewall page).
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// A page was fetched but its markup was not what the adapter expects.
    #[error("{url}: {message}")]
    Markup {
        /// Page that failed to parse.
        url: String,
        /// What was wrong.
        message: String,
    },
    /// A list page answered 200 but held no rows: the markup changed or a filter rejected us.
    #[error("{url}: the list page holds no rows (markup changed or request filtered)")]
    ZeroRows {
        /// The page.
        url: String,
    },
    /// The poll was cancelled by shutdown.
    #[error("poll cancelled by shutdown")]
    Cancelled,
}

impl SourceError {
    /// A stable token for the variant, stored with the failed poll (`polls.error_kind`) so
    /// later questions ("did the list come back empty?") match a fact, not message wording.
    pub fn kind(&self) -> &'static str {
        match self {
            SourceError::Fetch(_) => "fetch",
            SourceError::Markup { .. } => "markup",
            SourceError::ZeroRows { .. } => "zero_rows",
            SourceError::Cancelled => "cancelled",
        }
    }
}

/// A portal adapter.
pub trait Source: Send + Sync {
    /// The configured name of this source.
    fn name(&self) -> &str;

    /// Poll the portal once. Never panics on bad input; failures are returned in
    /// [`PollOutput::error`] together with whatever was gathered before them.
    fn poll<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        known: &'a KnownDrafts,
        cancel: &'a tokio_util::sync::CancellationToken,
    ) -> BoxFuture<'a, PollOutput>;
}

/// Build the adapter for one configured source.
pub fn build_source(config: &SourceConfig) -> Box<dyn Source> {
    match config.kind {
        SourceKind::TapParticipation => Box::new(tap::TapParticipation::new(config)),
    }
}
