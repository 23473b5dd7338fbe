//! The poll every list-reading source shares, so that an adapter is its parsers plus a small
//! [`PagedList`] impl.
//!
//! One call of [`poll_list`]:
//! 1. Read list page 1, 2, … ([`PagedList::list_url`], newest first) and stop after the first
//!    page whose rows are all already known, at `page_limit`, or at the last page. A page
//!    answering 200 with zero rows is [`SourceError::ZeroRows`], a page that is not the list
//!    (new markup, a login redirect) [`SourceError::Markup`], the firewall's page
//!    [`crate::sources::FetchError::Rejected`]: never "nothing new". Rows the adapter could
//!    not read end the list with the error the adapter gives, after the page's good rows are
//!    kept. Unreadable deadlines become [`SourceWarning::UnreadableDeadline`]; rows repeated on
//!    two pages (the list moved while paging) are kept once.
//! 2. Unless step 1 failed, read the detail page of every draft seen that is new or still
//!    `needs_detail`, at most `detail_limit`, in list order. A failed detail sets
//!    [`ScrapedDraft::detail_error`] and keeps the list data; a firewall page stops the poll.
//! 3. Re-read the detail page of followed drafts not on the pages read
//!    ([`KnownDrafts::recheck`], least recently checked first), at most `recheck_limit`. 404
//!    or 410 means the draft is gone from the portal.
//!
//! Steps 2 and 3 stop at `poll_deadline` with a [`SourceWarning::DeadlineReached`]. Shutdown
//! is checked before every request and interrupts a request in flight. Each poll ends with
//! one log line counting its requests by step ([`RequestCounts`]).

use std::collections::HashSet;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::fetch::Page;
use super::{
    BoxFuture, DEFAULT_POLL_DEADLINE, DEFAULT_RECHECK_LIMIT, FetchError, Fetcher, PollOutput,
    Source, SourceError, SourceWarning,
};
use crate::config::{ListLimits, SourceConfig, SourceKind};
use crate::model::{DetailCheck, DetailCheckOutcome, DraftDetail, KnownDrafts, ScrapedDraft};

/// A long list read (a first backfill) logs its progress at INFO every this many pages.
const PROGRESS_EVERY_PAGES: u32 = 10;

/// How many requests a poll made, by step; logged once per poll and kept on [`PollOutput`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestCounts {
    /// List pages requested (including meeting lists).
    pub list: u32,
    /// Detail pages (or agendas) of drafts seen on this poll.
    pub detail: u32,
    /// Detail pages of followed drafts re-checked.
    pub recheck: u32,
}

impl RequestCounts {
    /// All requests of the poll.
    pub fn total(&self) -> u32 {
        self.list + self.detail + self.recheck
    }

    /// Log the poll's request counts as one structured line.
    pub fn log(&self, source: &str) {
        tracing::info!(
            source,
            list_requests = self.list,
            detail_requests = self.detail,
            recheck_requests = self.recheck,
            requests = self.total(),
            "Poll requests counted."
        );
    }
}

/// What an adapter read from one list page.
#[derive(Debug, Default)]
pub struct ListRead {
    /// The page's readable rows, in page order.
    pub drafts: Vec<ScrapedDraft>,
    /// No page follows this one.
    pub is_last_page: bool,
    /// What the admin should know about this page (e.g. it looks cut short).
    pub warnings: Vec<SourceWarning>,
    /// Rows that could not be read: the page's good rows are kept, then the poll stops with
    /// this error.
    pub error: Option<SourceError>,
}

/// What every list-reading adapter is configured with: its name, portal, limits and poll
/// deadline.
#[derive(Debug, Clone)]
pub struct ListSettings {
    /// The configured source name, for logs.
    pub name: String,
    /// Portal root.
    pub base_url: Url,
    /// How far one poll goes.
    pub limits: ListLimits,
    /// How long one poll may fetch detail pages.
    pub poll_deadline: Duration,
}

impl ListSettings {
    /// From the parts, with the default recheck limit and poll deadline.
    pub fn new(name: &str, base_url: Url, page_limit: u32, detail_limit: u32) -> Self {
        ListSettings {
            name: name.to_owned(),
            base_url,
            limits: ListLimits {
                page_limit,
                detail_limit,
                recheck_limit: DEFAULT_RECHECK_LIMIT,
            },
            poll_deadline: DEFAULT_POLL_DEADLINE,
        }
    }

