//! Parsing of the TAP `/public_participation` list page (the "flextable" grid).
//!
//! Sync and owned: text in, [`ListPage`] out. Rows are
//! `div.flextable__row[data-linkable-row=true]`, cells are found by their
//! `data-column-header-name` and read from `span.flextable__value` (../shared/docs/sources.md §1.0–1.1).
//! Deciding what to fetch next is the adapter's job, not this module's.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use scraper::{ElementRef, Html};
use url::Url;

use super::ParseError;
use super::flextable::{self, HEADER, Paginator, ROW, cell_value, find_cell};
use crate::model::{CommentWindow, ScrapedDraft};

/// Column holding the TA number (or a task number for discussion documents).
pub const COLUMN_ID: &str = "Projekta ID/ Uzdevuma numurs";
/// Column holding the title.
pub const COLUMN_TITLE: &str = "Tiesību akta/ diskusiju dokumenta nosaukums";
/// Column holding the kind of participation.
pub const COLUMN_KIND: &str = "Līdzdalības veids";
/// Column holding the comment window.
pub const COLUMN_WINDOW: &str = "Termiņš";
/// Column holding the responsible ministry.
pub const COLUMN_MINISTRY: &str = "Atbildīgā ministrija";

static WINDOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?\s*[-–—]\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// How many rows the portal shows on a full list page ("Ierakstu skaits lapā 25").
pub const PAGE_SIZE: usize = 25;

/// The cells every list row must carry. A row lacking one of them (as the last row of a page
/// cut short does) is a markup problem, never a draft with blanks.
const REQUIRED_COLUMNS: [&str; 5] = [
    COLUMN_ID,
    COLUMN_TITLE,
    COLUMN_KIND,
    COLUMN_WINDOW,
    COLUMN_MINISTRY,
];

/// What one list page holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    /// The rows, in page order, without detail data.
    pub drafts: Vec<ScrapedDraft>,
    /// Rows that could not become a draft (no link, no title, a required cell missing), each
    /// described for the admin; not stored.
    pub malformed_rows: Vec<String>,
    /// "Atlasīti N ieraksti": how many records the whole list holds.
    pub total: Option<u64>,
    /// The page this is, from the paginator.
    pub current_page: Option<u32>,
    /// The highest page number the paginator mentions; `None` when there is no paginator
    /// (the list fits on one page).
    pub last_page: Option<u32>,
    /// The portal's version from the footer ("Versija bc230"): when it changes, markup may too.
    pub app_version: Option<String>,
}

impl ListPage {
    /// Whether the page looks cut short: fewer rows than a full page, yet nothing says that
    /// this is the last page (neither the paginator nor a total that these rows account for).
    /// A page truncated in transit still parses as well-formed HTML, so this is the only sign.
    pub fn looks_cut_short(&self) -> bool {
        let rows = self.drafts.len() + self.malformed_rows.len();
        let paginator_says_last = match (self.current_page, self.last_page) {
            (Some(current), Some(last)) => current >= last,
            _ => false,
        };
        let total_says_complete = self
            .total
            .is_some_and(|total| total == u64::try_from(rows).unwrap_or(u64::MAX));
        rows < PAGE_SIZE && !paginator_says_last && !total_says_complete
    }
}

