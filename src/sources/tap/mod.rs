//! TAP portāls `/public_participation`: the list of drafts open (or recently open) for public
//! comment, and each draft's detail page (sources.md §1.1–1.2).
//!
//! [`list`] and [`detail`] are sync parsers from text to owned data; this file holds the
//! [`TapParticipation`] adapter that pages through the list and enriches new drafts with
//! their detail page. Politeness, retries, charset and firewall detection belong to
//! [`Fetcher`]; storing what was seen belongs to the store.
//!
//! Poll algorithm (one call of [`Source::poll`]):
//! 1. Read `/public_participation` ordered by the end of the comment window, newest first
//!    (`?order_by=application_deadline&order_direction=desc`), then `&page=2`, … and stop after the first page whose rows
//!    are all already known, at `page_limit`, or at the last page the paginator shows (no
//!    paginator = one page). A page answering 200 with zero rows is
//!    [`SourceError::ZeroRows`]; a page that is not a list at all (e.g. a login redirect) is
//!    [`SourceError::Markup`]. Rows repeated on two pages (the list moved while paging) are
//!    kept once.
//! 2. Unless step 1 ended in an error, fetch the detail page of every draft seen this poll that
//!    is new or still `needs_detail`, at most `detail_limit` of them, in list order. A failed
//!    detail sets [`ScrapedDraft::detail_error`] and keeps the list data. A firewall page on a
//!    detail stops further detail requests and becomes the poll's error. Known drafts needing
//!    detail that were not on the pages read are not fetched (they will be when they appear
//!    again, or never if they dropped off; keeping one code path keeps the poll predictable).
//!
//! On any error the drafts gathered so far are returned with the error; cancellation is
//! checked before every request and interrupts a request in flight.

pub mod detail;
pub mod list;

use std::collections::HashSet;

use scraper::Selector;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::fetch::Page;
use super::{BoxFuture, FetchError, Fetcher, KnownDrafts, PollOutput, Source, SourceError};
use crate::config::SourceConfig;
use crate::model::ScrapedDraft;

pub use detail::parse_detail_page;
pub use list::{ListPage, parse_list_page, parse_window};

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
    }

    /// Build from the parts the adapter uses, so tools and tests need no schedule.
    pub fn with_limits(name: &str, base_url: Url, page_limit: u32, detail_limit: u32) -> Self {
        TapParticipation {
            name: name.to_owned(),
            base_url,
            page_limit,
            detail_limit,
        }
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
        let mut output = PollOutput::default();
        if let Err(error) = self.read_list(fetcher, known, cancel, &mut output).await {
            tracing::warn!(source = %self.name, pages_read = output.pages_read, %error, "list reading stopped");
            output.error = Some(error);
            return output;
        }
        if let Err(error) = self
            .read_details(fetcher, known, cancel, &mut output.drafts)
            .await
        {
            output.error = Some(error);
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
            let list = parse_list_page(&page.body, &page.url).map_err(|e| SourceError::Markup {
                url: page.url.to_string(),
                message: e.to_string(),
            })?;
            if list.drafts.is_empty() {
                return Err(SourceError::ZeroRows {
                    url: page.url.to_string(),
                });
            }
            tracing::debug!(
                source = %self.name, page = page_number, rows = list.drafts.len(),
                total = ?list.total, last_page = ?list.last_page, portal_version = ?list.app_version,
                "list page read"
            );
            let all_known = list
                .drafts
                .iter()
                .all(|d| known.drafts.contains_key(&d.external_id));
            for draft in list.drafts {
                if seen.insert(draft.external_id.clone()) {
                    output.drafts.push(draft);
                }
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
        drafts: &mut [ScrapedDraft],
    ) -> Result<(), SourceError> {
        let mut budget = self.detail_limit;
        for draft in drafts.iter_mut() {
            let known_draft = known.drafts.get(&draft.external_id);
            if known_draft.is_some_and(|k| !k.needs_detail) {
                continue;
            }
            if budget == 0 {
                tracing::debug!(source = %self.name, "detail_limit reached; the rest waits for the next poll");
                break;
            }
            budget -= 1;
            let detail_url = known_draft
                .and_then(|k| Url::parse(&k.url).ok())
                .or_else(|| Url::parse(&draft.url).ok());
            let Some(detail_url) = detail_url else {
                draft.detail_error = Some(format!("unusable detail URL {}", draft.url));
                continue;
            };
            match fetch(fetcher, &detail_url, cancel).await {
                Ok(page) => match parse_detail_page(&page.body) {
                    Ok(detail) => draft.detail = Some(detail),
                    Err(error) => {
                        tracing::warn!(url = %page.url, %error, "detail page not understood");
                        draft.detail_error = Some(format!("{}: {error}", page.url));
                    }
                },
                Err(SourceError::Fetch(error)) => {
                    tracing::warn!(url = %detail_url, %error, "detail page not fetched; list data kept");
                    draft.detail_error = Some(error.to_string());
                    if matches!(error, FetchError::Rejected { .. }) {
                        return Err(SourceError::Fetch(error));
                    }
                }
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }
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