    /// From a configured source: its list limits when its kind has them, the defaults
    /// otherwise.
    pub fn from_config(config: &SourceConfig) -> Self {
        let mut settings = Self::new(&config.name, config.base_url.clone(), 5, 30);
        settings.poll_deadline = config.poll_deadline;
        if let SourceKind::TapParticipation(limits) | SourceKind::TapLegalActs(limits) = config.kind
        {
            settings.limits = limits;
        }
        settings
    }

    /// The URL of `path` under the portal root.
    pub fn url_of(&self, path: &str) -> Url {
        portal_url(&self.base_url, path)
    }
}

/// The URL of `path` under the portal root `base_url` (which may itself have a path), without
/// query or fragment.
pub fn portal_url(base_url: &Url, path: &str) -> Url {
    let mut url = base_url.clone();
    url.set_path(&format!("{}{path}", base_url.path().trim_end_matches('/')));
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// A portal view read as a paged list of drafts with a detail page each.
pub trait PagedList: Send + Sync {
    /// Name, portal, limits and deadline.
    fn settings(&self) -> &ListSettings;

    /// The configured source name, for logs.
    fn name(&self) -> &str {
        &self.settings().name
    }

    /// See [`Source::tracks_stage`].
    fn tracks_stage(&self) -> bool {
        false
    }

    /// How far one poll goes.
    fn limits(&self) -> ListLimits {
        self.settings().limits
    }

    /// How long one poll may fetch detail pages.
    fn poll_deadline(&self) -> Duration {
        self.settings().poll_deadline
    }

    /// URL of list page `page` (1-based), newest first.
    fn list_url(&self, page: u32) -> Url;

    /// Read one list page. `Err` when the page as a whole is not the list (the caller turns
    /// a list without rows into [`SourceError::ZeroRows`] itself).
    fn parse_list(&self, page: &Page, page_number: u32) -> Result<ListRead, SourceError>;

    /// Read one detail page; the error says what was wrong, for the draft's `detail_error`.
    fn parse_detail(&self, page: &Page) -> Result<DraftDetail, String>;
}

/// Every paged list is a source: its poll is the skeleton's.
impl<T: PagedList> Source for T {
    fn name(&self) -> &str {
        PagedList::name(self)
    }

    fn tracks_stage(&self) -> bool {
        PagedList::tracks_stage(self)
    }

    fn poll<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        known: &'a KnownDrafts,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        Box::pin(poll_list(self, fetcher, known, cancel))
    }
}

/// Poll `source` once (see the module documentation).
pub async fn poll_list<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    known: &KnownDrafts,
    cancel: &CancellationToken,
) -> PollOutput {
    let deadline = Instant::now() + source.poll_deadline();
    let mut output = PollOutput::default();
    let result = poll_steps(source, fetcher, known, cancel, deadline, &mut output).await;
    if let Err(error) = result {
        tracing::warn!(source = source.name(), pages_read = output.pages_read, %error, "The poll stopped.");
        output.error = Some(error);
    }
    output.requests.log(source.name());
    output
}

async fn poll_steps<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    known: &KnownDrafts,
    cancel: &CancellationToken,
    deadline: Instant,
    output: &mut PollOutput,
) -> Result<(), SourceError> {
    read_list(source, fetcher, known, cancel, output).await?;
    let mut left = 0;
    if let Finished::DeadlineReached { left: missed } =
        read_details(source, fetcher, known, cancel, deadline, output).await?
    {
        left += missed;
    }
    if let Finished::DeadlineReached { left: missed } =
        recheck(source, fetcher, known, cancel, deadline, output).await?
    {
        left += missed;
    }
    if left > 0 {
        let warning = SourceWarning::DeadlineReached {
            deadline: source.poll_deadline(),
            left,
        };
        tracing::warn!(source = source.name(), %warning, "The poll reached its deadline; what was read is kept.");
        output.warnings.push(warning);
    }
    Ok(())
}

