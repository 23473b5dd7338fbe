//! TAP portāls `/public_participation`: the list of drafts open (or recently open) for public
//! comment, and each draft's detail page (described in ../shared/docs/sources.md §1.1–1.2).
//!
//! [`list`] and [`detail`] are sync parsers from text to owned data; this file holds the
//! [`TapParticipation`] adapter that pages through the list and enriches new drafts with
//! their detail page. Politeness, retries, charset and firewall detection belong to
//! [`Fetcher`]; storing what was seen belongs to the store.
//!
//! Poll algorithm (one call of [`Source::poll`]):
//! 1. Read `/public_participation` ordered by the end of the comment window, newest first
//!    (`?order_by=application_deadline&order_direction=desc`), then `&page=2`, … and stop
//!    after the first page whose rows are all already known, at `page_limit`, or at the last
//!    page the paginator shows (no paginator = one page). A page answering 200 with zero rows
//!    is [`SourceError::ZeroRows`]; a page that is not a list at all (e.g. a login redirect)
//!    is [`SourceError::Markup`]; rows lacking required cells are
//!    [`SourceError::MalformedRows`] (the page's good rows are kept). A page with fewer rows
//!    than a full page and no sign of being the last one is a [`SourceWarning::ShortPage`],
//!    and an unreadable deadline a [`SourceWarning::UnreadableDeadline`]. Rows repeated on
//!    two pages (the list moved while paging) are kept once.
//! 2. Unless step 1 ended in an error, fetch the detail page of every draft seen this poll that
//!    is new or still `needs_detail`, at most `detail_limit` of them, in list order. A failed
//!    detail sets [`ScrapedDraft::detail_error`] and keeps the list data. A firewall page on a
//!    detail stops further detail requests and becomes the poll's error.
//! 3. Then re-read the detail page of followed drafts with open windows that were not on the
//!    pages read ([`KnownDrafts::recheck`], least recently checked first), at most
//!    `recheck_limit`, so a deadline moved deep in the list is seen within a day. A detail
//!    page answering 404 or 410 means the draft is gone from the portal.
//!
//! Steps 2 and 3 stop when the poll has run for `poll_deadline`: what was read is kept and
//! the poll carries a [`SourceWarning::DeadlineReached`]. On any error the drafts gathered so
//! far are returned with the error; cancellation is checked before every request and
//! interrupts a request in flight.

pub mod annotation;
pub mod detail;
pub mod flextable;
pub mod labels;
pub mod legal_act_detail;
pub mod legal_acts_list;
pub mod list;
pub mod meetings;
pub mod participation_detail;
pub mod review;

use std::collections::HashSet;
use std::time::Duration;

use scraper::Selector;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::fetch::Page;
use super::{
    BoxFuture, DEFAULT_POLL_DEADLINE, DEFAULT_RECHECK_LIMIT, FetchError, Fetcher, PollOutput,
    Source, SourceError, SourceWarning,
};
use crate::config::SourceConfig;
use crate::model::{DetailCheck, DetailCheckOutcome, KnownDrafts, ScrapedDraft};

pub use detail::parse_detail_page;
pub use list::{ListPage, PAGE_SIZE, parse_list_page, parse_window};

/// A long list read (a first backfill) logs its progress at INFO every this many pages.
const PROGRESS_EVERY_PAGES: u32 = 10;

/// Why a TAP page could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The page has no list table at all: not a `/public_participation` list page.
    #[error(
        "the page holds no participation list (no flextable header); the portal's markup may have changed"
    )]
    NotAList,
    /// None of the detail labels was found.
    #[error(
        "the page holds none of the expected detail labels (\"{}\", \"{}\", \"{}\"); the portal's markup may have changed",
        detail::LABEL_PROBLEM,
        detail::LABEL_GOAL,
        detail::LABEL_POLICY_AREAS
    )]
    NoDetailFields,
}

/// The `/public_participation` adapter.
#[derive(Debug, Clone)]
pub struct TapParticipation {
    name: String,
    base_url: Url,
    page_limit: u32,
    detail_limit: u32,
    recheck_limit: u32,
    poll_deadline: Duration,
}

impl TapParticipation {
    /// Build from a configured source.
    pub fn new(config: &SourceConfig) -> Self {
        Self::with_limits(
            &config.name,
            config.base_url.clone(),
            config.page_limit,
            config.detail_limit,
        )
        .with_recheck_limit(config.recheck_limit)
        .with_poll_deadline(config.poll_deadline)
    }

    /// Build from the parts the adapter uses, so tools and tests need no schedule.
    pub fn with_limits(name: &str, base_url: Url, page_limit: u32, detail_limit: u32) -> Self {
        TapParticipation {
            name: name.to_owned(),
            base_url,
            page_limit,
            detail_limit,
            recheck_limit: DEFAULT_RECHECK_LIMIT,
            poll_deadline: DEFAULT_POLL_DEADLINE,
        }
    }