/// Parse one `/public_participation` list page. `base_url` resolves the rows' relative links
/// (the page's own URL or the portal root).
///
/// A row without `data-url`, without a title or lacking one of the five data cells is not a
/// draft: it is listed in [`ListPage::malformed_rows`] for the adapter to report. A row whose
/// `Termiņš` cell is there but cannot be read keeps `window: None` and carries the text in
/// [`ScrapedDraft::unreadable_deadline`], so partners see "termiņš nav nolasāms" rather than
/// "no consultation". A page that lacks the list header entirely is [`ParseError::NotAList`];
/// a list with zero rows is returned as such (the adapter decides that this is an error).
pub fn parse_list_page(html: &str, base_url: &Url) -> Result<ListPage, ParseError> {
    let document = Html::parse_document(html);
    let rows: Vec<ElementRef<'_>> = document.select(&ROW).collect();
    if rows.is_empty() && document.select(&HEADER).next().is_none() {
        return Err(ParseError::NotAList);
    }
    let paginator = Paginator::read(&document, base_url);
    let mut page = ListPage {
        total: paginator.total,
        current_page: paginator.current_page,
        last_page: paginator.last_page,
        app_version: flextable::app_version(&document),
        ..ListPage::default()
    };
    for (index, row) in rows.into_iter().enumerate() {
        match parse_row(row, base_url) {
            Ok(draft) => page.drafts.push(draft),
            Err(problem) => {
                let row_number = index + 1;
                tracing::warn!(row = row_number, %problem, "A list row is malformed and was not stored.");
                page.malformed_rows
                    .push(format!("row {row_number}: {problem}"));
            }
        }
    }
    Ok(page)
}

/// Why a list row could not become a draft.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum RowProblem {
    #[error("no data-url (TA number {0:?})")]
    NoLink(Option<String>),
    #[error("unusable data-url {0:?}")]
    BadLink(String),
    #[error("the cell \"{cell}\" is missing ({data_url})")]
    MissingCell {
        cell: &'static str,
        data_url: String,
    },
    #[error("empty title ({0})")]
    EmptyTitle(String),
}

fn parse_row(row: ElementRef<'_>, base_url: &Url) -> Result<ScrapedDraft, RowProblem> {
    let find_cell = |name: &str| find_cell(row, name);
    let cell = |name: &str| find_cell(name).and_then(cell_value);
    let ta_number = cell(COLUMN_ID);
    let data_url = row
        .attr("data-url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| RowProblem::NoLink(ta_number.clone()))?;
    let url = base_url
        .join(data_url)
        .map_err(|_| RowProblem::BadLink(data_url.to_owned()))?;
    let external_id = url
        .path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .map(str::to_owned)
        .ok_or_else(|| RowProblem::BadLink(data_url.to_owned()))?;
    if let Some(missing) = REQUIRED_COLUMNS
        .into_iter()
        .find(|c| find_cell(c).is_none())
    {
        return Err(RowProblem::MissingCell {
            cell: missing,
            data_url: data_url.to_owned(),
        });
    }
    let title = cell(COLUMN_TITLE).ok_or_else(|| RowProblem::EmptyTitle(data_url.to_owned()))?;
    let (window, unreadable_deadline) = read_deadline(cell(COLUMN_WINDOW));
    Ok(ScrapedDraft {
        external_id,
        ta_number,
        title,
        kind: cell(COLUMN_KIND),
        ministry: cell(COLUMN_MINISTRY),
        stage: None,
        url: url.to_string(),
        window,
        unreadable_deadline,
        detail: None,
        detail_error: None,
        ..ScrapedDraft::default()
    })
}

/// A deadline cell's text as a window, or, when it is not two valid dates, the text itself so
/// that the draft says "deadline unreadable" instead of "no consultation". An empty cell is no
/// window at all.
pub fn read_deadline(raw: Option<String>) -> (Option<CommentWindow>, Option<String>) {
    match raw {
        None => (None, None),
        Some(raw) => match parse_window(&raw) {
            Some(window) => (Some(window), None),
            None => (None, Some(raw)),
        },
    }
}

/// Parse a TAP window `dd.mm.yyyy. - dd.mm.yyyy.` (both days inclusive). `None` when the text
/// is not two valid dates in order.
pub fn parse_window(raw: &str) -> Option<CommentWindow> {
    let captures = WINDOW.captures(raw.trim())?;
    let number = |i: usize| captures.get(i)?.as_str().parse::<u32>().ok();
    let date = |d: usize, m: usize, y: usize| {
        NaiveDate::from_ymd_opt(i32::try_from(number(y)?).ok()?, number(m)?, number(d)?)
    };
    let from = date(1, 2, 3)?;
    let to = date(4, 5, 6)?;
    (from <= to).then_some(CommentWindow { from, to })
}