async fn read_list<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    known: &KnownDrafts,
    cancel: &CancellationToken,
    output: &mut PollOutput,
) -> Result<(), SourceError> {
    let mut seen = HashSet::new();
    for page_number in 1..=source.limits().page_limit {
        let url = source.list_url(page_number);
        output.requests.list += 1;
        let page = fetch(fetcher, &url, cancel).await?;
        output.pages_read += 1;
        let mut list = source.parse_list(&page, page_number)?;
        if list.drafts.is_empty() && list.error.is_none() {
            return Err(SourceError::ZeroRows {
                url: page.url.to_string(),
            });
        }
        tracing::debug!(
            source = source.name(),
            page = page_number,
            rows = list.drafts.len(),
            last_page = list.is_last_page,
            "List page read."
        );
        output.warnings.append(&mut list.warnings);
        warn_unreadable_deadlines(source.name(), &list.drafts, &mut output.warnings);
        let all_known = list.drafts.iter().all(|d| known.contains(&d.external_id));
        for draft in list.drafts {
            if seen.insert(draft.external_id.clone()) {
                output.drafts.push(draft);
            }
        }
        // A first backfill reads hundreds of pages: show it is moving, also in the journal.
        if output.pages_read.is_multiple_of(PROGRESS_EVERY_PAGES) {
            tracing::info!(
                source = source.name(),
                pages_read = output.pages_read,
                drafts_read = output.drafts.len(),
                "Reading the list."
            );
        }
        if let Some(error) = list.error {
            return Err(error);
        }
        if all_known || list.is_last_page {
            break;
        }
    }
    Ok(())
}

/// A warning for each draft whose deadline is on the page but cannot be read.
pub fn warn_unreadable_deadlines(
    source: &str,
    drafts: &[ScrapedDraft],
    warnings: &mut Vec<SourceWarning>,
) {
    for draft in drafts {
        if let Some(text) = &draft.unreadable_deadline {
            let warning = SourceWarning::UnreadableDeadline {
                draft: draft
                    .ta_number
                    .clone()
                    .unwrap_or_else(|| draft.external_id.clone()),
                text: text.clone(),
            };
            tracing::warn!(source, %warning, "A draft's deadline could not be read.");
            warnings.push(warning);
        }
    }
}

async fn read_details<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    known: &KnownDrafts,
    cancel: &CancellationToken,
    deadline: Instant,
    output: &mut PollOutput,
) -> Result<Finished, SourceError> {
    let limit = source.limits().detail_limit as usize;
    let due: Vec<usize> = output
        .drafts
        .iter()
        .enumerate()
        .filter(|(_, draft)| known.get(&draft.external_id).is_none_or(|k| k.needs_detail))
        .map(|(index, _)| index)
        .collect();
    if due.len() > limit {
        tracing::debug!(
            source = source.name(),
            due = due.len(),
            limit,
            "The detail limit is reached; the rest waits for the next poll."
        );
    }
    let due = &due[..due.len().min(limit)];
    for (done, &index) in due.iter().enumerate() {
        let draft = &mut output.drafts[index];
        let detail_url = known
            .get(&draft.external_id)
            .and_then(|k| Url::parse(&k.url).ok())
            .or_else(|| Url::parse(&draft.url).ok());
        let Some(detail_url) = detail_url else {
            draft.detail_error = Some(format!("unusable detail URL {}", draft.url));
            continue;
        };
        output.requests.detail += 1;
        let Some(result) = fetch_detail(source, fetcher, &detail_url, cancel, deadline).await
        else {
            output.requests.detail -= 1;
            return Ok(Finished::DeadlineReached {
                left: due.len() - done,
            });
        };
        match result {
            Ok(DetailCheckOutcome::Read(detail)) => draft.detail = Some(detail),
            Ok(DetailCheckOutcome::Gone(error) | DetailCheckOutcome::Failed(error)) => {
                draft.detail_error = Some(error);
            }
            Err(error) => {
                draft.detail_error = Some(error.to_string());
                return Err(error);
            }
        }
    }
    Ok(Finished::Done)
}