    /// How many followed drafts' detail pages are re-read per poll.
    pub fn with_recheck_limit(mut self, recheck_limit: u32) -> Self {
        self.recheck_limit = recheck_limit;
        self
    }

    /// How long a poll may fetch before it stops reading detail pages.
    pub fn with_poll_deadline(mut self, poll_deadline: Duration) -> Self {
        self.poll_deadline = poll_deadline;
        self
    }

    /// URL of list page `page` (1-based; page 1 has no query, as the portal links it).
    pub fn list_url(&self, page: u32) -> Url {
        let mut url = self.base_url.clone();
        url.set_path(&format!(
            "{}/public_participation",
            self.base_url.path().trim_end_matches('/')
        ));
        url.set_fragment(None);
        // The portal's default order is by TA number, so a consultation opened today for an
        // older number sits pages deep and "stop at a page of known drafts" would miss it.
        // Ordered by the end of the comment window, newest first, every newly opened window
        // is on the first pages.
        let mut query = String::from("order_by=application_deadline&order_direction=desc");
        if page > 1 {
            query.push_str(&format!("&page={page}"));
        }
        url.set_query(Some(&query));
        url
    }

    async fn run_poll(
        &self,
        fetcher: &Fetcher,
        known: &KnownDrafts,
        cancel: &CancellationToken,
    ) -> PollOutput {
        let deadline = Instant::now() + self.poll_deadline;
        let mut output = PollOutput::default();
        if let Err(error) = self.read_list(fetcher, known, cancel, &mut output).await {
            tracing::warn!(source = %self.name, pages_read = output.pages_read, %error, "List reading stopped.");
            output.error = Some(error);
            return output;
        }
        let mut left = 0;
        match self
            .read_details(fetcher, known, cancel, deadline, &mut output.drafts)
            .await
        {
            Ok(Finished::Done) => {}
            Ok(Finished::DeadlineReached { left: missed }) => left += missed,
            Err(error) => {
                output.error = Some(error);
                return output;
            }
        }
        match self
            .recheck(fetcher, known, cancel, deadline, &mut output)
            .await
        {
            Ok(Finished::Done) => {}
            Ok(Finished::DeadlineReached { left: missed }) => left += missed,
            Err(error) => output.error = Some(error),
        }
        if left > 0 {
            let warning = SourceWarning::DeadlineReached {
                deadline: self.poll_deadline,
                left,
            };
            tracing::warn!(source = %self.name, %warning, "The poll reached its deadline; what was read is kept.");
            output.warnings.push(warning);
        }
        output
    }

    async fn read_list(
        &self,
        fetcher: &Fetcher,
        known: &KnownDrafts,
        cancel: &CancellationToken,
        output: &mut PollOutput,
    ) -> Result<(), SourceError> {
        let mut seen = HashSet::new();
        for page_number in 1..=self.page_limit {
            let url = self.list_url(page_number);
            let page = fetch(fetcher, &url, cancel).await?;
            output.pages_read += 1;
            let page_url = page.url.to_string();
            let list = parse_list_page(&page.body, &page.url).map_err(|e| SourceError::Markup {
                url: page_url.clone(),
                message: e.to_string(),
            })?;
            if list.drafts.is_empty() && list.malformed_rows.is_empty() {
                return Err(SourceError::ZeroRows { url: page_url });
            }
            tracing::debug!(
                source = %self.name, page = page_number, rows = list.drafts.len(),
                total = ?list.total, last_page = ?list.last_page, portal_version = ?list.app_version,
                "List page read."
            );
            if list.looks_cut_short() {
                let warning = SourceWarning::ShortPage {
                    url: page_url.clone(),
                    rows: list.drafts.len() + list.malformed_rows.len(),
                    page_size: PAGE_SIZE,
                };
                tracing::warn!(source = %self.name, %warning, "A list page looks cut short.");
                output.warnings.push(warning);
            }
            let all_known = list
                .drafts
                .iter()
                .all(|d| known.drafts.contains_key(&d.external_id));
            for draft in &list.drafts {
                if let Some(text) = &draft.unreadable_deadline {
                    let warning = SourceWarning::UnreadableDeadline {
                        draft: draft
                            .ta_number
                            .clone()
                            .unwrap_or_else(|| draft.external_id.clone()),
                        text: text.clone(),
                    };
                    tracing::warn!(source = %self.name, %warning, "A draft's deadline could not be read.");
                    output.warnings.push(warning);
                }
            }
            let rows = list.drafts.len() + list.malformed_rows.len();
            for draft in list.drafts {
                if seen.insert(draft.external_id.clone()) {
                    output.drafts.push(draft);
                }
            }
            // A first backfill reads hundreds of pages: show it is moving, also in the journal.
            if output.pages_read.is_multiple_of(PROGRESS_EVERY_PAGES) {
                tracing::info!(source = %self.name, pages_read = output.pages_read, drafts_read = output.drafts.len(), "Reading the list.");
            }
            if let Some(first) = list.malformed_rows.first() {
                return Err(SourceError::MalformedRows {
                    url: page_url,
                    count: list.malformed_rows.len(),
                    rows,
                    first: first.clone(),
                });
            }
            // Trust the page's own paginator for where we are: it stays right even if the
            // portal ignores or rewrites our `page` parameter.
            let current = list.current_page.unwrap_or(page_number);
            if all_known || list.last_page.is_none_or(|last| current >= last) {
                break;
            }
        }
        Ok(())
    }

