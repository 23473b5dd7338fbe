//! The `tap_participation` source: TAP `/public_participation`, the drafts open (or recently
//! open) for public comment, and each draft's detail page (../shared/docs/sources.md
//! §1.1–1.2).
//!
//! A [`PagedList`] on the shared skeleton ([`crate::sources::paging`]): the list is read
//! ordered by the end of the comment window, newest first
//! (`?order_by=application_deadline&order_direction=desc`, then `&page=2`, …), so a window
//! opened today for an old TA number is on the first pages. The key is the participation
//! page's UUID (`external_id`). A page with fewer rows than a full page and no sign of being
//! the last one is a [`SourceWarning::ShortPage`]; rows lacking required cells are
//! [`SourceError::MalformedRows`] after the page's good rows are kept.

use std::time::Duration;

use url::Url;

use super::detail::parse_detail_page;
use super::list::{PAGE_SIZE, parse_list_page};
use crate::config::SourceConfig;
use crate::model::DraftDetail;
use crate::sources::fetch::Page;
use crate::sources::paging::{ListRead, ListSettings, PagedList};
use crate::sources::{SourceError, SourceWarning};

/// The `/public_participation` adapter.
#[derive(Debug, Clone)]
pub struct TapParticipation {
    settings: ListSettings,
}

impl TapParticipation {
    /// Build from a configured source.
    pub fn new(config: &SourceConfig) -> Self {
        TapParticipation {
            settings: ListSettings::from_config(config),
        }
    }

    /// Build from the parts the adapter uses, so tools and tests need no schedule.
    pub fn with_limits(name: &str, base_url: Url, page_limit: u32, detail_limit: u32) -> Self {
        TapParticipation {
            settings: ListSettings::new(name, base_url, page_limit, detail_limit),
        }
    }

    /// How many followed drafts' detail pages are re-read per poll.
    pub fn with_recheck_limit(mut self, recheck_limit: u32) -> Self {
        self.settings.limits.recheck_limit = recheck_limit;
        self
    }

    /// How long a poll may fetch before it stops reading detail pages.
    pub fn with_poll_deadline(mut self, poll_deadline: Duration) -> Self {
        self.settings.poll_deadline = poll_deadline;
        self
    }

    /// URL of list page `page` (1-based).
    pub fn list_url(&self, page: u32) -> Url {
        let mut url = self.settings.url_of("/public_participation");
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
}

impl PagedList for TapParticipation {
    fn settings(&self) -> &ListSettings {
        &self.settings
    }

    fn list_url(&self, page: u32) -> Url {
        TapParticipation::list_url(self, page)
    }

    fn parse_list(&self, page: &Page, page_number: u32) -> Result<ListRead, SourceError> {
        let page_url = page.url.to_string();
        let list = parse_list_page(&page.body, &page.url).map_err(|e| SourceError::Markup {
            url: page_url.clone(),
            message: e.to_string(),
        })?;
        let rows = list.drafts.len() + list.malformed_rows.len();
        let mut warnings = Vec::new();
        if rows > 0 && list.looks_cut_short() {
            let warning = SourceWarning::ShortPage {
                url: page_url.clone(),
                rows,
                page_size: PAGE_SIZE,
            };
            tracing::warn!(source = %self.settings.name, %warning, "A list page looks cut short.");
            warnings.push(warning);
        }
        // Trust the page's own paginator for where we are: it stays right even if the
        // portal ignores or rewrites our `page` parameter.
        let current = list.current_page.unwrap_or(page_number);
        let is_last_page = list.last_page.is_none_or(|last| current >= last);
        let error = list
            .malformed_rows
            .first()
            .map(|first| SourceError::MalformedRows {
                url: page_url,
                count: list.malformed_rows.len(),
                rows,
                first: first.clone(),
            });
        Ok(ListRead {
            drafts: list.drafts,
            is_last_page,
            warnings,
            error,
        })
    }

    fn parse_detail(&self, page: &Page) -> Result<DraftDetail, String> {
        parse_detail_page(&page.body).map_err(|e| e.to_string())
    }
}