/// Step 3 of the poll: re-read followed drafts that the list pages read did not show.
async fn recheck<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    known: &KnownDrafts,
    cancel: &CancellationToken,
    deadline: Instant,
    output: &mut PollOutput,
) -> Result<Finished, SourceError> {
    let listed: HashSet<&str> = output
        .drafts
        .iter()
        .map(|d| d.external_id.as_str())
        .collect();
    let due: Vec<_> = known
        .recheck
        .iter()
        .filter(|candidate| !listed.contains(candidate.external_id.as_str()))
        .take(source.limits().recheck_limit as usize)
        .collect();
    let mut finished = Finished::Done;
    for (done, candidate) in due.iter().enumerate() {
        let Ok(url) = Url::parse(&candidate.url) else {
            output.checks.push(DetailCheck {
                external_id: candidate.external_id.clone(),
                outcome: DetailCheckOutcome::Failed(format!(
                    "unusable detail URL {}",
                    candidate.url
                )),
            });
            continue;
        };
        output.requests.recheck += 1;
        let Some(result) = fetch_detail(source, fetcher, &url, cancel, deadline).await else {
            output.requests.recheck -= 1;
            finished = Finished::DeadlineReached {
                left: due.len() - done,
            };
            break;
        };
        let outcome = result?;
        if matches!(outcome, DetailCheckOutcome::Gone(_)) {
            tracing::info!(source = source.name(), %url, "A followed draft is gone from the portal.");
        }
        output.checks.push(DetailCheck {
            external_id: candidate.external_id.clone(),
            outcome,
        });
    }
    tracing::debug!(
        source = source.name(),
        rechecked = output.checks.len(),
        "Followed drafts re-checked."
    );
    Ok(finished)
}

/// How a step of detail requests ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Everything due was requested.
    Done,
    /// The poll deadline stopped it with `left` pages still due.
    DeadlineReached {
        /// Pages that were due but not requested.
        left: usize,
    },
}

/// Read one detail page before `deadline`: `None` when the deadline came first (the request in
/// flight is dropped). A page that is gone (404, 410) is [`DetailCheckOutcome::Gone`]; any
/// other failure to read it is [`DetailCheckOutcome::Failed`], except a firewall page, which
/// stops the poll's detail requests as an error.
async fn fetch_detail<S: PagedList + ?Sized>(
    source: &S,
    fetcher: &Fetcher,
    url: &Url,
    cancel: &CancellationToken,
    deadline: Instant,
) -> Option<Result<DetailCheckOutcome, SourceError>> {
    let result = fetch_before(fetcher, url, cancel, deadline).await?;
    Some(match result {
        Ok(page) => Ok(match source.parse_detail(&page) {
            Ok(detail) => DetailCheckOutcome::Read(detail),
            Err(error) => {
                tracing::warn!(url = %page.url, %error, "A detail page was not understood.");
                DetailCheckOutcome::Failed(format!("{}: {error}", page.url))
            }
        }),
        Err(SourceError::Fetch(
            error @ FetchError::Status {
                status: 404 | 410, ..
            },
        )) => {
            tracing::warn!(%url, %error, "A detail page answered that it is gone.");
            Ok(DetailCheckOutcome::Gone(error.to_string()))
        }
        Err(SourceError::Fetch(error)) => {
            tracing::warn!(%url, %error, "A detail page was not fetched; the list data is kept.");
            if matches!(error, FetchError::Rejected { .. }) {
                Err(SourceError::Fetch(error))
            } else {
                Ok(DetailCheckOutcome::Failed(error.to_string()))
            }
        }
        Err(other) => Err(other),
    })
}

/// [`fetch`] unless `deadline` comes first: `None` then (the request in flight is dropped).
pub async fn fetch_before(
    fetcher: &Fetcher,
    url: &Url,
    cancel: &CancellationToken,
    deadline: Instant,
) -> Option<Result<Page, SourceError>> {
    if Instant::now() >= deadline {
        return None;
    }
    tokio::select! {
        () = tokio::time::sleep_until(deadline) => None,
        result = fetch(fetcher, url, cancel) => Some(result),
    }
}

/// GET a page unless shutdown was requested; shutdown also interrupts the request.
pub async fn fetch(
    fetcher: &Fetcher,
    url: &Url,
    cancel: &CancellationToken,
) -> Result<Page, SourceError> {
    if cancel.is_cancelled() {
        return Err(SourceError::Cancelled);
    }
    let page = tokio::select! {
        biased;
        () = cancel.cancelled() => return Err(SourceError::Cancelled),
        result = fetcher.get_text(url) => result?,
    };
    // A redirect to the e-Latvija login means we are not reading the public page.
    if page.url.path().starts_with("/users") {
        return Err(SourceError::Markup {
            url: url.to_string(),
            message: format!("redirected to the login page {}", page.url),
        });
    }
    Ok(page)
}
