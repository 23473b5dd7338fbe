//! Portals draftwatch reads, one file per portal view behind the [`Source`] trait.
//!
//! Adding a portal: a parser module and an adapter file under a folder of its own (as
//! `tap/`), a [`paging::PagedList`] impl when the portal is a paged list with detail pages (or
//! a [`Source`] impl using [`paging::fetch`] when it is not), a `SourceKind` variant with its
//! options in `config`, and an arm in [`build_source`].
//!
//! A source knows its portal's URLs and markup. Fetching goes through the shared
//! [`fetch::Fetcher`] (politeness, retries, charset, size cap, firewall detection); parsing is
//! done by sync functions from text to owned [`ScrapedDraft`]s, so adapters are testable
//! against fixtures without a network. Sources never touch the store: they get a snapshot of
//! what is known ([`KnownDrafts`], defined in `model` so the store needs
//! nothing from here) and return what they saw.

pub mod fetch;
pub mod paging;
pub mod tap;

use std::future::Future;
use std::pin::Pin;

use crate::clock::Clock;
use crate::config::{SourceConfig, SourceKind};
use std::time::Duration;

use crate::model::{DetailCheck, KnownDrafts, ScrapedDraft};

pub use fetch::{FetchError, Fetcher};
pub use paging::RequestCounts;

/// A boxed future, so that [`Source`] stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

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
    /// Known drafts re-read through their detail page only (see [`KnownDrafts::recheck`]).
    pub checks: Vec<DetailCheck>,
    /// Things the admin should know that did not stop the poll; recorded on the poll row.
    pub warnings: Vec<SourceWarning>,
    /// Requests made, by step (logged once per poll).
    pub requests: RequestCounts,
}

/// Default of `recheck_limit`: detail pages of followed drafts re-read per poll. With hourly
/// polls, 10 covers 240 followed open drafts a day.
pub const DEFAULT_RECHECK_LIMIT: u32 = 10;

/// Default of `poll_deadline`: a poll stops fetching detail pages after this long, so one slow
/// server cannot hold a poll for the better part of an hour.
pub const DEFAULT_POLL_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// Something suspicious a poll noticed without failing; recorded on the poll and logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceWarning {
    /// Fewer rows than a full page and nothing saying it is the last page: the page may have
    /// been cut short in transit.
    #[error(
        "{url}: only {rows} rows and no sign that this is the last page (a full page has {page_size}); the page may have been cut short"
    )]
    ShortPage {
        /// The page.
        url: String,
        /// Rows it held.
        rows: usize,
        /// Rows on a full page.
        page_size: usize,
    },
    /// A draft's deadline is on the page but is not two valid dates; partners are told
    /// "termiņš nav nolasāms".
    #[error(
        "{draft}: the deadline {text:?} is not a valid date range; partners see \"termiņš nav nolasāms\""
    )]
    UnreadableDeadline {
        /// TA number or portal id of the draft.
        draft: String,
        /// The text as the portal shows it.
        text: String,
    },
    /// The poll's total deadline was reached; what was read is kept, the rest waits.
    #[error(
        "partial poll: the poll deadline of {} s (poll_deadline) was reached; {left} detail pages were left for the next poll",
        .deadline.as_secs()
    )]
    DeadlineReached {
        /// The configured deadline.
        deadline: Duration,
        /// Detail pages that were due but not fetched.
        left: usize,
    },
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
    /// Rows of a list page lack required cells (a page cut short, or changed markup). Such
    /// rows are not stored; the page's well-formed rows are.
    #[error(
        "{url}: {count} of {rows} list rows are malformed and were not stored (first: {first}); the page may have been cut short or the portal's markup changed"
    )]
    MalformedRows {
        /// The page.
        url: String,
        /// How many rows were malformed.
        count: usize,
        /// Rows on the page.
        rows: usize,
        /// The first problem, for the admin.
        first: String,
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
            SourceError::MalformedRows { .. } => "malformed_rows",
            SourceError::Cancelled => "cancelled",
        }
    }
}

/// A portal adapter.
pub trait Source: Send + Sync {
    /// The configured name of this source.
    fn name(&self) -> &str;

    /// Whether the portal view shows the draft's stage, so that re-reading a followed draft
    /// whose stage is not final can notice it moving (and a coordination deadline moved deep
    /// in the list). Views without a stage re-check only drafts with an open window.
    fn tracks_stage(&self) -> bool {
        false
    }

    /// Poll the portal once. Never panics on bad input; failures are returned in
    /// [`PollOutput::error`] together with whatever was gathered before them.
    fn poll<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        known: &'a KnownDrafts,
        cancel: &'a tokio_util::sync::CancellationToken,
    ) -> BoxFuture<'a, PollOutput>;
}

/// Build the adapter for one configured source. `clock` says what "today" is to sources that
/// read by date (`tap_meetings`), so `--now` reaches them too.
pub fn build_source(config: &SourceConfig, clock: Clock) -> Box<dyn Source> {
    match config.kind {
        SourceKind::TapParticipation(_) => Box::new(tap::TapParticipation::new(config)),
        SourceKind::TapLegalActs(_) => Box::new(tap::TapLegalActs::new(config)),
        SourceKind::TapMeetings(_) => Box::new(tap::TapMeetings::new(config).with_clock(clock)),
    }
}
