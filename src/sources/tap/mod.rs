//! TAP portāls (tapportals.mk.gov.lv): every view draftwatch reads, one adapter file each,
//! on shared parsers (../shared/docs/sources.md §1).
//!
//! Adapters: [`participation`] (`/public_participation`), [`legal_acts`] (`/legal_acts`),
//! [`meeting_agendas`] (State Secretaries' and Cabinet meetings). The first two are a
//! [`PagedList`](super::paging::PagedList) impl on the shared paging skeleton; the meetings
//! source pages by date and reuses the skeleton's fetch helpers. Parsers are sync, from text
//! to owned data: [`list`] and [`detail`] (participation list and detail, the fields the store
//! keeps), [`flextable`] (the grid and paginator of every list), [`legal_acts_list`],
//! [`meetings`], and the label walkers over a detail page's visible text ([`labels`],
//! [`legal_act_detail`], [`participation_detail`], [`review`]).

pub mod annotation;
pub mod detail;
pub mod flextable;
pub mod labels;
pub mod legal_act_detail;
pub mod legal_acts;
pub mod legal_acts_list;
pub mod list;
pub mod meeting_agendas;
pub mod meetings;
pub mod participation;
pub mod participation_detail;
pub mod review;

use scraper::Selector;

pub use detail::parse_detail_page;
pub use legal_acts::TapLegalActs;
pub use list::{ListPage, PAGE_SIZE, parse_list_page, parse_window};
pub use meeting_agendas::TapMeetings;
pub use participation::TapParticipation;

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