    async fn read_details(
        &self,
        fetcher: &Fetcher,
        known: &KnownDrafts,
        cancel: &CancellationToken,
        deadline: Instant,
        drafts: &mut [ScrapedDraft],
    ) -> Result<Finished, SourceError> {
        let due: Vec<usize> = drafts
            .iter()
            .enumerate()
            .filter(|(_, draft)| {
                known
                    .drafts
                    .get(&draft.external_id)
                    .is_none_or(|k| k.needs_detail)
            })
            .map(|(index, _)| index)
            .collect();
        if due.len() > self.detail_limit as usize {
            tracing::debug!(source = %self.name, due = due.len(), limit = self.detail_limit, "The detail limit is reached; the rest waits for the next poll.");
        }
        let due = &due[..due.len().min(self.detail_limit as usize)];
        for (done, &index) in due.iter().enumerate() {
            let draft = &mut drafts[index];
            let detail_url = known
                .drafts
                .get(&draft.external_id)
                .and_then(|k| Url::parse(&k.url).ok())
                .or_else(|| Url::parse(&draft.url).ok());
            let Some(detail_url) = detail_url else {
                draft.detail_error = Some(format!("unusable detail URL {}", draft.url));
                continue;
            };
            let Some(result) = fetch_detail(fetcher, &detail_url, cancel, deadline).await else {
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
    async fn recheck(
        &self,
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
            .take(self.recheck_limit as usize)
            .collect();
        let mut checks = Vec::new();
        let mut finished = Finished::Done;
        for (done, candidate) in due.iter().enumerate() {
            let Ok(url) = Url::parse(&candidate.url) else {
                checks.push(DetailCheck {
                    external_id: candidate.external_id.clone(),
                    outcome: DetailCheckOutcome::Failed(format!(
                        "unusable detail URL {}",
                        candidate.url
                    )),
                });
                continue;
            };
            let Some(result) = fetch_detail(fetcher, &url, cancel, deadline).await else {
                finished = Finished::DeadlineReached {
                    left: due.len() - done,
                };
                break;
            };
            let outcome = match result {
                Ok(outcome) => outcome,
                Err(error) => {
                    output.checks.append(&mut checks);
                    return Err(error);
                }
            };
            if matches!(outcome, DetailCheckOutcome::Gone(_)) {
                tracing::info!(source = %self.name, %url, "A followed draft is gone from the portal.");
            }
            checks.push(DetailCheck {
                external_id: candidate.external_id.clone(),
                outcome,
            });
        }
        tracing::debug!(source = %self.name, rechecked = checks.len(), "Followed drafts re-checked.");
        output.checks.append(&mut checks);
        Ok(finished)
    }
}

/// How a stage of detail requests ended when it did not fail.
enum Finished {
    /// Everything due was requested.
    Done,
    /// The poll deadline stopped it with `left` pages still due.
    DeadlineReached { left: usize },
}

/// Read one detail page before `deadline`: `None` when the deadline came first (the request in
/// flight is dropped). A page that is gone (404, 410) is [`DetailCheckOutcome::Gone`]; any
/// other failure to read it is [`DetailCheckOutcome::Failed`], except a firewall page, which
/// stops the poll's detail requests as an error.
async fn fetch_detail(
    fetcher: &Fetcher,
    url: &Url,
    cancel: &CancellationToken,
    deadline: Instant,
) -> Option<Result<DetailCheckOutcome, SourceError>> {
    if Instant::now() >= deadline {
        return None;
    }
    let result = tokio::select! {
        () = tokio::time::sleep_until(deadline) => return None,
        result = fetch(fetcher, url, cancel) => result,
    };
    Some(match result {
        Ok(page) => Ok(match parse_detail_page(&page.body) {
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

/// GET a page unless shutdown was requested; shutdown also interrupts the request.
async fn fetch(
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

impl Source for TapParticipation {
    fn name(&self) -> &str {
        &self.name
    }

    fn poll<'a>(
        &'a self,
        fetcher: &'a Fetcher,
        known: &'a KnownDrafts,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, PollOutput> {
        Box::pin(self.run_poll(fetcher, known, cancel))
    }
}

/// Whitespace runs (including non-breaking spaces and newlines) become one space; trimmed.
fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// Compile a selector written in this module (a constant, never input).
fn selector(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| unreachable!("static selector {css}: {e}"))
}
